// ML-DSA authentication (draft-ietf-tls-mldsa, RFC 9881) between us and node:tls under Node 26 (OpenSSL 3.5),
// over TCP on 127.0.0.1, in both directions and with client certificates: an ML-DSA CA of ours, ML-DSA leaves
// at each level, made by our builder and read by OpenSSL; ML-DSA keys made by OpenSSL and read by us. Also
// what OpenSSL 3.5 offers by default, which docs/ml-dsa.md's decision rests on. Skips loudly without the
// binary; fails under REQUIRE_INTEROP=1.
import { afterAll, describe, expect, it } from 'vitest';
import { encodeSpki, loadPrivateKey } from '../../src/auth/keys.js';
import { connect } from '../../src/node/adapter.js';
import { DEFAULT_SIGNATURE_SCHEMES } from '../../src/handshake/config.js';
import { seededRandom } from '../../src/crypto/random.js';
import { nobleProvider } from '../../src/crypto/noble.js';
import { scratchDirectory, spawnBounded } from '../../src/testing/interop.js';
import { DAY, makeIdentity, type Identity } from '../../src/testing/certs.js';
import { SignatureScheme } from '../../src/wire/enums.js';
import { certPem, keyPem, pongServer, readAll } from '../node/fixtures.js';
import { closedAfterEach, node26Client, node26Server, requireNode26 } from './node26-peer.js';

const scratch = scratchDirectory('tls13-lab-node26-mldsa-');
afterAll(scratch.remove);
const { peers, servers, sockets } = closedAfterEach();

const random = seededRandom('node26 ml-dsa');
const validity = { notBefore: Date.now() - DAY, notAfter: Date.now() + 30 * DAY };
const ML_DSA_SCHEMES = [SignatureScheme.mldsa65, SignatureScheme.mldsa87, SignatureScheme.mldsa44];
const WITH_ML_DSA = [...ML_DSA_SCHEMES, ...DEFAULT_SIGNATURE_SCHEMES];

const ca = makeIdentity({ subject: { CN: 'tls13-lab ML-DSA-65 CA' }, keyType: 'ml-dsa-65', isCA: true, keyUsage: ['keyCertSign'], ...validity }, random);
const caFile = scratch.file('mldsa-ca.pem', certPem(ca));
const LEVELS = [
  { type: 'ml-dsa-44', scheme: 'mldsa44', node: 'ml-dsa-44' },
  { type: 'ml-dsa-65', scheme: 'mldsa65', node: 'ml-dsa-65' },
  { type: 'ml-dsa-87', scheme: 'mldsa87', node: 'ml-dsa-87' },
] as const;
let serial = 10n;
const leaf = (cn: string, type: (typeof LEVELS)[number]['type'], eku: 'serverAuth' | 'clientAuth') =>
  makeIdentity({ subject: { CN: cn }, sans: { dns: [cn] }, extKeyUsage: [eku], keyType: type, issuer: ca, serial: serial++, ...validity }, random);
const files = (name: string, identity: Identity) => ({ certFile: scratch.file(`${name}.pem`, certPem(identity)), keyFile: scratch.file(`${name}.key`, keyPem(identity)) });

describe.each(LEVELS)('$type certificates with node:tls 26 (OpenSSL 3.5)', ({ type, scheme, node }) => {
  const server = leaf('localhost', type, 'serverAuth');
  const client = leaf('alice', type, 'clientAuth');

  it(`our client authenticates a node:tls 26 server by ${scheme} under our ML-DSA CA, and answers its CertificateRequest by ${scheme}`, async (test) => {
    const binary = requireNode26(test);
    const peer = await node26Server(binary, { ...files(`server-${type}`, server), caFile, requestCert: true });
    peers.push(peer);
    const socket = connect({ host: 'localhost', port: peer.port, trust: { kind: 'ca', anchors: [ca.der] }, signatureSchemes: WITH_ML_DSA, certificate: client });
    sockets.push(socket);
    socket.end('ping');
    expect(await readAll(socket)).toBe('pong: ping');
    expect(socket.info.signatureScheme).toBe(scheme);
    expect(socket.info.peer?.keyType).toBe(type.toUpperCase());
    expect(socket.info.clientAuth).toBe('authenticated');
    await peer.child.exited;
    expect(peer.secure()).toMatchObject({ protocol: 'TLSv1.3', peerKeyType: node, authorized: true });
  });

  it(`a node:tls 26 client authenticates our server by ${scheme}, and itself by ${scheme} to our CertificateRequest`, async (test) => {
    const binary = requireNode26(test);
    const ours = await pongServer({ certificate: server, signatureSchemes: WITH_ML_DSA, clientAuth: 'require', trust: { kind: 'ca', anchors: [ca.der] } });
    servers.push(ours.server);
    const peer = node26Client(binary, ours.port, { caFile, ...files(`client-${type}`, client) });
    peers.push(peer);
    await peer.child.exited;
    expect(ours.errors).toEqual([]);
    expect(peer.events().find((e) => e.event === 'data')?.text).toBe('pong: ping');
    expect(peer.secure()).toMatchObject({ protocol: 'TLSv1.3', peerKeyType: node, authorized: true });
    const [{ socket }] = ours.sockets as [(typeof ours.sockets)[0]];
    expect(socket.info.signatureScheme).toBe(scheme);
    expect(socket.info.clientAuth).toBe('authenticated');
    expect(socket.info.peer?.keyType).toBe(type.toUpperCase());
  });
});

