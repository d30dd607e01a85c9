// OpenSSL's TLS 1.3 record vectors (test/tls13encryptiontest.c, from draft-ietf-tls-tls13-vectors-06's "Simple
// 1-RTT Handshake": seven records of both sides under their traffic keys), stored under
// vectors/published-traces/openssl/. The keys, IVs and sequence numbers are given, so our record layer must
// write each record byte for byte and open it; the messages inside must decode and re-encode byte for byte.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { nobleProvider } from '../../src/crypto/noble.js';
import { RecordProtection } from '../../src/record/protection.js';
import { loadRfc8448Section } from '../../src/testing/rfc8448.js';
import { splitHandshakeMessages } from '../../src/testing/tamper.js';
import { fromHex, hex } from '../../src/wire/bytes.js';
import { ContentType, ExtensionType } from '../../src/wire/enums.js';
import { decodeHandshake, encodeHandshake } from '../../src/wire/messages.js';
import { rfcCertificate } from './rfc8448-replay.js';

interface OpenSslRecord {
  name: string;
  key: string;
  iv: string;
  sequence: number;
  /** TLSInnerPlaintext: the content, then its content type (no padding). */
  innerPlaintext: string;
  /** encrypted_record, without the header. */
  encrypted: string;
}

function loadRecords(): OpenSslRecord[] {
  const text = readFileSync(new URL('../../vectors/published-traces/openssl/tls13encryptiontest.txt', import.meta.url), 'utf8');
  return text
    .split(/^\[/m)
    .slice(1)
    .map((section) => {
      const [name, ...lines] = section.split('\n');
      const fields: Record<string, string> = {};
      let current = '';
      for (const line of lines.filter((l) => l !== '')) {
        const [word, value] = line.split(' ');
        if (value !== undefined) fields[word!] = value;
        else if (/^[a-z]+$/.test(line) && !/^[0-9a-f]+$/.test(line)) fields[(current = line)] = '';
        else fields[current] += line;
      }
      return { name: name!.replace(/\]$/, ''), key: fields.key!, iv: fields.iv!, sequence: Number.parseInt(fields.seq!, 16), innerPlaintext: fields.plaintext!, encrypted: fields.ciphertext! };
    });
}

const RECORDS = loadRecords();
const AEAD = 'AES-128-GCM';

/** Our protection under the record's key, at its sequence number (the records before it sealed and dropped). */
function protectionAt(record: OpenSslRecord, sequence = record.sequence): RecordProtection {
  const protection = new RecordProtection(nobleProvider, AEAD, fromHex(record.key), fromHex(record.iv));
  for (let n = 0; n < sequence; n++) protection.seal(ContentType.application_data, new Uint8Array(0));
  return protection;
}

/** The record on the wire: type application_data, legacy_record_version 0x0303, the length, encrypted_record. */
const wireRecord = (record: OpenSslRecord) => fromHex(`170303${(record.encrypted.length / 2).toString(16).padStart(4, '0')}${record.encrypted}`);

describe('OpenSSL tls13encryptiontest.c (draft-ietf-tls-tls13-vectors-06): seven records', () => {
  it('holds the seven records of the simple 1-RTT handshake, both sides', () => {
    expect(RECORDS.map((r) => [r.name, r.sequence])).toEqual([
      ['Server: EncryptedExtensions, Certificate, CertificateVerify and Finished', 0],
      ['Client: Finished', 0],
      ['Server: NewSessionTicket', 0],
      ['Client: Application Data', 0],
      ['Server: Application Data', 1],
      ['Client: CloseNotify', 1],
      ['Server: CloseNotify', 2],
    ]);
  });

  describe.each(RECORDS.map((r) => [r.name, r]))('%s', (_, record) => {
    const inner = fromHex(record.innerPlaintext);
    const content = inner.subarray(0, -1);
    const contentType = inner.at(-1)!;

    it('our record layer writes OpenSSL\'s record byte for byte', () => {
      expect(hex(protectionAt(record).seal(contentType, content))).toBe(hex(wireRecord(record)));
    });

    it('our record layer opens it, at its sequence number only', () => {
      expect(protectionAt(record).open(wireRecord(record))).toEqual({ contentType, content, protected: true });
      expect(() => protectionAt(record, record.sequence + 1).open(wireRecord(record))).toThrow(/AEAD/);
      const tampered = wireRecord(record);
      tampered[tampered.length - 1]! ^= 1;
      expect(() => protectionAt(record).open(tampered)).toThrow(/AEAD/);
    });

    if (contentType === ContentType.handshake) {
      it('every handshake message inside decodes and re-encodes byte for byte', () => {
        const messages = splitHandshakeMessages(content);
        expect(messages.length).toBeGreaterThan(0);
        for (const message of messages) expect(hex(encodeHandshake(decodeHandshake(message)))).toBe(hex(message));
      });
    }
  });

  it('the server flight: EncryptedExtensions (supported_groups, record_size_limit 16385, server_name), RFC 8448\'s RSA certificate, rsa_pss_rsae_sha256, a 32-byte Finished', () => {
    const [flight] = RECORDS;
    const messages = splitHandshakeMessages(fromHex(flight!.innerPlaintext).subarray(0, -1)).map((m) => decodeHandshake(m));
    expect(messages.map((m) => m.kind)).toEqual(['encrypted_extensions', 'certificate', 'certificate_verify', 'finished']);
    const [extensions, certificate, verify, finished] = messages;
    if (extensions!.kind !== 'encrypted_extensions' || certificate!.kind !== 'certificate' || verify!.kind !== 'certificate_verify' || finished!.kind !== 'finished') throw new Error('unexpected flight');
    expect(extensions.extensions.map((e) => e.type)).toEqual([ExtensionType.supported_groups, ExtensionType.record_size_limit, ExtensionType.server_name]);
    expect(hex(extensions.extensions[1]!.data)).toBe('4001');
    expect(certificate.entries).toHaveLength(1);
    expect(hex(certificate.entries[0]!.data)).toBe(hex(rfcCertificate(loadRfc8448Section(3), 'server')));
    expect(verify.scheme).toBe(0x0804);
    expect(finished.verifyData).toHaveLength(32);
  });

  it('the NewSessionTicket: lifetime 30 s, a 2-byte nonce, early_data allowing 1024 bytes', () => {
    const ticket = decodeHandshake(fromHex(RECORDS[2]!.innerPlaintext).subarray(0, -1));
    if (ticket.kind !== 'new_session_ticket') throw new Error('not a NewSessionTicket');
    expect([ticket.lifetime, hex(ticket.nonce), ticket.ticket.length]).toEqual([30, '0000', 178]);
    expect(ticket.extensions.map((e) => [e.type, hex(e.data)])).toEqual([[ExtensionType.early_data, '00000400']]);
  });

  it('the close_notify alerts are warning-level close_notify, as RFC 8446 §6.1 has them sent', () => {
    for (const record of RECORDS.filter((r) => r.name.endsWith('CloseNotify'))) expect(record.innerPlaintext).toBe('0100' + '15');
  });
});
