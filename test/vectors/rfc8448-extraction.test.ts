import {
  constants,
  createECDH,
  createHash,
  createHmac,
  createPrivateKey,
  createPublicKey,
  verify,
  X509Certificate,
} from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { extractRfc8448, rfc8448JsonFiles, RFC8448_SECTION_NUMBERS } from '../../src/testing/rfc8448-extract.js';
import type { Rfc8448Section, Rfc8448Step } from '../../src/testing/rfc8448-extract.js';
import { findValue, loadRfc8448RsaKey, loadRfc8448Section } from '../../src/testing/rfc8448.js';

const vectorsDir = join(import.meta.dirname, '..', '..', 'vectors', 'rfc8448');
const rfcText = readFileSync(join(vectorsDir, 'rfc8448.txt'), 'utf8');
const sections = RFC8448_SECTION_NUMBERS.map(loadRfc8448Section);

// Independent primitives from node:crypto, so these checks do not lean on our own crypto.
const hmac = (key: string, data: string): string =>
  createHmac('sha256', Buffer.from(key, 'hex')).update(Buffer.from(data, 'hex')).digest('hex');
const sha256 = (data: string): string => createHash('sha256').update(Buffer.from(data, 'hex')).digest('hex');

/** RFC 5869 §2.3 HKDF-Expand with SHA-256 (every trace negotiates TLS_AES_128_GCM_SHA256). */
function hkdfExpand(prk: string, info: string, octets: number): string {
  let block = '';
  let output = '';
  for (let i = 1; output.length < 2 * octets; i++) {
    block = hmac(prk, block + info + i.toString(16).padStart(2, '0'));
    output += block;
  }
  return output.slice(0, 2 * octets);
}

const HANDSHAKE_MESSAGE_LABELS = new Set([
  'ClientHello',
  'ServerHello',
  'EncryptedExtensions',
  'CertificateRequest',
  'Certificate',
  'CertificateVerify',
  'Finished',
  'NewSessionTicket',
  'EndOfEarlyData',
]);

const valueHex = (step: Rfc8448Step, label: string): string | undefined =>
  step.values.find((value) => value.label === label)?.hex;

const allSteps = sections.flatMap((section) => section.steps.map((step) => ({ section: section.section, step })));

