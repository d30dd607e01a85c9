// Attacker: a client whose key shares and supported_groups disagree, against the server's check since session 15
// (server/hello.ts selectKeyShare: supported_groups read into a Set). RFC 8446 §4.2.8: each KeyShareEntry's group
// MUST be in supported_groups and appear once, else illegal_parameter. A Set must not loosen either rule: not for a
// GREASE group (RFC 8701: a client may send a GREASE share, listed), not beside a duplicated list, not for a group
// whose bytes are a listed one's swapped, not at the end of a long list.
import { describe, expect, it } from 'vitest';
import { Connection } from '../../src/handshake/connection.js';
import { encodeHandshake } from '../../src/wire/messages.js';
import { DUPLICATE_SCAN_LIMIT } from '../../src/wire/vectors.js';
import { expectAbort, groupsAndSharesHello, record, serverConfig, shareEntry, x25519Public } from '../handshake/abort-harness.js';

const X25519 = 0x001d;
const GREASE = 0x0a0a;

/** A ClientHello listing `groups` in supported_groups, with a share for each of `shares` (X25519's a real key). */
function hello(groups: number[], shares: number[]): Uint8Array {
  const entries = shares.flatMap((g) => shareEntry(g, g === X25519 ? x25519Public() : Uint8Array.of(0)));
  return encodeHandshake(groupsAndSharesHello(groups, entries));
}

function answer(groups: number[], shares: number[]) {
  const victim = Connection.server(serverConfig());
  const message = hello(groups, shares);
  for (let at = 0; at < message.length; at += 16_384) victim.receive(record(22, message.subarray(at, at + 16_384)));
  return { victim, events: victim.takeEvents(), output: victim.takeOutput() };
}

const long = Array.from({ length: 8_000 }, (_, i) => 0x8000 + i);
/** Unknown groups, `n` of them: lists at either side of the length where lookups switch from scans to sets. */
const others = (n: number) => Array.from({ length: n }, (_, i) => 0x9000 + i);
const AROUND_THE_SWITCH = [DUPLICATE_SCAN_LIMIT - 1, DUPLICATE_SCAN_LIMIT, DUPLICATE_SCAN_LIMIT + 1];

describe('key shares against supported_groups, read as a set', () => {
  it.each([
    ['a GREASE share, GREASE not listed', [X25519], [GREASE, X25519]],
    ['a share for X25519 byte-swapped (0x1d00)', [X25519], [0x1d00, X25519]],
    ['a share for a group after 8,000 listed ones, not listed itself', [...long, X25519], [X25519, 0x7fff]],
    ['a share for an unlisted group beside a list naming X25519 twice', [X25519, X25519], [X25519, 0x0017]],
  ])('%s: illegal_parameter (RFC 8446 §4.2.8)', (_, groups, shares) => {
    expectAbort(answer(groups, shares), 'illegal_parameter', { plaintext: true }, 'IllegalParameter');
  });

  it('two shares for one group, listed once or twice: illegal_parameter (refused as the key_share is read)', () => {
    expectAbort(answer([X25519], [X25519, X25519]), 'illegal_parameter', { plaintext: true }, 'BadKeyShare');
    expectAbort(answer([X25519, X25519], [X25519, X25519]), 'illegal_parameter', { plaintext: true }, 'BadKeyShare');
  });

  it.each([
    ['a listed GREASE share beside X25519', [GREASE, X25519], [GREASE, X25519]],
    ['X25519 listed twice', [X25519, X25519], [X25519]],
    ['X25519 at the end of 8,000 listed groups', [...long, X25519], [X25519]],
  ])('%s: the handshake goes on with X25519', (_, groups, shares) => {
    const { victim, events } = answer(groups, shares);
    expect(events.filter((e) => e.type === 'alert')).toEqual([]);
    expect(victim.info.group).toBe('x25519');
  });

  // Short lists are scanned, long ones read into sets (server/hello.ts): both ways must give one verdict.
  describe.each(AROUND_THE_SWITCH)('lists with %i other groups', (n) => {
    it('a share for a group missing from supported_groups, after the listed ones: illegal_parameter', () => {
      expectAbort(answer([...others(n), X25519], [...others(n), X25519, 0x7fff]), 'illegal_parameter', { plaintext: true }, 'IllegalParameter');
    });

    it('a share for a group missing from supported_groups, before the listed ones: illegal_parameter', () => {
      expectAbort(answer([...others(n), X25519], [0x7fff, ...others(n), X25519]), 'illegal_parameter', { plaintext: true }, 'IllegalParameter');
    });

    it('X25519 listed and shared after the others: the handshake goes on with X25519', () => {
      const { victim, events } = answer([...others(n), X25519], [...others(n), X25519]);
      expect(events.filter((e) => e.type === 'alert')).toEqual([]);
      expect(victim.info.group).toBe('x25519');
    });

    it('X25519 listed after the others, no share for it: a HelloRetryRequest asks for X25519', () => {
      const { victim, events } = answer([...others(n), X25519], others(n));
      expect(events.filter((e) => e.type === 'alert')).toEqual([]);
      expect(victim.state).toBe('START');
    });
  });
});
