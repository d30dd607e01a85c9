// The committed RFC 7250 vectors (vectors/rpk/*.json) three ways:
// 1. regenerated in memory, they equal the committed files byte for byte (the engine did not drift);
// 2. read with node:crypto alone, they are what they claim: the keys' SPKI and pins match their PKCS#8, the
//    records decrypt with the logged secrets (HKDF-Expand-Label and AES-128-GCM computed here), the
//    extensions say raw public key, each Certificate carries exactly the one SPKI, and each CertificateVerify
//    verifies with that key over the transcript hash;
// 3. cross-checked by a real peer: the same kind of handshake, with the vector's keys and configs, run against
//    gnutls-serv and gnutls-cli; a GnuTLS handshake cannot be deterministic, so what is compared is that both
//    implementations log the same secrets for the same connection, line for line.
import { createHash, createHmac, createDecipheriv, createPrivateKey, createPublicKey, verify } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { systemRandom } from '../../src/crypto/random.js';
import { connect, createServer, type Tls13Server, type Tls13Socket } from '../../src/node/adapter.js';
import { type BoundedChild, freePort, requireBinary, scratchDirectory, spawnBounded } from '../../src/testing/interop.js';
import { generateRpkVector, RPK_CLIENT_MESSAGE, RPK_SERVER_MESSAGE, RPK_VECTOR_NAMES, rpkVectorFile, rpkVectorSetup, type RpkVector } from '../../src/testing/rpk-vectors.js';
import { listen, readAll } from '../node/fixtures.js';

const committed = (name: string): string => readFileSync(new URL(`../../vectors/rpk/${name}.json`, import.meta.url), 'utf8');
const vectors = RPK_VECTOR_NAMES.map((name) => JSON.parse(committed(name)) as RpkVector);

describe('the committed raw-public-key vectors', () => {
  it.each(RPK_VECTOR_NAMES)('%s regenerates byte for byte', (name) => {
    expect(rpkVectorFile(generateRpkVector(name))).toBe(committed(name));
  });
});

// ---- an independent reader of a TLS 1.3 trace, on node:crypto only ----

const buf = (text: string) => Buffer.from(text, 'hex');

/** HKDF-Expand-Label (RFC 8446 §7.1) over SHA-256, with HMAC from node:crypto. */
function expandLabel(secret: Buffer, label: string, length: number): Buffer {
  const fullLabel = Buffer.from(`tls13 ${label}`);
  const info = Buffer.concat([Buffer.from([length >> 8, length & 0xff, fullLabel.length]), fullLabel, Buffer.from([0])]);
  let block = Buffer.alloc(0);
  const out: Buffer[] = [];
  for (let i = 1; Buffer.concat(out).length < length; i++) {
    block = createHmac('sha256', secret).update(Buffer.concat([block, info, Buffer.from([i])])).digest();
    out.push(block);
  }
  return Buffer.concat(out).subarray(0, length);
}

/** One decrypted record: its real content type and content (RFC 8446 §5.2, §5.3; AES-128-GCM). */
function decrypt(secret: Buffer, sequence: number, record: Buffer): { type: number; content: Buffer } {
  const key = expandLabel(secret, 'key', 16);
  const nonce = expandLabel(secret, 'iv', 12);
  for (let i = 0; i < 8; i++) nonce[11 - i]! ^= Number((BigInt(sequence) >> BigInt(8 * i)) & 0xffn);
  const decipher = createDecipheriv('aes-128-gcm', key, nonce);
  decipher.setAAD(record.subarray(0, 5));
  decipher.setAuthTag(record.subarray(record.length - 16));
  const inner = Buffer.concat([decipher.update(record.subarray(5, record.length - 16)), decipher.final()]);
  let end = inner.length - 1;
  while (inner[end] === 0) end--;
  return { type: inner[end]!, content: inner.subarray(0, end) };
}

interface Message {
  type: number;
  body: Buffer;
  raw: Buffer;
  from: 'client' | 'server';
}

/** The handshake messages and application data of a vector, in wire order, decrypted with its secrets. */
function readTrace(vector: RpkVector): { messages: Message[]; data: Record<'client' | 'server', string> } {
  const secret = (name: string) => buf(vector.secrets.find((s) => s.name === name)!.secret);
  const keys = {
    client: [secret('client_handshake_traffic_secret'), secret('client_application_traffic_secret_0')],
    server: [secret('server_handshake_traffic_secret'), secret('server_application_traffic_secret_0')],
  };
  const epoch = { client: 0, server: 0 };
  const sequence = { client: 0, server: 0 };
  const pending = { client: Buffer.alloc(0), server: Buffer.alloc(0) };
  const messages: Message[] = [];
  const data = { client: '', server: '' };
  for (const { from, hex } of vector.records) {
    const record = buf(hex);
    let type = record[0]!;
    let content: Buffer = record.subarray(5);
    if (type === 20) continue; // change_cipher_spec (middlebox compatibility), never protected
    if (type === 23) {
      ({ type, content } = decrypt(keys[from][epoch[from]]!, sequence[from]++, record));
    }
    if (type === 23) data[from] += content.toString('utf8');
    if (type !== 22) continue;
    pending[from] = Buffer.concat([pending[from], content]);
    while (pending[from].length >= 4) {
      const length = pending[from].readUIntBE(1, 3);
      if (pending[from].length < 4 + length) break;
      const raw = pending[from].subarray(0, 4 + length);
      pending[from] = pending[from].subarray(4 + length);
      messages.push({ type: raw[0]!, body: raw.subarray(4), raw, from });
      // After its Finished a side switches to its application traffic keys (RFC 8446 §7.2).
      if (raw[0] === 20) ((epoch[from] = 1), (sequence[from] = 0));
    }
  }
  return { messages, data };
}