describe('ML-DSA keys OpenSSL 3.5 makes', () => {
  it.for(LEVELS)('$type: we read its PKCS#8 and SPKI, and OpenSSL verifies what we sign with the key', async ({ type }, test) => {
    const binary = requireNode26(test);
    const script = `
      const c = require('node:crypto');
      const { privateKey, publicKey } = c.generateKeyPairSync('${type}');
      console.log(JSON.stringify({
        pkcs8: privateKey.export({ format: 'der', type: 'pkcs8' }).toString('hex'),
        spki: publicKey.export({ format: 'der', type: 'spki' }).toString('hex'),
      }));`;
    const child = spawnBounded(binary, ['-e', script], { timeoutMs: 15_000 });
    await child.exited;
    const { pkcs8, spki } = JSON.parse(child.stdout()) as { pkcs8: string; spki: string };
    const key = loadPrivateKey(Buffer.from(pkcs8, 'hex'));
    expect(key).toMatchObject({ kind: 'ml-dsa', parameterSet: type.toUpperCase() });
    const publicKey = nobleProvider.publicKeyOf(key);
    expect(Buffer.from(encodeSpki(publicKey)).toString('hex')).toBe(spki);
    // OpenSSL verifies our signature with its own key object, made from the SPKI it wrote.
    const message = Buffer.from('TLS 1.3, server CertificateVerify');
    const signature = nobleProvider.sign({ kind: 'ml-dsa', parameterSet: key.kind === 'ml-dsa' ? key.parameterSet : 'ML-DSA-44' }, key, message, random);
    const verify = `
      const c = require('node:crypto');
      const key = c.createPublicKey({ key: Buffer.from('${spki}', 'hex'), format: 'der', type: 'spki' });
      console.log(c.verify(null, Buffer.from(process.argv[1], 'hex'), key, Buffer.from(process.argv[2], 'hex')));`;
    const verifier = spawnBounded(binary, ['-e', verify, message.toString('hex'), Buffer.from(signature).toString('hex')], { timeoutMs: 15_000 });
    await verifier.exited;
    expect(verifier.stdout().trim()).toBe('true');
  });
});

describe("what OpenSSL 3.5 offers by default (docs/ml-dsa.md's decision)", () => {
  it('a node:tls 26 client lists mldsa65, mldsa87, mldsa44 first in its default signature_algorithms (its trace)', async (test) => {
    const binary = requireNode26(test);
    const ours = await pongServer({ certificate: leaf('localhost', 'ml-dsa-65', 'serverAuth'), signatureSchemes: WITH_ML_DSA });
    servers.push(ours.server);
    const peer = node26Client(binary, ours.port, { caFile });
    peers.push(peer);
    await peer.child.exited;
    const hello = /ClientHello[\s\S]*?extension_type=signature_algorithms\(13\), length=\d+\n((?:\s+\S+ \(0x[0-9a-f]{4}\)\n)+)/.exec(peer.child.stderr());
    expect(hello).not.toBeNull();
    const schemes = [...hello![1]!.matchAll(/(\S+) \(0x[0-9a-f]{4}\)/g)].map((m) => m[1]);
    expect(schemes.slice(0, 3)).toEqual(['mldsa65', 'mldsa87', 'mldsa44']);
    expect(ours.sockets[0]?.socket.info.signatureScheme).toBe('mldsa65');
  });
});
