// Attacker: a client whose one ClientHello makes the server compare every key share with every supported group.
// The extensions block holds 64 KiB: 16,000 supported_groups and 6,500 one-byte key shares for groups at the
// end of that list (each group once, each listed: nothing to refuse). The server checked each share's group
// against the list by scanning it: ~100 million comparisons, 72 ms of CPU against 2 ms for a plain ClientHello
// (node provider, load 12); the groups are a set now (30 ms, the decoding of 22,500 values). Only one share is
// ever computed: the one for the group the server picks (here X25519, the only one it knows).
import { describe, expect, it } from 'vitest';
import { nobleProvider } from '../../src/crypto/noble.js';
import { Connection } from '../../src/handshake/connection.js';
import { encodeHandshake } from '../../src/wire/messages.js';
import { countingCalls, elementsOf } from './counting-calls.js';
import { groupsAndSharesHello, record, serverConfig, shareEntry, x25519Public } from '../handshake/abort-harness.js';

const X25519 = 0x001d;

/** A ClientHello listing `groups` groups, the last `shares` of them (unknown to us) with a one-byte share each, then X25519. */
function helloWithShares(groups: number, shares: number): Uint8Array {
  const shareGroups = Array.from({ length: shares }, (_, i) => 0x3000 + i);
  const listed = [...Array.from({ length: groups - shares }, (_, i) => 0x8000 + i), ...shareGroups, X25519];
  const entries = [...shareGroups.flatMap((g) => shareEntry(g, Uint8Array.of(1))), ...shareEntry(X25519, x25519Public())];
  return encodeHandshake(groupsAndSharesHello(listed, entries));
}

describe('a ClientHello full of key shares and groups', () => {
  it('costs the server work linear in its size, and one key exchange', () => {
    const hello = helloWithShares(16_000, 6_500);
    expect(hello.length).toBeGreaterThan(64_000);
    let exchanges = 0;
    const server = Connection.server(
      serverConfig({
        provider: {
          ...nobleProvider,
          keyExchange: (group) => {
            exchanges++;
            return nobleProvider.keyExchange(group);
          },
        },
      }),
    );
    // Elements Array.prototype.includes passes over.
    const { count: scanned } = countingCalls(Array.prototype, 'includes', elementsOf, () => {
      for (let at = 0; at < hello.length; at += 16_384) server.receive(record(22, hello.subarray(at, at + 16_384)));
    });
    expect(server.takeEvents().some((e) => e.type === 'alert')).toBe(false);
    expect(server.info.group).toBe('x25519');
    expect(exchanges).toBe(1);
    // Was 104 million: the 16,000 groups scanned for each of the 6,501 shares.
    expect(scanned).toBeLessThan(1_000_000);
  });
});
