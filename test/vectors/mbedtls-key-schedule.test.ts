// mbedTLS's TLS 1.3 key schedule and record protection cases (its tests/suites/test_suite_ssl.data, stored under
// vectors/published-traces/mbedtls/), run through our key schedule and record layer instead of mbedTLS's: each
// case's expected bytes must be what our functions give for its inputs. The values come from RFC 8448 and the
// Illustrated TLS 1.3 (tls13.ulfheim.net) as mbedTLS copied them, so the file is also an independent
// transcription of both; where cases chain (Early Secret -> Handshake Secret -> Master Secret, the resumption
// PSK -> the early secret -> the binder) our KeySchedule is walked along the chain.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { nobleProvider } from '../../src/crypto/noble.js';
import { deriveSecret, finishedVerifyData, hkdfExpandLabel, KeySchedule, SECRETS, trafficKeys } from '../../src/handshake/keyschedule.js';
import { SUITES } from '../../src/handshake/suites.js';
import { RecordProtection } from '../../src/record/protection.js';
import { fromHex, hex } from '../../src/wire/bytes.js';
import { CipherSuite, ContentType } from '../../src/wire/enums.js';

interface MbedtlsCase {
  title: string;
  fn: string;
  /** The arguments after the function name: quoted hex strings unquoted, the rest (labels, constants) as written. */
  args: string[];
}

function loadCases(): MbedtlsCase[] {
  const text = readFileSync(new URL('../../vectors/published-traces/mbedtls/test_suite_ssl-tls13-key-schedule.data', import.meta.url), 'utf8');
  return text
    .split(/\n\s*\n/)
    .map((block) => block.split('\n').filter((line) => line !== '' && !line.startsWith('#')))
    .filter((lines) => lines.length > 0)
    .map(([title, ...rest]) => {
      const [fn, ...args] = rest.find((line) => !line.startsWith('depends_on:'))!.split(':');
      return { title: title!, fn: fn!, args: args.map((arg) => arg.replace(/^"(.*)"$/, '$1')) };
    });
}

const CASES = loadCases();
const suite = SUITES.get(CipherSuite.TLS_AES_128_GCM_SHA256)!;
const provider = nobleProvider;
const bytes = fromHex;
/** mbedTLS names its labels tls13_label_<label with '_' for ' '>: tls13_label_c_hs_traffic is "c hs traffic". */
const labelOf = (name: string) => name.replace(/^tls13_label_/, '').replaceAll('_', ' ');
const casesOf = (fn: string) => CASES.filter((c) => c.fn === fn);