describe('RFC 8448 extraction', () => {
  it('works on the unmodified RFC text (SHA-256 recorded in /work/shared/rfc/SHA256SUMS)', () => {
    expect(createHash('sha256').update(rfcText).digest('hex')).toBe(
      '6564d1376d1ec744fc7a9993da15ebc1b9be361908b166091f47ef605c537fba',
    );
  });

  it('reproduces every committed JSON file byte for byte, and no other JSON file exists', () => {
    const files = rfc8448JsonFiles(extractRfc8448(rfcText));
    const committed = readdirSync(vectorsDir).filter((name) => name.endsWith('.json'));
    expect(committed.sort()).toEqual([...files.keys()].sort());
    for (const [name, json] of files) expect(readFileSync(join(vectorsDir, name), 'utf8'), name).toBe(json);
  });

  it('rejects a value whose hex does not hold the announced number of octets', () => {
    const tampered = rfcText.replace('private key (32 octets):  49 af', 'private key (33 octets):  49 af');
    expect(() => extractRfc8448(tampered)).toThrow(/announces 33 octets but holds 32/);
  });

  it('rejects a line it cannot classify instead of skipping it', () => {
    const tampered = rfcText.replace('      public key (32 octets):  99 38', '      public key 99 38');
    expect(() => extractRfc8448(tampered)).toThrow(/unrecognised line/);
  });

  it('reads the section titles of the five traces', () => {
    expect(sections.map((s) => s.title)).toEqual([
      'Simple 1-RTT Handshake',
      'Resumed 0-RTT Handshake',
      'HelloRetryRequest',
      'Client Authentication',
      'Compatibility Mode',
    ]);
  });

  it('finds the §3 client x25519 private key and the server ServerHello record', () => {
    const s3 = loadRfc8448Section(3);
    const clientKey = findValue(s3, 'client', 'create an ephemeral x25519 key pair', 'private key');
    expect(Buffer.from(clientKey).toString('hex')).toBe(
      '49af42ba7f7994852d713ef2784bcbcaa7911de26adc5642cb634540e7ea5005',
    );
    const serverHelloRecord = findValue(s3, 'server', 'send handshake record', 'complete record', 0);
    expect(Buffer.from(serverHelloRecord).toString('hex')).toMatch(/^160303005a020000560303a6af06a412186/);
  });

  it('gives values to every step except those that say they repeat the peer ("same as")', () => {
    for (const { section, step } of allSteps) {
      const repeats = step.action.includes('(same as');
      expect(step.values.length === 0, `§${section} ${step.actor} ${step.action}`).toBe(repeats);
    }
  });

  it('derives each printed ephemeral public key from the printed private key (node:crypto)', () => {
    let checked = 0;
    for (const { section, step } of allSteps.filter(({ step }) => step.action.startsWith('create an ephemeral'))) {
      const privateKey = Buffer.from(valueHex(step, 'private key')!, 'hex');
      let publicKey: string;
      if (step.action.includes('x25519')) {
        const pkcs8 = Buffer.concat([Buffer.from('302e020100300506032b656e04220420', 'hex'), privateKey]);
        const spki = createPublicKey(createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' }));
        publicKey = spki.export({ format: 'der', type: 'spki' }).subarray(-32).toString('hex');
      } else {
        expect(step.action).toContain('P-256');
        const ecdh = createECDH('prime256v1');
        ecdh.setPrivateKey(privateKey);
        publicKey = ecdh.getPublicKey('hex', 'uncompressed');
      }
      expect(publicKey, `§${section} ${step.actor}`).toBe(valueHex(step, 'public key'));
      checked++;
    }
    expect(checked).toBe(11);
  });

  it('has a valid record header on every complete record, with the length and body the payload implies', () => {
    const records = allSteps.filter(({ step }) => valueHex(step, 'complete record') !== undefined);
    expect(records).toHaveLength(41);
    for (const { section, step } of records) {
      const record = Buffer.from(valueHex(step, 'complete record')!, 'hex');
      const payload = valueHex(step, 'payload')!;
      const where = `§${section} ${step.actor} ${step.action}`;
      expect([0x14, 0x15, 0x16, 0x17], where).toContain(record[0]);
      expect(['0301', '0303'], where).toContain(record.subarray(1, 3).toString('hex'));
      expect(record.readUInt16BE(3), where).toBe(record.length - 5);
      if (record[0] === 0x17) {
        // TLSInnerPlaintext adds one content-type octet (no padding here), AES-128-GCM a 16-octet tag.
        expect(record.length - 5, where).toBe(payload.length / 2 + 1 + 16);
      } else {
        expect(record.subarray(5).toString('hex'), where).toBe(payload);
      }
    }
  });

  it('sends in each handshake record exactly the messages its sender constructed since its last record', () => {
    for (const section of sections) {
      const constructed = { client: '', server: '' };
      for (const step of section.steps) {
        for (const value of step.values) {
          if (HANDSHAKE_MESSAGE_LABELS.has(value.label)) constructed[step.actor] += value.hex;
        }
        if (!step.action.startsWith('send handshake record')) continue;
        let expected = constructed[step.actor];
        if (section.section === 4 && step.actor === 'client' && expected.startsWith('01')) {
          // §4 prints the ClientHello without its binders (the part the binder covers); the record
          // appends PskBinderEntry list: length 0x0021, one binder of 0x20 octets = the binder "finished".
          const binder = valueHex(findStepWith(section, 'calculate PSK binder'), 'finished')!;
          expected += `002120${binder}`;
        }
        expect(valueHex(step, 'payload'), `§${section.section} ${step.actor}`).toBe(expected);
        constructed[step.actor] = '';
      }
    }
  });

  it('recomputes every HKDF-Expand, HKDF-Extract and the §4 binder from the printed inputs (node:crypto)', () => {
    let checked = 0;
    for (const { section, step } of allSteps) {
      const get = (label: string): string | undefined => valueHex(step, label);
      const where = `§${section} ${step.actor} ${step.action}`;
      const prk = get('PRK');
      const expanded = step.values.find((value) => value.label === 'expanded');
      if (prk !== undefined && expanded) {
        expect(hkdfExpand(prk, get('info')!, expanded.octets), where).toBe(expanded.hex);
        checked++;
      }
      if (prk !== undefined && get('key info') !== undefined) {
        expect(hkdfExpand(prk, get('key info')!, 16), where).toBe(get('key expanded'));
        expect(hkdfExpand(prk, get('iv info')!, 12), where).toBe(get('iv expanded'));
        checked++;
      }
      if (get('IKM') !== undefined) {
        // HKDF-Extract(salt, IKM) = HMAC(salt, IKM); the printed "0" salt is the empty key.
        expect(hmac(get('salt')!, get('IKM')!), where).toBe(get('secret'));
        checked++;
      }
    }
    expect(checked).toBe(59 + 21 + 15);
    const binderStep = findStepWith(loadRfc8448Section(4), 'calculate PSK binder');
    expect(sha256(valueHex(binderStep, 'ClientHello prefix')!)).toBe(valueHex(binderStep, 'binder hash'));
    expect(hmac(valueHex(binderStep, 'expanded')!, valueHex(binderStep, 'binder hash')!)).toBe(
      valueHex(binderStep, 'finished'),
    );
  });

  it('hashes exactly the printed messages into the transcript of §3, §6 and §7 (so the printed bytes win)', () => {
    for (const n of [3, 6, 7] as const) {
      let transcript = '';
      let checked = 0;
      for (const step of loadRfc8448Section(n).steps.filter((candidate) => candidate.values.length > 0)) {
        const where = `§${n} ${step.actor} ${step.action}`;
        const finished = valueHex(step, 'finished');
        if (finished !== undefined) {
          expect(hmac(valueHex(step, 'expanded')!, sha256(transcript)), where).toBe(finished);
          checked++;
        }
        if (/^derive secret "tls13 (c hs|s hs|c ap|s ap|exp master|res master)/.test(step.action)) {
          expect(valueHex(step, 'hash'), where).toBe(sha256(transcript));
          checked++;
        }
        for (const value of step.values) if (HANDSHAKE_MESSAGE_LABELS.has(value.label)) transcript += value.hex;
      }
      expect(checked).toBe(8);
    }
  });

  it('has CertificateVerify signatures that verify over the printed transcript with the printed certificates', () => {
    let checked = 0;
    for (const section of sections) {
      const messages: string[] = [];
      const certificates = new Map<string, X509Certificate>();
      for (const step of section.steps) {
        for (const value of step.values) {
          const message = Buffer.from(value.hex, 'hex');
          if (value.label === 'Certificate') certificates.set(step.actor, firstCertificate(message));
          if (value.label === 'CertificateVerify') {
            // RFC 8446 §4.1.4: after a HelloRetryRequest, ClientHello1 is replaced by message_hash.
            const transcript =
              section.section === 5 ? ['fe000020' + sha256(messages[0]!), ...messages.slice(1)] : messages;
            const context = `TLS 1.3, ${step.actor} CertificateVerify`;
            const signed = Buffer.concat([
              Buffer.alloc(64, 0x20),
              Buffer.from(context),
              Buffer.from([0]),
              Buffer.from(sha256(transcript.join('')), 'hex'),
            ]);
            const scheme = message.readUInt16BE(4);
            const signature = message.subarray(8);
            const key = certificates.get(step.actor)!.publicKey;
            const verified =
              scheme === 0x0804
                ? verify('sha256', signed, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }, signature)
                : verify('sha256', signed, key, signature);
            expect(verified, `§${section.section} ${step.actor} scheme ${scheme.toString(16)}`).toBe(true);
            checked++;
          }
          if (HANDSHAKE_MESSAGE_LABELS.has(value.label)) messages.push(value.hex);
        }
      }
    }
    expect(checked).toBe(5);
  });

  it('gives a consistent §2 RSA key: n = p·q, d·e ≡ 1 mod (p−1) and (q−1), the CRT parts match', () => {
    const key = loadRfc8448RsaKey();
    const int = (bytes: Uint8Array): bigint => BigInt(`0x${Buffer.from(bytes).toString('hex')}`);
    const [n, e, d, p, q] = [key.modulus, key.publicExponent, key.privateExponent, key.prime1, key.prime2].map(int);
    expect(p! * q!).toBe(n);
    expect((d! * e!) % (p! - 1n)).toBe(1n);
    expect((d! * e!) % (q! - 1n)).toBe(1n);
    expect(int(key.exponent1)).toBe(d! % (p! - 1n));
    expect(int(key.exponent2)).toBe(d! % (q! - 1n));
    expect((int(key.coefficient) * q!) % p!).toBe(1n);
  });
});

