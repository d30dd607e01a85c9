// Attacker's script against the memory of the 0-RTT replay register (SingleUseTickets, RFC 8446 §8.1), which
// every connection of a server shares. It remembered each used ticket by its bytes, and a ticket carried the
// client's certificate chain as presented (now only what its verdict judged, which a leaf can still make
// ~64 KiB): a client the server trusts filled its Certificate message (up to 64 KiB) with certificates nobody
// needs, and each of its tickets was then some 65 KB. The register holds up to
// 100,000 uses (for twice the age skew, 20 s by default): 6.5 GB at its capacity, 12 MB for 200 uses of
// 60 KB tickets, and building each key cost 40 to 100 ms of CPU. A use is remembered by a SHA-256 digest of
// its ticket: about 100 bytes each.
import { describe, expect, it } from 'vitest';
import { garbageCollector } from '../../scripts/bench/memory.js';
import { seededRandom } from '../../src/crypto/random.js';
import { SingleUseTickets } from '../../src/handshake/tickets.js';

describe('the replay register under 200 uses of 60 KB tickets', () => {
  const random = seededRandom('anti-replay-memory');
  const WINDOW_MS = 20_000;

  it('holds a digest per use, not the ticket', () => {
    const gc = garbageCollector();
    const register = new SingleUseTickets();
    const ticket = random(60_000);
    gc();
    const before = process.memoryUsage();
    for (let i = 0; i < 200; i++) {
      ticket[0] = i & 0xff;
      ticket[1] = i >> 8; // a different ticket each time, in one buffer: only the register keeps anything
      expect(register.firstUse(ticket, 0, WINDOW_MS)).toBe(true);
    }
    gc();
    gc();
    const after = process.memoryUsage();
    const held = after.heapUsed - before.heapUsed + after.arrayBuffers - before.arrayBuffers;
    expect(held).toBeLessThan(2_000_000); // before: 12 MB (59,924 bytes per use); the digests take 20 KB
  });

  it('still refuses each of those tickets a second time within the window, and no other', () => {
    const register = new SingleUseTickets();
    const tickets = Array.from({ length: 100 }, () => random(60_000));
    expect(tickets.map((t) => register.firstUse(t, 0, WINDOW_MS))).toEqual(tickets.map(() => true));
    expect(tickets.map((t) => register.firstUse(t.slice(), 1, WINDOW_MS))).toEqual(tickets.map(() => false));
    const neighbour = tickets[0]!.slice();
    neighbour[59_999]! ^= 1;
    expect(register.firstUse(neighbour, 1, WINDOW_MS)).toBe(true);
  });
});
