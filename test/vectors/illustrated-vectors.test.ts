// vectors/illustrated-tls13 was transcribed by hand from the page's two editions (the pages themselves cannot
// be stored here, see its README.md), so nothing but this test guards the transcription: every value is
// checked against the others with node:crypto alone, none of our code. One altered hex digit anywhere makes
// some check fail: the AEAD tags cover every ciphertext byte, the hashes every handshake message, HKDF every
// secret and key.
import { constants, createDecipheriv, createHash, createHmac, createPrivateKey, createPublicKey, diffieHellman, verify, X509Certificate, type CipherGCMTypes, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EDITIONS, TRAFFIC_SECRETS, loadKeylog, loadTrace, type EditionName } from './illustrated-replay.js';

type Traffic = 'serverHandshake' | 'clientHandshake' | 'serverApplication' | 'clientApplication';
/** A protected record: the keys it is under, its sequence number, and the messages (and content type) inside. */
type Sealed = [traffic: Traffic, side: 'client' | 'server', sequence: number, record: string, messages: string[], contentType: string];

const SUITES: Record<EditionName, { hash: 'sha384' | 'sha256'; keyLength: number; sealed: Sealed[] }> = {
  openssl: {
    hash: 'sha384',
    keyLength: 32,
    sealed: [
      ['serverHandshake', 'server', 0, 'encryptedExtensions', ['encryptedExtensions'], '16'],
      ['serverHandshake', 'server', 1, 'certificate', ['certificate'], '16'],
      ['serverHandshake', 'server', 2, 'certificateVerify', ['certificateVerify'], '16'],
      ['serverHandshake', 'server', 3, 'finished', ['finished'], '16'],
      ['clientHandshake', 'client', 0, 'finished', ['finished'], '16'],
      ['clientApplication', 'client', 0, 'applicationData', ['applicationData'], '17'],
      ['serverApplication', 'server', 0, 'newSessionTicket1', ['newSessionTicket1'], '16'],
      ['serverApplication', 'server', 1, 'newSessionTicket2', ['newSessionTicket2'], '16'],
      ['serverApplication', 'server', 2, 'applicationData', ['applicationData'], '17'],
    ],
  },
  boringssl: {
    hash: 'sha256',
    keyLength: 16,
    sealed: [
      ['serverHandshake', 'server', 0, 'handshake', ['encryptedExtensions', 'certificate', 'certificateVerify', 'finished'], '16'],
      ['clientHandshake', 'client', 0, 'finished', ['finished'], '16'],
      ['clientApplication', 'client', 0, 'applicationData', ['applicationData'], '17'],
      ['serverApplication', 'server', 0, 'newSessionTickets', ['newSessionTicket1', 'newSessionTicket2'], '16'],
      ['serverApplication', 'server', 1, 'applicationData', ['applicationData'], '17'],
    ],
  },
};

const bytes = (hex: string) => Buffer.from(hex, 'hex');
const u8 = (n: number) => n.toString(16).padStart(2, '0');
const body = (record: string) => record.slice(10); // without the 5-byte record header
const x25519Key = (privateHex: string) => createPrivateKey({ key: bytes('302e020100300506032b656e04220420' + privateHex), format: 'der', type: 'pkcs8' });
const rawPublic = (key: KeyObject) => Buffer.from(createPublicKey(key).export({ format: 'jwk' }).x!, 'base64url').toString('hex');

