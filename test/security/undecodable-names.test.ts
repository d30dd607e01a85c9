// Attacker's script: a certificate whose name holds a UniversalString character beyond U+10FFFF (X.680 §41
// is UCS-4; Unicode ends at U+10FFFF). The DER decoder handed it to String.fromCodePoint, whose RangeError
// escaped every parser that catches only its own errors: an extra certificate in the peer's chain (which
// path building must simply never use) ended the handshake with internal_error, and a stapled OCSP
// response carrying one threw out of the config check. Now it is malformed DER like any other.
import { describe, expect, it } from 'vitest';
import { parseCertificate } from '../../src/auth/x509.js';
import { seededRandom } from '../../src/crypto/random.js';
import type { ClientConfig, ServerConfig } from '../../src/handshake/config.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { makeIdentity, TEST_NOW, withUndecodableName } from '../../src/testing/certs.js';
import { signingServer } from '../../src/testing/signing-server.js';
import { handshakeRewriter } from '../../src/testing/tamper.js';
import type { HandshakeMessage } from '../../src/wire/types.js';
import type { Role } from '../../src/handshake/events.js';

const random = seededRandom('undecodable names');
const ca = makeIdentity({ subject: { CN: 'Names CA' }, keyType: 'p256', isCA: true }, random);
const leaf = makeIdentity({ subject: { CN: 'victim.example' }, issuer: ca, serial: 2n, sans: { dns: ['victim.example'] }, extKeyUsage: ['serverAuth', 'clientAuth'], keyType: 'p256' }, random);
const junk = withUndecodableName(makeIdentity({ subject: { CN: 'Junk' }, issuer: ca, isCA: true, serial: 3n, keyType: 'p256' }, random).der, 'Junk');
const badLeaf = withUndecodableName(makeIdentity({ subject: { CN: 'evil' }, issuer: ca, serial: 4n, sans: { dns: ['victim.example'] }, keyType: 'p256' }, random).der, 'evil');

/** A handshake; `mitm` rewrites the first encrypted flight of one side, with that side's handshake keys. */
function connect(server: Partial<ServerConfig>, client: Partial<ClientConfig> = {}, mitm?: { from: Role; edit: (m: HandshakeMessage) => HandshakeMessage }) {
  const trust = { kind: 'ca' as const, anchors: [ca.der] };
  const rewriter = mitm && handshakeRewriter(() => pair, mitm.from, mitm.edit);
  const pair: InMemoryPair = new InMemoryPair(
    { trust, serverName: 'victim.example', now: () => TEST_NOW, random: seededRandom('c'), ...client },
    { certificate: leaf, now: () => TEST_NOW, random: seededRandom('s'), ...server },
    rewriter ? { tamper: rewriter.tamper } : {},
  );
  pair.run();
  const alerts = (side: 'client' | 'server') => pair.events(side).flatMap((e) => (e.type === 'alert' && e.direction === 'out' ? [e.description] : []));
  return { pair, client: alerts('client'), server: alerts('server') };
}

describe('a name character beyond U+10FFFF', () => {
  it('is malformed DER, not a RangeError', () => {
    expect(() => parseCertificate(junk)).toThrow(/UniversalString code point 110000 beyond U\+10FFFF/);
    expect(() => parseCertificate(junk)).not.toThrow(RangeError);
  });

  it("in an extra certificate of the server's chain: never used, the handshake connects (was internal_error)", () => {
    // Our server refuses such a chain in its config (own-chain-entries.test.ts): the attacker signs what it sends.
    const server = signingServer(() => pair, leaf.privateKey, (m) => ({ ...m, entries: [...m.entries, { data: junk, extensions: [] }] }));
    const pair: InMemoryPair = new InMemoryPair(
      { trust: { kind: 'ca', anchors: [ca.der] }, serverName: 'victim.example', now: () => TEST_NOW, random: seededRandom('c') },
      { certificate: leaf, now: () => TEST_NOW, random: seededRandom('s') },
      { tamper: server.tamper },
    );
    pair.run();
    expect(server.edited()).toBe(true);
    expect(pair.events('client').some((e) => e.type === 'alert')).toBe(false);
    expect(pair.client.info.peer?.chain).toHaveLength(2);
    expect(pair.client.info.peer?.verdict).toMatchObject({ trusted: true, rule: 'ca' });
  });

  it("in an extra certificate the client's chain gets in flight: the server judges the rest (was internal_error)", () => {
    // The man in the middle holds the client's handshake keys; the server still finds the signed transcript changed.
    const addJunk = (m: HandshakeMessage) => (m.kind === 'certificate' ? { ...m, entries: [...m.entries, { data: junk, extensions: [] }] } : m);
    const run = connect({ clientAuth: 'require', trust: { kind: 'ca', anchors: [ca.der] } }, { certificate: leaf }, { from: 'client', edit: addJunk });
    expect(run.server).toEqual(['decrypt_error']);
  });

  it('in the leaf: bad_certificate', () => {
    const replaceLeaf = (m: HandshakeMessage) => (m.kind === 'certificate' ? { ...m, entries: [{ data: badLeaf, extensions: [] }] } : m);
    expect(connect({}, {}, { from: 'server', edit: replaceLeaf }).client).toEqual(['bad_certificate']);
  });
});