/** Extensions of an EncryptedExtensions body: type -> data. */
function extensions(body: Buffer): Map<number, Buffer> {
  const found = new Map<number, Buffer>();
  for (let at = 2; at < 2 + body.readUInt16BE(0); ) {
    const length = body.readUInt16BE(at + 2);
    found.set(body.readUInt16BE(at), body.subarray(at + 4, at + 4 + length));
    at += 4 + length;
  }
  return found;
}

/** The entries of a Certificate body (RFC 8446 §4.4.2): certificate_request_context, then each entry's data. */
function certificateEntries(body: Buffer): { context: Buffer; entries: Buffer[] } {
  const context = body.subarray(1, 1 + body[0]!);
  let at = 1 + context.length;
  const end = at + 3 + body.readUIntBE(at, 3);
  at += 3;
  const entries: Buffer[] = [];
  while (at < end) {
    const length = body.readUIntBE(at, 3);
    entries.push(body.subarray(at + 3, at + 3 + length));
    at += 3 + length;
    at += 2 + body.readUInt16BE(at); // the entry's extensions
  }
  return { context, entries };
}

const SCHEMES: Record<number, string | null> = { 0x0807: null, 0x0403: 'sha256' };

/** Checks a side's Certificate (one SPKI) and its CertificateVerify over the transcript up to it. */
function expectRawKeyProof(messages: Message[], from: 'client' | 'server', spki: string): void {
  const certificateIndex = messages.findIndex((m) => m.from === from && m.type === 11);
  const certificate = messages[certificateIndex]!;
  const verifyMessage = messages[certificateIndex + 1]!;
  expect(verifyMessage.type).toBe(15);
  const { context, entries } = certificateEntries(certificate.body);
  expect(context.length).toBe(0);
  expect(entries.map((e) => e.toString('hex'))).toEqual([spki]);

  const transcript = createHash('sha256');
  for (const m of messages.slice(0, certificateIndex + 1)) transcript.update(m.raw);
  const signed = Buffer.concat([Buffer.alloc(64, 0x20), Buffer.from(`TLS 1.3, ${from} CertificateVerify`), Buffer.from([0]), transcript.digest()]);
  const scheme = verifyMessage.body.readUInt16BE(0);
  const signature = verifyMessage.body.subarray(4, 4 + verifyMessage.body.readUInt16BE(2));
  expect(Object.keys(SCHEMES).map(Number)).toContain(scheme);
  const publicKey = createPublicKey({ key: buf(spki), format: 'der', type: 'spki' });
  expect(verify(SCHEMES[scheme]!, signed, publicKey, signature)).toBe(true);
}

describe('the raw-public-key vectors read with node:crypto alone', () => {
  it.each(vectors.map((v) => [v.name, v] as const))('%s: keys, extensions, one SPKI per Certificate, CertificateVerify, application data', (_name, vector) => {
    for (const key of [vector.keys.server, vector.keys.client]) {
      if (!key) continue;
      const privateKey = createPrivateKey({ key: buf(key.pkcs8), format: 'der', type: 'pkcs8' });
      expect(createPublicKey(privateKey).export({ type: 'spki', format: 'der' }).toString('hex')).toBe(key.spki);
      expect(createHash('sha256').update(buf(key.spki)).digest('hex')).toBe(key.spkiSha256);
    }
    expect(vector.negotiated.cipherSuite).toBe('TLS_AES_128_GCM_SHA256');
    const { messages, data } = readTrace(vector);

    // server_certificate_type (20) and, when the client authenticates, client_certificate_type (19), each
    // answered in EncryptedExtensions with the single type 2, RawPublicKey (RFC 7250 §4.2).
    const encryptedExtensions = extensions(messages.find((m) => m.type === 8)!.body);
    expect(encryptedExtensions.get(20)?.toString('hex')).toBe('02');
    expect(encryptedExtensions.get(19)?.toString('hex')).toBe(vector.keys.client ? '02' : undefined);

    expectRawKeyProof(messages, 'server', vector.keys.server.spki);
    if (vector.keys.client) expectRawKeyProof(messages, 'client', vector.keys.client.spki);
    else expect(messages.some((m) => m.from === 'client' && m.type === 11)).toBe(false);
    expect(data).toEqual({ client: RPK_CLIENT_MESSAGE, server: RPK_SERVER_MESSAGE });
  });
});

// ---- the cross-check with GnuTLS ----

