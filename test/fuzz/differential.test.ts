// Differential testing against node:tls (OpenSSL): the same mutated ClientHellos go to an in-process
// node:tls server (TLS 1.3 only, over 127.0.0.1) and to our server. Each answer is classified as accept
// (a ServerHello or HelloRetryRequest record) or reject (the alert, or a silent close). Every disagreement
// must be in the documented allow-list below (docs/robustness.md explains each); a new one fails the test.
import { generateKeyPairSync } from 'node:crypto';
import { connect, type AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPrivateKey } from '../../src/auth/keys.js';
import { toPem } from '../../src/auth/pem.js';
import { seededRandom } from '../../src/crypto/random.js';
import { Connection } from '../../src/handshake/connection.js';
import { makeIdentity, TEST_NOW } from '../../src/testing/certs.js';
import { Prng } from '../../src/testing/fuzz/input.js';
import { alertDescriptionName, NamedGroup } from '../../src/wire/enums.js';

const MUTATIONS = 200;

/** Allowed disagreements, by the field of the flipped bit: `field: ours | node`. See docs/robustness.md. */
const ALLOWED: ReadonlySet<string> = new Set([
  // A flipped legacy_record_version: RFC 8446 §5.1 says it "MUST be ignored for all purposes"; OpenSSL
  // closes the connection without an alert when the major version is not 3.
  'record header: accept | close',
  // A host_name byte with the high bit set: RFC 6066 §3 HostName is ASCII, so we refuse it (decode_error);
  // OpenSSL does not look inside the name.
  'client_hello.extensions[].server_name.server_name_list[].host_name: alert:decode_error | accept',
  // A host_name byte flipped into printable ASCII that no DNS name holds ('$', '.' at the end, an empty label):
  // we refuse a HostName that is no DNS name (illegal_parameter, as rustls); OpenSSL does not look inside it.
  'client_hello.extensions[].server_name.server_name_list[].host_name: alert:illegal_parameter | accept',
  // An extension type flipped into another one we know whose syntax the body does not fit (e.g.
  // psk_key_exchange_modes 01 01 read as a cookie of 257 bytes): we decode every known extension and refuse
  // a malformed one (RFC 8446 §6.2 decode_error); OpenSSL does not look at a cookie it did not ask for.
  'client_hello.extensions[].type: alert:decode_error | accept',
]);

const { privateKey } = generateKeyPairSync('ed25519');
const keyDer = new Uint8Array(privateKey.export({ format: 'der', type: 'pkcs8' }));
const identity = makeIdentity({ subject: { CN: 'diff.test' }, sans: { dns: ['diff.test'] }, privateKey: loadPrivateKey(keyDer) }, seededRandom('diff'));

let server: Server;
let port: number;

beforeAll(async () => {
  server = createServer({ key: privateKey.export({ format: 'pem', type: 'pkcs8' }), cert: toPem('CERTIFICATE', identity.der), minVersion: 'TLSv1.3' });
  server.on('tlsClientError', () => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** accept, alert:<name>, or close (no answer). */
function classify(answer: Uint8Array): string {
  if (answer.length >= 5 && answer[0] === 0x16) return 'accept';
  if (answer.length >= 7 && answer[0] === 0x15) return `alert:${alertDescriptionName(answer[6]!)}`;
  return 'close';
}

function askNode(hello: Uint8Array): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let received = new Uint8Array(0);
    const done = () => {
      socket.destroy();
      resolve(classify(received));
    };
    socket.setTimeout(1500, done);
    socket.on('data', (chunk) => {
      received = new Uint8Array([...received, ...chunk]);
      if (received.length >= 7) done();
    });
    socket.on('close', done);
    socket.on('error', done);
    socket.write(hello);
  });
}

function askOurs(hello: Uint8Array): string {
  const ours = Connection.server({ certificate: identity, random: seededRandom('ours'), now: () => TEST_NOW });
  ours.receive(hello);
  return classify(ours.takeOutput());
}

describe('differential: mutated ClientHellos, node:tls vs ours', () => {
  it(`agrees with node:tls on ${MUTATIONS} bit flips, except for the documented disagreements`, async () => {
    // Groups both sides implement: Node 20's OpenSSL 3.0 has no X25519MLKEM768 and would ignore that share,
    // so flips inside it (most of a default ClientHello) would compare our checks with nothing.
    const groups = [NamedGroup.x25519, NamedGroup.secp256r1, NamedGroup.secp384r1];
    const client = Connection.client({ trust: { kind: 'pinned-certificate', certificates: [identity.der] }, now: () => TEST_NOW, serverName: 'diff.test', random: seededRandom('diff-client'), trace: true, groups });
    const hello = client.takeOutput();
    const event = client.takeEvents().find((e) => e.type === 'handshake-message');
    const spans = event?.type === 'handshake-message' ? (event.spans ?? []) : [];
    /** The innermost annotated field at a byte of the ClientHello record (spans count from the message body). */
    const fieldAt = (index: number) => {
      if (index < 5) return 'record header';
      if (index < 9) return 'handshake header';
      const offset = index - 9;
      const covering = spans.filter((s) => s.offset <= offset && offset < s.offset + s.length).sort((a, b) => a.length - b.length);
      return covering[0]!.path.replace(/\[\d+\]/g, '[]');
    };
    expect(await askNode(hello)).toBe('accept');
    expect(askOurs(hello)).toBe('accept');

    const prng = new Prng(8446);
    const rows = new Map<string, number>();
    for (let i = 0; i < MUTATIONS; i++) {
      const at = prng.below(hello.length);
      const mutated = hello.slice();
      mutated[at]! ^= 1 << prng.below(8);
      const [theirs, ours] = [await askNode(mutated), askOurs(mutated)];
      if (theirs === ours || (theirs.startsWith('alert') && ours.startsWith('alert') && theirs !== 'accept')) continue;
      const key = `${fieldAt(at)}: ${ours} | ${theirs}`;
      rows.set(key, (rows.get(key) ?? 0) + 1);
    }
    const table = [...rows].sort().map(([key, n]) => `${String(n).padStart(4)}  ${key}`);
    console.log(`field: ours | node:tls (count)\n${table.join('\n')}`);
    expect([...rows.keys()].filter((k) => !ALLOWED.has(k))).toEqual([]);
  });
});
