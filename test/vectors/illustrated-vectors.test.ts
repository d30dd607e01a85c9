// vectors/illustrated-tls13 was transcribed by hand from the page (the page itself cannot be stored here, see
// its README.md), so nothing but this test guards the transcription: every value is checked against the
// others with node:crypto alone, none of our code. One altered hex digit anywhere makes some check fail: the
// AEAD tags cover every ciphertext byte, the hashes every handshake message, HKDF every secret and key.
import { constants, createHash, createHmac, createPrivateKey, createPublicKey, createDecipheriv, diffieHellman, verify, X509Certificate, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadKeylog, loadTrace } from './illustrated-replay.js';

const trace = loadTrace();
const { client, server, keys } = trace;
const bytes = (hex: string) => Buffer.from(hex, 'hex');
const sha384 = (...parts: string[]) => parts.reduce((h, part) => h.update(bytes(part)), createHash('sha384')).digest('hex');
const hmac384 = (key: string, data: string) => createHmac('sha384', bytes(key)).update(bytes(data)).digest('hex');

/** RFC 8446 §7.1 HKDF-Expand-Label over SHA-384 (RFC 5869 §2.3 Expand with the TLS 1.3 HkdfLabel as info). */
function expandLabel(secret: string, label: string, context: string, octets: number): string {
  const name = Buffer.from('tls13 ' + label).toString('hex');
  const info = [octets.toString(16).padStart(4, '0'), (name.length / 2).toString(16).padStart(2, '0'), name, (context.length / 2).toString(16).padStart(2, '0'), context].join('');
  const blocks = [''];
  while (blocks.join('').length < 2 * octets) blocks.push(hmac384(secret, blocks.at(-1)! + info + blocks.length.toString(16).padStart(2, '0')));
  return blocks.join('').slice(0, 2 * octets);
}

const x25519Key = (privateHex: string) => createPrivateKey({ key: bytes('302e020100300506032b656e04220420' + privateHex), format: 'der', type: 'pkcs8' });
const rawPublic = (key: ReturnType<typeof x25519Key>) => Buffer.from(createPublicKey(key).export({ format: 'jwk' }).x!, 'base64url').toString('hex');

const body = (record: string) => record.slice(10); // without the 5-byte record header
const certificateDer = bytes(server.messages.certificate!).subarray(11, 11 + 0x325);
const ZERO = '00'.repeat(48);

/** The opened content of a protected record: AES-256-GCM, nonce = IV xor sequence number (RFC 8446 §5.3). */
function open(key: string, iv: string, sequence: number, record: string): string {
  const nonce = bytes(iv);
  nonce.writeUInt32BE((nonce.readUInt32BE(8) ^ sequence) >>> 0, 8);
  const r = bytes(record);
  const decipher = createDecipheriv('aes-256-gcm', bytes(key), nonce).setAAD(r.subarray(0, 5)).setAuthTag(r.subarray(r.length - 16));
  return Buffer.concat([decipher.update(r.subarray(5, r.length - 16)), decipher.final()]).toString('hex');
}

