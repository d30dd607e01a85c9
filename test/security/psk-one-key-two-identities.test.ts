// Attacker's script: a server holds a PSK per device (RFC 9257), and two identities were provisioned with one key (a
// copied line, or a "group key" given per-device names). The server looks a PSK up by the identity the client names
// and checks the binder with that PSK's key: alice, holding her own key, named bob and was reported as bob, since
// bob's key is hers. RFC 9257 §4: a PSK known to more than two parties identifies the group, never the peer; RFC 8446
// §4.2.11: a PSK is used with one hash, and two identities of one key may name two. Such a configuration is now a
// TypeError before anything is sent, in both roles.
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/crypto/random.js';
import { Connection } from '../../src/handshake/connection.js';
import type { ExternalPsk } from '../../src/handshake/external-psk.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { TEST_NOW } from '../../src/testing/certs.js';

const now = () => TEST_NOW;
const alice: ExternalPsk = { identity: 'alice', key: seededRandom('one key alice')(32) };
const bob: ExternalPsk = { identity: 'bob', key: seededRandom('one key bob')(32) };
/** bob's laptop, provisioned by mistake with alice's key (a copy: the same bytes in another array). */
const bobWithAlicesKey: ExternalPsk = { identity: 'bob-laptop', key: alice.key.slice() };

describe('one external PSK key under two identities', () => {
  it("a server given alice's key under another identity of bob's too is refused before it answers anyone", () => {
    expect(() => Connection.server({ now, random: seededRandom('one key s'), externalPsks: { keys: [alice, bobWithAlicesKey] } })).toThrow(
      new TypeError('externalPsks.keys[1].key: the key of keys[0] too, under another identity: whoever holds it would be reported as either (RFC 9257 §4)'),
    );
  });

  it("so alice, naming bob's laptop, is never reported as it: with distinct keys her binder fails (decrypt_error)", () => {
    const aliceAsBob = { now, random: seededRandom('one key c'), externalPsks: { keys: [{ identity: 'bob-laptop', key: alice.key }] } };
    const pair = new InMemoryPair(aliceAsBob, { now, random: seededRandom('one key s'), externalPsks: { keys: [alice, bob, { identity: 'bob-laptop', key: bob.key.map((b) => b ^ 1) }] } }).run();
    expect(pair.server.info.peer).toBeUndefined();
    expect(pair.events('server').flatMap((e) => (e.type === 'alert' && e.direction === 'out' ? [e.description] : []))).toEqual(['decrypt_error']);
  });

  it('the same key under two hashes and two identities is refused too, and so is a client holding one key twice', () => {
    expect(() => Connection.server({ now, externalPsks: { keys: [alice, { ...bobWithAlicesKey, hash: 'sha384' }] } })).toThrow(/keys\[1\]\.key: the key of keys\[0\] too/);
    expect(() => Connection.client({ now, externalPsks: { keys: [bob, alice, bobWithAlicesKey] } })).toThrow(/keys\[2\]\.key: the key of keys\[1\] too/);
  });
});
