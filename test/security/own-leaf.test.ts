// Attacker's test (the application's own configuration as the fault, docs/robustness.md's one-line TypeError rule):
// a configured leaf (or raw public key) that our parser does not take. Config validation read the leaf only to
// compare its key with the private key, and let one that did not parse through ("left to the peer to refuse"):
// the server sent it in every handshake and the client refused it with bad_certificate, our configuration
// reported as the peer's fault; a client did the same after a CertificateRequest. A `signer` config (no
// privateKey) was not read at all. The leaf is now parsed (as an SPKI for RFC 7250 raw keys) when the connection is
// made: a TypeError naming it, before anything is sent, as the entries after it (own-chain-entries.test.ts).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodePkcs8, encodeSpki } from '../../src/auth/keys.js';
import { toPem } from '../../src/auth/pem.js';
import { nobleProvider } from '../../src/crypto/noble.js';
import { seededRandom } from '../../src/crypto/random.js';
import type { CertifiedKey, ClientConfig, RawPublicKeyIdentity, ServerConfig } from '../../src/handshake/config.js';
import { Connection } from '../../src/handshake/connection.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { connect, createServer } from '../../src/node/adapter.js';
import { makeIdentity, signingWithAnotherKey, TEST_NOW, withUndecodableName } from '../../src/testing/certs.js';
import { runCli } from '../cli/helpers.js';

const random = seededRandom('own leaf');
const ca = makeIdentity({ subject: { CN: 'Own CA' }, isCA: true, keyUsage: ['keyCertSign'] }, random);
const alice = makeIdentity({ subject: { CN: 'alice' }, issuer: ca, extKeyUsage: ['clientAuth'] }, random);
const server = makeIdentity({ subject: { CN: 'server' }, issuer: ca, sans: { dns: ['server.example'] }, extKeyUsage: ['serverAuth'] }, random);
/** What a user can paste by mistake, in place of the leaf: a truncated certificate, bytes that are no DER, a name DER cannot hold. */
const broken = (leaf: Uint8Array): Array<[string, Uint8Array]> => [
  ['a truncated leaf', leaf.subarray(0, leaf.length - 10)],
  ['bytes that are no DER', Uint8Array.of(0x42, 0x42, 0x42)],
  ['the empty SEQUENCE', Uint8Array.of(0x30, 0x00)],
  ['a name character beyond U+10FFFF', withUndecodableName(makeIdentity({ subject: { CN: 'Junk' }, issuer: ca }, random).der, 'Junk')],
];
const SERVER_LEAVES = broken(server.der);
const CLIENT_LEAVES = broken(alice.der);
const spkiOf = (key: typeof alice.privateKey) => encodeSpki(nobleProvider.publicKeyOf(key));

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

describe('a configured leaf that does not parse', () => {
  it.each(SERVER_LEAVES)('%s: Connection.server throws a TypeError naming chain[0] (was sent, and refused by the client with bad_certificate)', (_what, leaf) => {
    const message = refusal(() => Connection.server(serverConfig({ ...server, chain: [leaf, ca.der] }))).message;
    expect(message).toMatch(/^certificate\.chain\[0\] is not a certificate we can parse: /);
  });

  it.each(CLIENT_LEAVES)('%s: Connection.client throws a TypeError naming chain[0], alone or in a list', (_what, leaf) => {
    expect(refusal(() => Connection.client(clientConfig({ ...alice, chain: [leaf, ca.der] }))).message).toMatch(/^certificate\.chain\[0\] is not a certificate we can parse: /);
    expect(refusal(() => Connection.client(clientConfig([alice, { ...alice, chain: [leaf] }]))).message).toMatch(/^certificate\[1\]\.chain\[0\] is not a certificate we can parse: /);
  });

  it('a `signer` config, which has no privateKey to compare with the leaf: refused the same', () => {
    const [, leaf] = SERVER_LEAVES[1]!;
    const signing = signingWithAnotherKey([leaf], server.privateKey, seededRandom('signer'));
    expect(refusal(() => Connection.server(serverConfig(signing))).message).toMatch(/^certificate\.chain\[0\] is not a certificate we can parse: /);
  });

  it("a client-certificate decision's answer: a TypeError, the decision still pending, nothing sent; the right leaf then connects", () => {
    const pair = new InMemoryPair(clientConfig('ask'), serverConfig(server)).run();
    expect(pair.client.pendingDecision?.kind).toBe('client-certificate');
    const [, leaf] = CLIENT_LEAVES[0]!;
    expect(refusal(() => pair.client.resolve({ kind: 'client-certificate', certificate: { ...alice, chain: [leaf, ca.der] } })).message).toMatch(/^certificate\.chain\[0\] /);
    expect(pair.client.pendingDecision?.kind).toBe('client-certificate');
    expect(pair.client.takeOutput()).toHaveLength(0);
    pair.client.resolve({ kind: 'client-certificate', certificate: { ...alice, chain: [alice.der, ca.der] } });
    pair.run();
    expect(pair.server.info.peer?.subject).toBe('CN=alice');
    expect(pair.events('client').some((e) => e.type === 'alert')).toBe(false);
  });

  it('the leaf that parses still connects, both ways authenticated', () => {
    const pair = new InMemoryPair(clientConfig({ ...alice, chain: [alice.der, ca.der] }), serverConfig({ ...server, chain: [server.der, ca.der] })).run();
    expect(pair.client.info.peer?.subject).toBe('CN=server');
    expect(pair.server.info.peer?.subject).toBe('CN=alice');
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
    const [, leaf] = SERVER_LEAVES[0]!;
    expect(refusal(() => createServer({ certificate: { ...server, chain: [leaf, ca.der] } })).message).toMatch(/^certificate\.chain\[0\] is not a certificate we can parse/);
    const key = toPem('PRIVATE KEY', encodePkcs8(alice.privateKey));
    expect(refusal(() => connect({ host: '127.0.0.1', port: 1, servername: 'server.example', ca: toPem('CERTIFICATE', ca.der), cert: toPem('CERTIFICATE', CLIENT_LEAVES[0]![1]), key })).message).toMatch(/^cert\[0\]: not a certificate: /);
  });

  it('tls13 serve --cert with such a leaf: one line, exit 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tls13-own-leaf-'));
    const cert = join(dir, 'server.pem');
    const key = join(dir, 'server.key');
    writeFileSync(cert, toPem('CERTIFICATE', SERVER_LEAVES[0]![1]) + toPem('CERTIFICATE', ca.der));
    writeFileSync(key, toPem('PRIVATE KEY', encodePkcs8(server.privateKey)));
    const { code, stdout, stderr } = await runCli(['serve', '--port', '0', '--cert', cert, '--key', key]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(new RegExp(`^tls13: --cert ${cert}: .*\\n$`));
  });
});