describe('mbedTLS test_suite_ssl.data: TLS 1.3 key schedule and record protection', () => {
  it('holds the cases read here, every one of them SHA-256 / AES-128-GCM', () => {
    expect(CASES).toHaveLength(34);
    const handled = ['ssl_tls13_key_evolution', 'ssl_tls13_hkdf_expand_label', 'ssl_tls13_traffic_key_generation', 'ssl_tls13_derive_secret', 'ssl_tls13_derive_early_secrets', 'ssl_tls13_derive_handshake_secrets', 'ssl_tls13_derive_application_secrets', 'ssl_tls13_derive_resumption_secrets', 'ssl_tls13_create_psk_binder', 'ssl_tls13_record_protection'];
    for (const c of CASES) {
      expect(handled, c.title).toContain(c.fn);
      expect(c.args[0], c.title).toMatch(/^(PSA_ALG_SHA_256|MBEDTLS_TLS1_3_AES_128_GCM_SHA256)$/);
    }
  });

  it('secret evolution: our KeySchedule steps from no PSK to the Early Secret, the Handshake Secret (with the ECDHE secret) and the Master Secret', () => {
    const [toEarly, toHandshake, toMaster] = casesOf('ssl_tls13_key_evolution');
    expect(toEarly!.args.slice(1, 3)).toEqual(['', '']);
    const schedule = new KeySchedule(provider, suite);
    expect(hex(schedule.earlySecret)).toBe(toEarly!.args[3]);
    expect(toHandshake!.args[1]).toBe(toEarly!.args[3]);
    expect(hex(schedule.enterHandshake(bytes(toHandshake!.args[2]!)))).toBe(toHandshake!.args[3]);
    expect(toMaster!.args.slice(1, 3)).toEqual([toHandshake!.args[3], '']);
    expect(hex(schedule.enterMaster())).toBe(toMaster!.args[3]);
  });

  it.each(casesOf('ssl_tls13_hkdf_expand_label').map((c) => [c.title, c]))('%s: our HKDF-Expand-Label', (_, c) => {
    const [, secret, label, context, length, expected] = c.args;
    expect(hex(hkdfExpandLabel(provider, suite, bytes(secret!), labelOf(label!), bytes(context!), Number(length)))).toBe(expected);
  });

  it.each(casesOf('ssl_tls13_traffic_key_generation').map((c) => [c.title, c]))('%s: our traffic keys and IVs of both secrets', (_, c) => {
    const [, serverSecret, clientSecret, ivLength, keyLength, serverKey, serverIv, clientKey, clientIv] = c.args;
    expect([Number(ivLength), Number(keyLength)]).toEqual([12, suite.keyLength]);
    const server = trafficKeys(provider, suite, bytes(serverSecret!));
    const client = trafficKeys(provider, suite, bytes(clientSecret!));
    expect([hex(server.key), hex(server.iv), hex(client.key), hex(client.iv)]).toEqual([serverKey, serverIv, clientKey, clientIv]);
  });

  it.each(casesOf('ssl_tls13_derive_secret').map((c) => [c.title, c]))('%s: our Derive-Secret', (_, c) => {
    const [, secret, label, context, length, hashed, expected] = c.args;
    expect(Number(length)).toBe(suite.hashLength);
    // Derive-Secret takes Transcript-Hash(Messages) (RFC 8446 §7.1): an unhashed context is hashed first.
    const transcriptHash = hashed === 'MBEDTLS_SSL_TLS1_3_CONTEXT_UNHASHED' ? provider.hash(suite.hash, bytes(context!)) : bytes(context!);
    expect(hex(deriveSecret(provider, suite, bytes(secret!), labelOf(label!), transcriptHash))).toBe(expected);
  });

  it('early secrets: our KeySchedule with mbedTLS\'s resumption PSK (its HKDF Expand Label #10) has the early secret, then its c e traffic and e exp master', () => {
    const [c] = casesOf('ssl_tls13_derive_early_secrets');
    const [, earlySecret, transcriptHash, clientEarlyTraffic, earlyExporter] = c!.args;
    const psk = CASES.find((k) => k.title.includes('HKDF Expand Label #10'))!.args[5]!;
    const schedule = new KeySchedule(provider, suite, bytes(psk));
    expect(hex(schedule.earlySecret)).toBe(earlySecret);
    const secrets = schedule.earlySecrets(bytes(transcriptHash!));
    expect([hex(secrets.clientEarlyTraffic), hex(secrets.earlyExporter)]).toEqual([clientEarlyTraffic, earlyExporter]);
  });

  it('handshake, application and resumption secrets: Derive-Secret with the labels of our SECRETS table', () => {
    const derive = (secret: string, name: keyof typeof SECRETS, transcriptHash: string) => hex(deriveSecret(provider, suite, bytes(secret), SECRETS[name].label, bytes(transcriptHash)));
    const [handshake] = casesOf('ssl_tls13_derive_handshake_secrets');
    const [hsSecret, hsHash, client, server] = handshake!.args.slice(1);
    expect([derive(hsSecret!, 'client_handshake_traffic_secret', hsHash!), derive(hsSecret!, 'server_handshake_traffic_secret', hsHash!)]).toEqual([client, server]);
    const [application] = casesOf('ssl_tls13_derive_application_secrets');
    const [masterSecret, apHash, clientAp, serverAp, exporter] = application!.args.slice(1);
    expect([
      derive(masterSecret!, 'client_application_traffic_secret_0', apHash!),
      derive(masterSecret!, 'server_application_traffic_secret_0', apHash!),
      derive(masterSecret!, 'exporter_master_secret', apHash!),
    ]).toEqual([clientAp, serverAp, exporter]);
    const [resumption] = casesOf('ssl_tls13_derive_resumption_secrets');
    const [resMaster, resHash, expected] = resumption!.args.slice(1);
    expect(derive(resMaster!, 'resumption_master_secret', resHash!)).toBe(expected);
  });

  it('PSK binder: a Finished-style HMAC under our "res binder" key (RFC 8446 §4.2.11.2), and not under "ext binder"', () => {
    const [c] = casesOf('ssl_tls13_create_psk_binder');
    const [, psk, kind, truncatedHelloHash, binder] = c!.args;
    expect(kind).toBe('MBEDTLS_SSL_TLS1_3_PSK_RESUMPTION');
    const schedule = new KeySchedule(provider, suite, bytes(psk!));
    expect(hex(finishedVerifyData(provider, suite, schedule.binderKey(true), bytes(truncatedHelloHash!)))).toBe(binder);
    expect(hex(finishedVerifyData(provider, suite, schedule.binderKey(false), bytes(truncatedHelloHash!)))).not.toBe(binder);
  });

  describe.each(casesOf('ssl_tls13_record_protection').map((c) => [c.title, c]))('%s', (_, c) => {
    const [, endpoint, sequence, granularity, serverKey, serverIv, clientKey, clientIv, plaintext, encrypted] = c.args;
    const [key, iv] = endpoint === 'MBEDTLS_SSL_IS_CLIENT' ? [clientKey!, clientIv!] : [serverKey!, serverIv!];
    /** Our protection under the sender's key, at the case's sequence number (records before it sealed and dropped). */
    const protectionAt = (sequenceNumber: number, ofKey = key) => {
      const protection = new RecordProtection(provider, suite.aead, bytes(ofKey), bytes(iv));
      for (let n = 0; n < sequenceNumber; n++) protection.seal(ContentType.application_data, new Uint8Array(0));
      return protection;
    };
    const record = `170303${(encrypted!.length / 2).toString(16).padStart(4, '0')}${encrypted}`;

    it('our record layer seals the application data into mbedTLS\'s record byte for byte (no padding: granularity 1)', () => {
      expect(granularity).toBe('1');
      expect(hex(protectionAt(Number(sequence)).seal(ContentType.application_data, bytes(plaintext!)))).toBe(record);
    });

    it('our record layer opens it at that sequence number only, and not under the other side\'s key', () => {
      expect(protectionAt(Number(sequence)).open(bytes(record))).toEqual({ contentType: ContentType.application_data, content: bytes(plaintext!), protected: true });
      expect(() => protectionAt(Number(sequence) + 1).open(bytes(record))).toThrow(/AEAD/);
      const otherKey = key === clientKey ? serverKey! : clientKey!;
      expect(() => protectionAt(Number(sequence), otherKey).open(bytes(record))).toThrow(/AEAD/);
    });
  });
});