describe.each(Object.keys(SUITES) as EditionName[])('vectors/illustrated-tls13 (%s edition) hold together (node:crypto only)', (name) => {
  const { hash, keyLength, sealed } = SUITES[name];
  const { client, server, keys } = loadTrace(name);
  const keylog = loadKeylog(name);
  const digest = (...parts: string[]) => parts.reduce((h, part) => h.update(bytes(part)), createHash(hash)).digest('hex');
  const hmac = (key: string, data: string) => createHmac(hash, bytes(key)).update(bytes(data)).digest('hex');
  const hashLength = digest().length / 2;
  const zeros = '00'.repeat(hashLength);
  /** RFC 8446 §7.1 HKDF-Expand-Label (RFC 5869 §2.3 Expand with the TLS 1.3 HkdfLabel as info). */
  const expandLabel = (secret: string, label: string, context: string, octets: number) => {
    const labelHex = Buffer.from('tls13 ' + label).toString('hex');
    const info = octets.toString(16).padStart(4, '0') + u8(labelHex.length / 2) + labelHex + u8(context.length / 2) + context;
    const blocks = [''];
    while (blocks.join('').length < 2 * octets) blocks.push(hmac(secret, blocks.at(-1)! + info + u8(blocks.length)));
    return blocks.join('').slice(0, 2 * octets);
  };
  const transcript = (...serverMessages: string[]) =>
    digest(body(client.records.clientHello!), body(server.records.serverHello!), ...serverMessages.map((m) => server.messages[m]!));

  it('every record header names its content type and length', () => {
    const all = [...Object.entries(client.records), ...Object.entries(server.records)];
    expect(all).toHaveLength(EDITIONS[name].serverFlight.length + EDITIONS[name].serverAfterHandshake.length + 4); // the client sends 4
    for (const [recordName, hex] of all) {
      const record = bytes(hex);
      const type = recordName.endsWith('Hello') ? 0x16 : recordName === 'changeCipherSpec' ? 0x14 : 0x17;
      expect([record[0], record.readUInt16BE(3) + 5], recordName).toEqual([type, record.length]);
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

  it('each protected record opens under the printed key and IV to the printed messages and content type', () => {
    for (const [traffic, side, sequence, recordName, messages, contentType] of sealed) {
      const { records, messages: plain } = side === 'client' ? client : server;
      const nonce = bytes(keys[traffic + 'Iv']!);
      nonce.writeUInt32BE((nonce.readUInt32BE(8) ^ sequence) >>> 0, 8); // RFC 8446 §5.3
      const record = bytes(records[recordName]!);
      const decipher = createDecipheriv(`aes-${keyLength * 8}-gcm` as CipherGCMTypes, bytes(keys[traffic + 'Key']!), nonce);
      decipher.setAAD(record.subarray(0, 5)).setAuthTag(record.subarray(record.length - 16));
      const opened = Buffer.concat([decipher.update(record.subarray(5, record.length - 16)), decipher.final()]).toString('hex');
      expect(opened, `${side} ${recordName}`).toBe(messages.map((m) => plain[m]!).join('') + contentType);
    }
  });

  it('the hash over the printed messages gives the printed hello and handshake hashes', () => {
    expect(transcript()).toBe(keys.helloHash);
    expect(transcript('encryptedExtensions', 'certificate', 'certificateVerify', 'finished')).toBe(keys.handshakeHash);
  });

  it('HKDF from the shared secret gives the printed handshake secret, every key-log secret, key and IV', () => {
    const emptyHash = digest();
    const handshakeSecret = hmac(expandLabel(hmac(zeros, zeros), 'derived', emptyHash, hashLength), keys.sharedSecret!);
    expect(handshakeSecret).toBe(keys.handshakeSecret);
    const master = hmac(expandLabel(handshakeSecret, 'derived', emptyHash, hashLength), zeros);
    const secrets = new Map([
      ['CLIENT_HANDSHAKE_TRAFFIC_SECRET', expandLabel(handshakeSecret, 'c hs traffic', keys.helloHash!, hashLength)],
      ['SERVER_HANDSHAKE_TRAFFIC_SECRET', expandLabel(handshakeSecret, 's hs traffic', keys.helloHash!, hashLength)],
      ['CLIENT_TRAFFIC_SECRET_0', expandLabel(master, 'c ap traffic', keys.handshakeHash!, hashLength)],
      ['SERVER_TRAFFIC_SECRET_0', expandLabel(master, 's ap traffic', keys.handshakeHash!, hashLength)],
      ['EXPORTER_SECRET', expandLabel(master, 'exp master', keys.handshakeHash!, hashLength)],
    ]);
    expect(secrets).toEqual(keylog);
    for (const [traffic, label] of TRAFFIC_SECRETS) {
      expect(expandLabel(secrets.get(label)!, 'key', '', keyLength), traffic).toBe(keys[traffic + 'Key']);
      expect(expandLabel(secrets.get(label)!, 'iv', '', 12), traffic).toBe(keys[traffic + 'Iv']);
    }
  });

  it('both Finished messages carry the HMAC of their transcript under their finished key', () => {
    const finished = (label: string, transcriptHash: string) =>
      '14' + hashLength.toString(16).padStart(6, '0') + hmac(expandLabel(keylog.get(label)!, 'finished', '', hashLength), transcriptHash);
    expect(server.messages.finished).toBe(finished('SERVER_HANDSHAKE_TRAFFIC_SECRET', transcript('encryptedExtensions', 'certificate', 'certificateVerify')));
    expect(client.messages.finished).toBe(finished('CLIENT_HANDSHAKE_TRAFFIC_SECRET', keys.handshakeHash!));
  });

  it('the CertificateVerify signature (RSA-PSS-RSAE-SHA256) verifies with the certificate, whose key is server-key.pem', () => {
    const certificate = new X509Certificate(bytes(server.messages.certificate!).subarray(11, 11 + 0x325));
    expect(certificate.subject).toBe('C=US\nCN=example.ulfheim.net');
    const pem = readFileSync(new URL('../../vectors/illustrated-tls13/server-key.pem', import.meta.url), 'utf8');
    const spki = (key: KeyObject) => key.export({ format: 'der', type: 'spki' }).toString('hex');
    expect(spki(createPublicKey(pem))).toBe(spki(certificate.publicKey));
    const message = bytes(server.messages.certificateVerify!);
    expect(message.subarray(0, 8).toString('hex')).toBe('0f00010408040100');
    const content = Buffer.concat([Buffer.alloc(64, 0x20), Buffer.from('TLS 1.3, server CertificateVerify\0'), bytes(transcript('encryptedExtensions', 'certificate'))]);
    const key = { key: certificate.publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 };
    expect(verify('sha256', content, key, message.subarray(8))).toBe(true);
  });
});
