// Attacker's test (the application's own configuration as the fault, docs/robustness.md's one-line TypeError rule):
// a certificate chain whose entry after the leaf does not parse. Config validation parsed only the leaf, so
// Connection.client took it; when a CertificateRequest named CAs, the client parsed its chain to match
// certificate_authorities (client-certificate.ts) and sent bad_certificate: our configuration reported to the
// peer as the peer's fault. A server's chain went out as it was, and a peer that parses every entry (OpenSSL)
// refuses it with bad_certificate. Every entry is now parsed when the connection is made: a TypeError naming
// the entry, before anything is sent; the node adapter (`cert`) and the CLI (`--cert`) already refused it.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { toPem } from '../../src/auth/pem.js';
import { encodePkcs8 } from '../../src/auth/keys.js';
import { seededRandom } from '../../src/crypto/random.js';
import type { CertifiedKey, ClientConfig, ServerConfig } from '../../src/handshake/config.js';
import { Connection } from '../../src/handshake/connection.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { connect, createServer } from '../../src/node/adapter.js';
import { makeIdentity, TEST_NOW, withUndecodableName } from '../../src/testing/certs.js';
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

const clientConfig = (certificate: ClientConfig['certificate']): ClientConfig => ({
  trust: { kind: 'ca', anchors: [ca.der] }, serverName: 'server.example', now: () => TEST_NOW, random: seededRandom('c'), certificate,
});
const serverConfig = (certificate: CertifiedKey): ServerConfig => ({
  certificate, clientAuth: 'require', trust: { kind: 'ca', anchors: [ca.der] }, now: () => TEST_NOW, random: seededRandom('s'), tickets: { count: 0 },
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

  it("a client-certificate decision's answer: a TypeError, the decision still pending, nothing sent; the right chain then connects", () => {
    const pair = new InMemoryPair(clientConfig('ask'), serverConfig(server)).run();
    expect(pair.client.pendingDecision?.kind).toBe('client-certificate');
    const [, broken] = BROKEN[1]!;
    expect(refusal(() => pair.client.resolve({ kind: 'client-certificate', certificate: { ...alice, chain: [alice.der, broken] } })).message).toMatch(/^certificate\.chain\[1\] /);
    expect(pair.client.pendingDecision?.kind).toBe('client-certificate');
    expect(pair.client.takeOutput()).toHaveLength(0);
    pair.client.resolve({ kind: 'client-certificate', certificate: { ...alice, chain: [alice.der, ca.der] } });
    pair.run();
    expect(pair.server.info.peer?.subject).toBe('CN=alice');
    expect(pair.events('client').some((e) => e.type === 'alert')).toBe(false);
  });

  it('the chain that parses still connects, the server naming the CA it trusts', () => {
    const pair = new InMemoryPair(clientConfig({ ...alice, chain: [alice.der, ca.der] }), serverConfig({ ...server, chain: [server.der, ca.der] })).run();
    expect(pair.client.isConnected).toBe(true);
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
