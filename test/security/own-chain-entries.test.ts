// Attacker's test (the application's own configuration as the fault, docs/robustness.md's one-line TypeError rule):
// a certificate chain whose entry does not parse: after the leaf (session 15), or the leaf itself (session 16, below).
// First, an entry after the leaf. Config validation parsed only the leaf, so
// Connection.client took it; when a CertificateRequest named CAs, the client parsed its chain to match
// certificate_authorities (client-certificate.ts) and sent bad_certificate: our configuration reported to the
// peer as the peer's fault. A server's chain went out as it was, and a peer that parses every entry (OpenSSL)
// refuses it with bad_certificate. Every entry is now parsed when the connection is made: a TypeError naming
// the entry, before anything is sent; the node adapter (`cert`) and the CLI (`--cert`) already refused it.
//
// The leaf (or raw public key) our parser does not take: config validation read the leaf only to compare its key
// with the private key, and let one that did not parse through ("left to the peer to refuse"): the server sent it in
// every handshake and the client refused it with bad_certificate, our configuration reported as the peer's fault; a
// client did the same after a CertificateRequest. A `signer` config (no privateKey) was not read at all, nor an RFC
// 7250 raw key's SPKI, and a raw key marked `rawPublicKey: true` in the X.509 `certificate` field went out as a
// certificate. The leaf is now parsed (as an SPKI for a raw key) when the connection is made, the same TypeError.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { toPem } from '../../src/auth/pem.js';
import { encodePkcs8, encodeSpki } from '../../src/auth/keys.js';
import { nobleProvider } from '../../src/crypto/noble.js';
import { seededRandom } from '../../src/crypto/random.js';
import type { CertifiedKey, ClientConfig, RawPublicKeyIdentity, ServerConfig } from '../../src/handshake/config.js';
import { Connection } from '../../src/handshake/connection.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { connect, createServer } from '../../src/node/adapter.js';
import { makeIdentity, signingWithAnotherKey, TEST_NOW, withUndecodableName } from '../../src/testing/certs.js';
import { runCli } from '../cli/helpers.js';

const random = seededRandom('own chain entries');
const ca = makeIdentity({ subject: { CN: 'Own CA' }, isCA: true, keyUsage: ['keyCertSign'] }, random);
const alice = makeIdentity({ subject: { CN: 'alice' }, issuer: ca, extKeyUsage: ['clientAuth'] }, random);
const server = makeIdentity({ subject: { CN: 'server' }, issuer: ca, sans: { dns: ['server.example'] }, extKeyUsage: ['serverAuth'] }, random);
/** What a user can paste by mistake: a truncated certificate, bytes that are no DER, a name DER cannot hold. */
const BROKEN: Array<[string, Uint8Array]> = [
  ['a truncated certificate', ca.der.subarray(0, ca.der.length - 10)],
  ['bytes that are no DER', Uint8Array.of(0x42, 0x42, 0x42)],
  ['a name character beyond U+10FFFF', withUndecodableName(makeIdentity({ subject: { CN: 'Junk' }, issuer: ca, isCA: true }, random).der, 'Junk')],
];

const clientConfig = (certificate: ClientConfig['certificate'], rest: Partial<ClientConfig> = {}): ClientConfig => ({
  trust: { kind: 'ca', anchors: [ca.der] }, serverName: 'server.example', now: () => TEST_NOW, random: seededRandom('c'), certificate, ...rest,
});
const serverConfig = (certificate: CertifiedKey | undefined, rest: Partial<ServerConfig> = {}): ServerConfig => ({
  certificate, clientAuth: 'require', trust: { kind: 'ca', anchors: [ca.der] }, now: () => TEST_NOW, random: seededRandom('s'), tickets: { count: 0 }, ...rest,
});

/** The TypeError `make` threw, checked to be one line. */
function refusal(make: () => unknown): TypeError {
  let thrown: unknown;
  try {
    make();
  } catch (e) {
    thrown = e;
  }
  expect(thrown).toBeInstanceOf(TypeError);
  expect((thrown as Error).message).not.toContain('\n');
  return thrown as TypeError;
}