describe('vectors/illustrated-tls13 hold together (node:crypto only)', () => {
  it('every record header names its content type and length', () => {
    const expected: Array<[string, string, number]> = [
      ['client', 'clientHello', 0x16],
      ['client', 'changeCipherSpec', 0x14],
      ['server', 'serverHello', 0x16],
      ['server', 'changeCipherSpec', 0x14],
      ...Object.keys(server.records).filter((n) => !['serverHello', 'changeCipherSpec'].includes(n)).map((n) => ['server', n, 0x17] as [string, string, number]),
      ...['finished', 'applicationData'].map((n) => ['client', n, 0x17] as [string, string, number]),
    ];
    expect(expected).toHaveLength(13);
    for (const [side, name, type] of expected) {
      const record = bytes((side === 'client' ? client : server).records[name]!);
      expect([record[0], record.readUInt16BE(3) + 5], `${side} ${name}`).toEqual([type, record.length]);
    }
  });

  it('each x25519 public key belongs to its private key, and the pair gives the printed shared secret', () => {
    const clientKey = x25519Key(client.x25519PrivateKey);
    const serverKey = x25519Key(server.x25519PrivateKey);
    expect(rawPublic(clientKey)).toBe(client.x25519PublicKey);
    expect(rawPublic(serverKey)).toBe(server.x25519PublicKey);
    expect(diffieHellman({ privateKey: clientKey, publicKey: createPublicKey(serverKey) }).toString('hex')).toBe(keys.sharedSecret);
    expect(client.records.clientHello).toContain('001d0020' + client.x25519PublicKey);
    expect(server.records.serverHello).toContain('001d0020' + server.x25519PublicKey);
  });

  it('each protected record opens under the printed key and IV to the printed message and content type', () => {
    const cases: Array<[string, string, number, string, string]> = [
      ['serverHandshake', 'server', 0, 'encryptedExtensions', '16'],
      ['serverHandshake', 'server', 1, 'certificate', '16'],
      ['serverHandshake', 'server', 2, 'certificateVerify', '16'],
      ['serverHandshake', 'server', 3, 'finished', '16'],
      ['clientHandshake', 'client', 0, 'finished', '16'],
      ['clientApplication', 'client', 0, 'applicationData', '17'],
      ['serverApplication', 'server', 0, 'newSessionTicket1', '16'],
      ['serverApplication', 'server', 1, 'newSessionTicket2', '16'],
      ['serverApplication', 'server', 2, 'applicationData', '17'],
    ];
    for (const [traffic, side, sequence, name, contentType] of cases) {
      const { records, messages } = side === 'client' ? client : server;
      expect(open(keys[traffic + 'Key']!, keys[traffic + 'Iv']!, sequence, records[name]!), `${side} ${name}`).toBe(messages[name]! + contentType);
    }
  });

  it('SHA-384 over the printed messages gives the printed hello and handshake hashes', () => {
    expect(sha384(body(client.records.clientHello!), body(server.records.serverHello!))).toBe(keys.helloHash);
    const serverFlight = ['encryptedExtensions', 'certificate', 'certificateVerify', 'finished'].map((n) => server.messages[n]!);
    expect(sha384(body(client.records.clientHello!), body(server.records.serverHello!), ...serverFlight)).toBe(keys.handshakeHash);
  });

  it('HKDF from the shared secret gives the printed handshake secret, every key-log secret, key and IV', () => {
    const emptyHash = sha384();
    const handshakeSecret = hmac384(expandLabel(hmac384(ZERO, ZERO), 'derived', emptyHash, 48), keys.sharedSecret!);
    expect(handshakeSecret).toBe(keys.handshakeSecret);
    const master = hmac384(expandLabel(handshakeSecret, 'derived', emptyHash, 48), ZERO);
    const secrets = new Map([
      ['CLIENT_HANDSHAKE_TRAFFIC_SECRET', expandLabel(handshakeSecret, 'c hs traffic', keys.helloHash!, 48)],
      ['SERVER_HANDSHAKE_TRAFFIC_SECRET', expandLabel(handshakeSecret, 's hs traffic', keys.helloHash!, 48)],
      ['CLIENT_TRAFFIC_SECRET_0', expandLabel(master, 'c ap traffic', keys.handshakeHash!, 48)],
      ['SERVER_TRAFFIC_SECRET_0', expandLabel(master, 's ap traffic', keys.handshakeHash!, 48)],
      ['EXPORTER_SECRET', expandLabel(master, 'exp master', keys.handshakeHash!, 48)],
    ]);
    expect(secrets).toEqual(loadKeylog());
    for (const [traffic, label] of [
      ['clientHandshake', 'CLIENT_HANDSHAKE_TRAFFIC_SECRET'],
      ['serverHandshake', 'SERVER_HANDSHAKE_TRAFFIC_SECRET'],
      ['clientApplication', 'CLIENT_TRAFFIC_SECRET_0'],
      ['serverApplication', 'SERVER_TRAFFIC_SECRET_0'],
    ] as const) {
      expect(expandLabel(secrets.get(label)!, 'key', '', 32), traffic).toBe(keys[traffic + 'Key']);
      expect(expandLabel(secrets.get(label)!, 'iv', '', 12), traffic).toBe(keys[traffic + 'Iv']);
    }
  });

  it('both Finished messages carry HMAC-SHA384 of their transcript under their finished key', () => {
    const keylog = loadKeylog();
    const upToCertificateVerify = sha384(
      body(client.records.clientHello!),
      body(server.records.serverHello!),
      ...['encryptedExtensions', 'certificate', 'certificateVerify'].map((n) => server.messages[n]!),
    );
    const serverFinishedKey = expandLabel(keylog.get('SERVER_HANDSHAKE_TRAFFIC_SECRET')!, 'finished', '', 48);
    expect(server.messages.finished).toBe('14000030' + hmac384(serverFinishedKey, upToCertificateVerify));
    const clientFinishedKey = expandLabel(keylog.get('CLIENT_HANDSHAKE_TRAFFIC_SECRET')!, 'finished', '', 48);
    expect(client.messages.finished).toBe('14000030' + hmac384(clientFinishedKey, keys.handshakeHash!));
  });

  it('the CertificateVerify signature (RSA-PSS-RSAE-SHA256) verifies with the certificate, whose key is server-key.pem', () => {
    const certificate = new X509Certificate(certificateDer);
    expect(certificate.subject).toBe('C=US\nCN=example.ulfheim.net');
    const pem = readFileSync(new URL('../../vectors/illustrated-tls13/server-key.pem', import.meta.url), 'utf8');
    const spki = (key: KeyObject) => key.export({ format: 'der', type: 'spki' }).toString('hex');
    expect(spki(createPublicKey(pem))).toBe(spki(certificate.publicKey));
    const message = bytes(server.messages.certificateVerify!);
    expect(message.subarray(0, 8).toString('hex')).toBe('0f00010408040100');
    const transcript = sha384(
      body(client.records.clientHello!),
      body(server.records.serverHello!),
      server.messages.encryptedExtensions!,
      server.messages.certificate!,
    );
    const content = Buffer.concat([Buffer.alloc(64, 0x20), Buffer.from('TLS 1.3, server CertificateVerify\0'), bytes(transcript)]);
    const key = { key: certificate.publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 };
    expect(verify('sha256', content, key, message.subarray(8))).toBe(true);
  });
});