const scratch = scratchDirectory('tls13-lab-rpk-vectors-');
const { dir } = scratch;
afterAll(scratch.remove);
const children: BoundedChild[] = [];
const servers: Tls13Server[] = [];
const sockets: Tls13Socket[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill();
  for (const socket of sockets.splice(0)) socket.destroy();
  for (const server of servers.splice(0)) server.close();
});

const PRIORITY_RPK = 'NORMAL:-VERS-ALL:+VERS-TLS1.3:+CTYPE-SRV-RAWPK:+CTYPE-CLI-RAWPK';

/** The vector's key as GnuTLS reads it: PKCS#8 with the public key included (node:crypto via JWK), and the SPKI. */
function keyFiles(name: string, key: RpkVector['keys']['server']): string[] {
  const jwk = createPrivateKey({ key: buf(key.pkcs8), format: 'der', type: 'pkcs8' }).export({ format: 'jwk' });
  const pem = createPrivateKey({ key: jwk, format: 'jwk' }).export({ type: 'pkcs8', format: 'pem' }).toString();
  const keyFile = join(dir, `${name}.key`);
  const publicFile = join(dir, `${name}.pub`);
  writeFileSync(keyFile, pem);
  writeFileSync(publicFile, createPublicKey({ key: buf(key.spki), format: 'der', type: 'spki' }).export({ type: 'spki', format: 'pem' }).toString());
  return ['--rawpkkeyfile', keyFile, '--rawpkfile', publicFile];
}

function gnutls(path: string, name: string, args: string[]) {
  const keylogFile = join(dir, `${name}.keylog`);
  const child = spawnBounded(path, args, { timeoutMs: 10_000, cwd: dir, env: { ...process.env, SSLKEYLOGFILE: keylogFile } });
  children.push(child);
  const keylog = () => (existsSync(keylogFile) ? readFileSync(keylogFile, 'latin1').split('\n').filter((line) => line && !line.startsWith('#')) : []);
  return Object.assign(child, { keylog });
}

const collectKeylog = (socket: Tls13Socket, lines: string[]) => socket.on('keylog', (line: Buffer) => lines.push(line.toString('latin1').trim()));
const labels = (lines: string[]) => lines.map((line) => line.split(' ')[0]).sort();
const live = { random: systemRandom, now: () => Date.now() };

describe('the raw-public-key vectors cross-checked with GnuTLS: same handshake, same secrets', () => {
  for (const vector of vectors) {
    const setup = () => rpkVectorSetup(vector.name);

    it(`${vector.name}: our client as in the vector against gnutls-serv with the vector's server key`, async (test) => {
      const serv = requireBinary('gnutls-serv', test);
      const port = await freePort();
      const server = gnutls(serv, `${vector.name}-serv`, ['--port', String(port), '--echo', '--priority', PRIORITY_RPK, ...(vector.keys.client ? ['--require-client-cert'] : []), ...keyFiles(`${vector.name}-server`, vector.keys.server)]);
      await server.waitFor(/listening on IPv4 [^\n]*done/);
      const client = connect({ ...setup().client, ...live, host: '127.0.0.1', port });
      sockets.push(client);
      const ours: string[] = [];
      collectKeylog(client, ours);
      client.end(`${RPK_CLIENT_MESSAGE}\n`);
      expect(await readAll(client)).toBe(`${RPK_CLIENT_MESSAGE}\n`);
      expect(client.info).toMatchObject(vector.negotiated.clientCertificateType ? { clientCertificateType: 'raw-public-key', serverCertificateType: 'raw-public-key' } : { serverCertificateType: 'raw-public-key' });
      expect(labels(server.keylog())).toEqual(labels(vector.keylog));
      expect([...ours].sort()).toEqual([...server.keylog()].sort());
    });

    it(`${vector.name}: gnutls-cli with the vector's client key against our server as in the vector`, async (test) => {
      const cli = requireBinary('gnutls-cli', test);
      const ours: string[] = [];
      const server = createServer({ ...setup().server, ...live }, (socket) => {
        socket.on('data', (chunk: Buffer) => socket.write(chunk));
        socket.on('end', () => socket.end());
      });
      server.on('tlsSocket', (socket: Tls13Socket) => collectKeylog(socket, ours));
      servers.push(server);
      const port = await listen(server);
      const clientKey = vector.keys.client ? keyFiles(`${vector.name}-client`, vector.keys.client) : [];
      const client = gnutls(cli, `${vector.name}-cli`, ['--port', String(port), '--priority', PRIORITY_RPK, '--insecure', ...clientKey, '127.0.0.1']);
      client.child.stdin.end(`${RPK_CLIENT_MESSAGE}\n`);
      expect(await client.exited).toBe(0);
      expect(client.stdout()).toContain(RPK_CLIENT_MESSAGE);
      expect(client.stdout()).toContain(vector.keys.client ? '- Description: (TLS1.3-Raw Public Key)-' : '- Description: (TLS1.3-X.509-Raw Public Key)-');
      expect(labels(client.keylog())).toEqual(labels(vector.keylog));
      expect([...ours].sort()).toEqual([...client.keylog()].sort());
    });
  }
});