describe('findValue', () => {
  it('counts occurrences across matching steps in trace order', () => {
    const s3 = loadRfc8448Section(3);
    const firstServerRecord = findValue(s3, 'server', 'send handshake record', 'complete record', 0);
    const secondServerRecord = findValue(s3, 'server', 'send handshake record', 'complete record', 1);
    expect(firstServerRecord[0]).toBe(0x16);
    expect(secondServerRecord[0]).toBe(0x17);
    expect(secondServerRecord.length).toBe(679);
  });

  it('throws an error that names the query and the steps it looked at', () => {
    const s3 = loadRfc8448Section(3);
    expect(() => findValue(s3, 'client', 'create an ephemeral x25519 key pair', 'salt')).toThrow(
      /§3: \{client\} "create an ephemeral x25519 key pair" \/ "salt" #0: 0 such value\(s\); matching steps: "create an ephemeral x25519 key pair" \[private key, public key\]/,
    );
    expect(() => findValue(s3, 'server', 'no such step', 'payload')).toThrow(/matching steps: none/);
  });
});

/** The first certificate of a Certificate handshake message (RFC 8446 §4.4.2). */
function firstCertificate(message: Buffer): X509Certificate {
  const contextLength = message[4]!;
  const listStart = 5 + contextLength + 3;
  const certificateLength = message.readUIntBE(listStart, 3);
  return new X509Certificate(message.subarray(listStart + 3, listStart + 3 + certificateLength));
}

function findStepWith(section: Rfc8448Section, actionIncludes: string): Rfc8448Step {
  const step = section.steps.find((candidate) => candidate.action.includes(actionIncludes) && candidate.values.length);
  if (!step) throw new Error(`§${section.section} has no step "${actionIncludes}" with values`);
  return step;
}
