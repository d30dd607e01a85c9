// Attacker's script: two distinct external PSK identities must never be reported under one name. The
// server reports the client as `{ kind: 'psk', identity }`, a string; an application decides on it. If a
// printable identity could read like the hex spelling of a binary one, whoever holds the key of the
// printable identity ("hex:00", say a guest's) would be reported as the holder of the binary one (0x00).
// RFC 8446 §4.2.11: identities are opaque bytes; the name we report must stay one to one with them.
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/crypto/random.js';
import type { ExternalPsk } from '../../src/handshake/external-psk.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { TEST_NOW } from '../../src/testing/certs.js';

const now = () => TEST_NOW;
const admin: ExternalPsk = { identity: Uint8Array.of(0x00), key: new Uint8Array(16).fill(0xad) };
const guest: ExternalPsk = { identity: 'hex:00', key: new Uint8Array(16).fill(0x9e) };
const alice: ExternalPsk = { identity: 'alice', key: new Uint8Array(16).fill(0xa1) };
/** "alice" behind a UTF-8 byte order mark: other bytes, so another PSK. */
const bomAlice: ExternalPsk = { identity: Uint8Array.of(0xef, 0xbb, 0xbf, ...new TextEncoder().encode('alice')), key: new Uint8Array(16).fill(0xb0) };

function reportedAs(psk: ExternalPsk): string | undefined {
  const server = { now, random: seededRandom('psk names server'), externalPsks: { keys: [admin, guest, alice, bomAlice] } };
  const client = { now, random: seededRandom('psk names client'), externalPsks: { keys: [psk] } };
  const pair = new InMemoryPair(client, server).run();
  const peer = pair.server.info.peer;
  return peer?.kind === 'psk' ? peer.identity : undefined;
}

describe('external PSK identity names (RFC 8446 §4.2.11)', () => {
  it('never reports the holder of a printable identity under the name of a binary one', () => {
    const asAdmin = reportedAs(admin);
    const asGuest = reportedAs(guest);
    expect(asAdmin).toBeDefined();
    expect(asGuest).toBeDefined();
    expect(asGuest).not.toBe(asAdmin);
  });

  it('never reports the holder of an identity that starts with a byte order mark as the identity without it', () => {
    const asAlice = reportedAs(alice);
    const asBomAlice = reportedAs(bomAlice);
    expect(asAlice).toBe('alice');
    expect(asBomAlice).toBeDefined();
    expect(asBomAlice).not.toBe(asAlice);
  });
});
