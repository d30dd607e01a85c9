// Attacker's script against a server holding many external PSKs (RFC 8446 §4.2.11, RFC 9257: one per device
// is the usual deployment). Each offered identity was looked up by comparing it with every key we hold, three
// times over (the suite choice, the PSK choice, the alert without a certificate): a ClientHello naming 1,100
// unknown identities of the keys' own shape cost 11 million comparisons against 10,000 keys, 660 to 890 ms of
// CPU (31 ms for one identity), and the work grows with the product of the two. Our keys are found by identity
// in one lookup each.
import { describe, expect, it, vi } from 'vitest';
import { seededRandom } from '../../src/crypto/random.js';
import type { ExternalPsk } from '../../src/handshake/external-psk.js';
import { InMemoryPair, type Flight } from '../../src/handshake/pair.js';
import { makeIdentity, TEST_NOW } from '../../src/testing/certs.js';
import { editPlaintextHandshake } from '../../src/testing/tamper.js';
import { utf8 } from '../../src/wire/bytes.js';
import { ExtensionType } from '../../src/wire/enums.js';
import * as X from '../../src/wire/extensions.js';

/** Calls of equalBytes, the engine's comparison of byte strings: a scan written another way would escape this count. */
const compared = vi.hoisted(() => ({ count: 0 }));
vi.mock('../../src/wire/bytes.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../src/wire/bytes.js')>();
  return { ...actual, equalBytes: (a: Uint8Array, b: Uint8Array) => (compared.count++, actual.equalBytes(a, b)) };
});

const serverIdentity = makeIdentity({ subject: { CN: 'server' } }, seededRandom('psk-lookup server'));
const device = (i: number): ExternalPsk => ({ identity: `device-${String(i).padStart(9, '0')}`, key: new Uint8Array(32).fill(i & 0xff).map((b, j) => b ^ j ^ (j === 0 ? i >> 8 : 0)) });
const KEYS = Array.from({ length: 10_000 }, (_, i) => device(i));
const now = () => TEST_NOW;

/** The client's ClientHello with its one PSK replaced by `count` identities of ours in shape, none ours in fact. */
function unknownIdentities(count: number) {
  return (flight: Flight) =>
    flight.from === 'client'
      ? editPlaintextHandshake(flight.bytes, (ms) =>
          ms.map((m) => {
            if (m.kind !== 'client_hello') return m;
            const identities = Array.from({ length: count }, (_, i) => ({ identity: utf8.encode(device(100_000_000 + i).identity as string), obfuscatedTicketAge: 0 }));
            const psk = X.ext(ExtensionType.pre_shared_key, X.preSharedKeyClientHello.encode({ identities, binders: identities.map(() => new Uint8Array(32)) }));
            return { ...m, extensions: [...m.extensions.filter((e) => e.type !== ExtensionType.pre_shared_key && e.type !== ExtensionType.padding), psk] };
          }),
        )
      : flight.bytes;
}

describe('a server with 10,000 external PSKs', () => {
  it('looks up 1,100 unknown identities without comparing each with every key, then goes on with its certificate', () => {
    const pair = new InMemoryPair(
      { now, random: seededRandom('psk-lookup c'), externalPsks: { keys: [device(0)] }, trust: { kind: 'pinned-certificate', certificates: [serverIdentity.der] } },
      { now, random: seededRandom('psk-lookup s'), certificate: serverIdentity, externalPsks: { keys: KEYS } },
      { tamper: unknownIdentities(1100) },
    );
    compared.count = 0;
    pair.run();
    // No PSK of ours: the server authenticates with its certificate (the edit then breaks the transcript,
    // which the first protected record shows: bad_record_mac, RFC 8446 §5.2).
    const sent = pair.events('server').flatMap((e) => (e.type === 'handshake-message' && e.direction === 'out' ? [e.message.kind] : []));
    expect(sent).toEqual(expect.arrayContaining(['server_hello', 'certificate', 'certificate_verify']));
    expect(pair.server.info.peer).toBeUndefined();
    expect(compared.count).toBeLessThan(10_000); // before: 11 million (1,100 identities x 10,000 keys, and again)
  });

  it('finds the last of its keys and answers unknown_psk_identity for none of them, without a certificate', () => {
    const last = KEYS[KEYS.length - 1]!;
    const resumed = new InMemoryPair({ now, random: seededRandom('psk-lookup c2'), externalPsks: { keys: [last] } }, { now, random: seededRandom('psk-lookup s2'), externalPsks: { keys: KEYS } }).run();
    expect(resumed.server.isConnected).toBe(true);
    expect(resumed.server.info.peer).toMatchObject({ kind: 'psk', identity: last.identity });
    const stranger = new InMemoryPair({ now, random: seededRandom('psk-lookup c3'), externalPsks: { keys: [device(100_000_001)] } }, { now, random: seededRandom('psk-lookup s3'), externalPsks: { keys: KEYS } }).run();
    expect(stranger.events('server').filter((e) => e.type === 'alert' && e.direction === 'out')).toMatchObject([{ description: 'unknown_psk_identity' }]);
  });
});