describe('a configured chain with an entry after the leaf that does not parse', () => {
  it.each(BROKEN)('%s: Connection.client throws a TypeError naming the entry (was bad_certificate to the server)', (_what, broken) => {
    expect(refusal(() => Connection.client(clientConfig({ ...alice, chain: [alice.der, ca.der, broken] }))).message).toMatch(/^certificate\.chain\[2\] is not a certificate we can parse: /);
    expect(refusal(() => Connection.client(clientConfig([alice, { ...alice, chain: [alice.der, broken] }]))).message).toMatch(/^certificate\[1\]\.chain\[1\] is not a certificate we can parse: /);
  });

  it.each(BROKEN)('%s: Connection.server throws a TypeError naming the entry', (_what, broken) => {
    expect(refusal(() => Connection.server(serverConfig({ ...server, chain: [server.der, broken] }))).message).toMatch(/^certificate\.chain\[1\] is not a certificate we can parse: /);
  });

  it.each([
    ['after the leaf', [alice.der, BROKEN[1]![1]], /^certificate\.chain\[1\] /],
    ['the leaf', [BROKEN[0]![1], ca.der], /^certificate\.chain\[0\] /],
  ])("a client-certificate decision's answer with a broken entry %s: a TypeError, the decision still pending, nothing sent; the right chain then connects", (_where, chain, refused) => {
    const pair = new InMemoryPair(clientConfig('ask'), serverConfig(server)).run();
    expect(pair.client.pendingDecision?.kind).toBe('client-certificate');
    expect(refusal(() => pair.client.resolve({ kind: 'client-certificate', certificate: { ...alice, chain } })).message).toMatch(refused);
    expect(pair.client.pendingDecision?.kind).toBe('client-certificate');
    expect(pair.client.takeOutput()).toHaveLength(0);
    pair.client.resolve({ kind: 'client-certificate', certificate: { ...alice, chain: [alice.der, ca.der] } });
    pair.run();
    expect(pair.server.info.peer?.subject).toBe('CN=alice');
    expect(pair.events('client').some((e) => e.type === 'alert')).toBe(false);
  });

  it('the chain that parses still connects, the server naming the CA it trusts', () => {
    const pair = new InMemoryPair(clientConfig({ ...alice, chain: [alice.der, ca.der] }), serverConfig({ ...server, chain: [server.der, ca.der] })).run();
    expect(pair.client.info.peer?.subject).toBe('CN=server');
    expect(pair.server.info.peer?.subject).toBe('CN=alice');
  });

  it("the node adapter refuses it in `cert` (TypeError, no connection) and in the engine's own `certificate`", () => {
    const [, broken] = BROKEN[0]!;
    const pem = toPem('CERTIFICATE', alice.der) + toPem('CERTIFICATE', broken);
    expect(refusal(() => connect({ host: '127.0.0.1', port: 1, servername: 'server.example', ca: toPem('CERTIFICATE', ca.der), cert: pem, key: toPem('PRIVATE KEY', encodePkcs8(alice.privateKey)) })).message).toMatch(/^cert\[0\]: not a certificate: /);
    expect(refusal(() => createServer({ certificate: { ...server, chain: [server.der, broken] } })).message).toMatch(/certificate\.chain\[1\] is not a certificate we can parse/);
  });

  it('tls13 connect --cert with such a file: one line, exit 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tls13-own-chain-'));
    const cert = join(dir, 'alice.pem');
    const key = join(dir, 'alice.key');
    writeFileSync(cert, toPem('CERTIFICATE', alice.der) + toPem('CERTIFICATE', BROKEN[0]![1]));
    writeFileSync(key, toPem('PRIVATE KEY', encodePkcs8(alice.privateKey)));
    const { code, stdout, stderr } = await runCli(['connect', '127.0.0.1:1', '--cert', cert, '--key', key]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(new RegExp(`^tls13: --cert ${cert}: .*\\n$`));
  });
});

/** The same mistakes in place of the leaf, and the empty SEQUENCE once used as a placeholder for a chain never sent. */
const LEAVES: Array<[string, Uint8Array]> = [...BROKEN, ['the empty SEQUENCE', Uint8Array.of(0x30, 0x00)]];
const spkiOf = (key: typeof alice.privateKey) => encodeSpki(nobleProvider.publicKeyOf(key));

describe('a configured leaf that does not parse', () => {
  it.each(LEAVES)('%s: Connection.server throws a TypeError naming chain[0] (was sent, and refused by the client with bad_certificate)', (_what, leaf) => {
    const message = refusal(() => Connection.server(serverConfig({ ...server, chain: [leaf, ca.der] }))).message;
    expect(message).toMatch(/^certificate\.chain\[0\] is not a certificate we can parse: /);
  });

  it.each(LEAVES)('%s: Connection.client throws a TypeError naming chain[0], alone or in a list', (_what, leaf) => {
    expect(refusal(() => Connection.client(clientConfig({ ...alice, chain: [leaf, ca.der] }))).message).toMatch(/^certificate\.chain\[0\] is not a certificate we can parse: /);
    expect(refusal(() => Connection.client(clientConfig([alice, { ...alice, chain: [leaf] }]))).message).toMatch(/^certificate\[1\]\.chain\[0\] is not a certificate we can parse: /);
  });

  it('a `signer` config, which has no privateKey to compare with the leaf: refused the same', () => {
    const [, leaf] = LEAVES[1]!;
    const signing = signingWithAnotherKey([leaf], server.privateKey, seededRandom('signer'));
    expect(refusal(() => Connection.server(serverConfig(signing))).message).toMatch(/^certificate\.chain\[0\] is not a certificate we can parse: /);
  });
});

describe('a configured raw public key (RFC 7250) that is no SubjectPublicKeyInfo', () => {
  const rawCertified = (spki: Uint8Array, signer = false): CertifiedKey =>
    signer ? { chain: [spki], rawPublicKey: true, signer: () => new Uint8Array(64) } : { chain: [spki], rawPublicKey: true, privateKey: server.privateKey };

  it.each([
    ['a certificate in place of the SPKI', server.der],
    ['a truncated SPKI', spkiOf(server.privateKey).subarray(0, 20)],
    ['bytes that are no DER', Uint8Array.of(0x42, 0x42, 0x42)],
  ])('%s: a TypeError naming it, for a CertifiedKey (with a key or a signer) and for rawPublicKey.spki', (_what, spki) => {
    for (const signer of [false, true]) {
      expect(refusal(() => Connection.server(serverConfig(rawCertified(spki, signer)))).message).toMatch(/^certificate\.chain\[0\] is not a SubjectPublicKeyInfo we can parse: /);
    }
    const identity: RawPublicKeyIdentity = { spki, signer: () => new Uint8Array(64) };
    expect(refusal(() => Connection.server(serverConfig(undefined, { rawPublicKey: identity }))).message).toMatch(/^rawPublicKey\.spki is not a SubjectPublicKeyInfo we can parse: /);
    expect(refusal(() => Connection.client(clientConfig(undefined, { rawPublicKey: identity, clientCertificateTypes: ['raw-public-key'] }))).message).toMatch(/^rawPublicKey\.spki is not a SubjectPublicKeyInfo we can parse: /);
  });

  it("a raw key marked so in the X.509 `certificate` field: refused (it went out as a certificate where X.509 was negotiated)", () => {
    expect(refusal(() => Connection.server(serverConfig(rawCertified(spkiOf(server.privateKey))))).message).toMatch(/^certificate\.rawPublicKey: certificate is sent as an X\.509 chain/);
    expect(refusal(() => Connection.client(clientConfig([alice, rawCertified(spkiOf(server.privateKey))]))).message).toMatch(/^certificate\[1\]\.rawPublicKey: /);
  });

  it('an SPKI that parses still connects as a raw key', () => {
    const pair = new InMemoryPair(
      clientConfig(undefined, { trust: { kind: 'pinned-key', keys: [spkiOf(server.privateKey)] }, serverCertificateTypes: ['raw-public-key'] }),
      serverConfig(undefined, { rawPublicKey: { privateKey: server.privateKey, spki: spkiOf(server.privateKey) }, clientAuth: 'none' }),
    ).run();
    expect(pair.client.info).toMatchObject({ serverCertificateType: 'raw-public-key' });
    expect(pair.client.isConnected).toBe(true);
  });
});

describe('through the node adapter and the CLI', () => {
  it("createServer and connect refuse it in the engine's own `certificate` (TypeError, before any socket), as in `cert`", () => {
    const [, leaf] = LEAVES[0]!;
    expect(refusal(() => createServer({ certificate: { ...server, chain: [leaf, ca.der] } })).message).toMatch(/^certificate\.chain\[0\] is not a certificate we can parse/);
    const key = toPem('PRIVATE KEY', encodePkcs8(alice.privateKey));
    expect(refusal(() => connect({ host: '127.0.0.1', port: 1, servername: 'server.example', ca: toPem('CERTIFICATE', ca.der), cert: toPem('CERTIFICATE', LEAVES[0]![1]), key })).message).toMatch(/^cert\[0\]: not a certificate: /);
  });

  it('tls13 serve --cert with such a leaf: one line, exit 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tls13-own-leaf-'));
    const cert = join(dir, 'server.pem');
    const key = join(dir, 'server.key');
    writeFileSync(cert, toPem('CERTIFICATE', LEAVES[0]![1]) + toPem('CERTIFICATE', ca.der));
    writeFileSync(key, toPem('PRIVATE KEY', encodePkcs8(server.privateKey)));
    const { code, stdout, stderr } = await runCli(['serve', '--port', '0', '--cert', cert, '--key', key]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(new RegExp(`^tls13: --cert ${cert}: .*\\n$`));
  });
});
