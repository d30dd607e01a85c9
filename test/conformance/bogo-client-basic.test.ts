// BoGo's TLS 1.3 client tests of addBasicTests (boringssl ssl/test/runner/basic_tests.go, formerly runner.go)
// that bogo-client-records.test.ts and bogo-client-versions.test.ts do not hold, GREASE-Client-TLS13 among
// them, and of addCertificateTests (client_auth_tests.go), replayed against our client with the scripted
// server (anvil-server.ts, docs/bogo.md): records out of place (application data before the ServerHello or
// before the keys change, EncryptedExtensions in plaintext, a record type TLS does not define, a damaged
// record), the server's Certificate empty, garbage, long or with an intermediate, a wrong Finished, and what
// our ClientHello carries (TLS_FALLBACK_SCSV, GREASE).
import { describe, expect, it } from 'vitest';
import { makeIdentity } from '../../src/testing/certs.js';
import { utf8 } from '../../src/wire/bytes.js';
import type { Certificate, ClientHello } from '../../src/wire/types.js';
import { ca, record, rnd, server as serverIdentity } from '../handshake/abort-harness.js';
import { fails, replay, SUCCEEDS } from './bogo-harness.js';
import { APPLICATION_DATA, HANDSHAKE, ScriptedServer } from './anvil-server.js';

const TEST_MESSAGE = utf8.encode('TEST MESSAGE');
/** RFC 7507 §6. */
const TLS_FALLBACK_SCSV = 0x5600;
/** RFC 8701 §2: 0x0A0A, 0x1A1A, ..., 0xFAFA. */
const isGrease = (value: number) => (value & 0x0f0f) === 0x0a0a && value >> 8 === (value & 0xff);
const flipLast = (bytes: Uint8Array) => bytes.map((b, i) => (i === bytes.length - 1 ? b ^ 1 : b));

/** An honest handshake, then the records `make` writes under the server's application keys. */
function afterHandshake(make: (server: ScriptedServer) => Uint8Array) {
  const server = new ScriptedServer();
  server.handshake();
  return server.deliver(make(server));
}

/** The server's flight with its Certificate or Finished edited. */
function flightWith(edit: { certificate?: (m: Certificate) => Certificate; finished?: (bytes: Uint8Array) => Uint8Array }, server = new ScriptedServer()) {
  const hello = server.serverHello();
  const finishedFlight = [server.encryptedExtensions(), server.certificate(edit.certificate), server.certificateVerify()];
  const finished = server.finished();
  return server.deliver(hello, server.protect(...finishedFlight, edit.finished ? edit.finished(finished) : finished));
}

describe('addBasicTests: the TLS 1.3 client cases', () => {
  replay([
    // §4.4.2.4: "If the server supplies an empty Certificate message, the client MUST abort the handshake with a "decode_error" alert."
    { name: 'EmptyCertificateList-TLS13', expected: fails(':PEER_DID_NOT_RETURN_A_CERTIFICATE:'), ours: 'decode_error', run: () => flightWith({ certificate: (m) => ({ ...m, entries: [] }) }) },
    // damageFirstWrite: the runner's first application data record, one byte changed (§5.2: AEAD decryption fails).
    {
      name: 'TLSFatalBadPackets',
      expected: fails(':DECRYPTION_FAILED_OR_BAD_RECORD_MAC:'),
      ours: 'bad_record_mac',
      run: () => afterHandshake((server) => flipLast(server.seal(APPLICATION_DATA, TEST_MESSAGE))),
    },
    ...[TEST_MESSAGE, new Uint8Array(0)].flatMap((data) => {
      const suffix = data.length === 0 ? '-Empty' : '';
      return [
        // A plaintext application_data record before the ServerHello (§5: "MUST NOT be sent ... before the handshake").
        {
          name: `AppDataBeforeHandshake${suffix}`,
          expected: fails(':UNEXPECTED_RECORD:'),
          ours: 'unexpected_message' as const,
          run: () => {
            const server = new ScriptedServer();
            return server.deliver(record(APPLICATION_DATA, data), server.serverHello());
          },
        },
        // The same after the ServerHello, where every record is protected (§5.2): it does not decrypt.
        {
          name: `AppDataBeforeTLS13KeyChange${suffix}`,
          expected: fails(':BAD_DECRYPT:', 'bad_record_mac'),
          ours: 'bad_record_mac' as const,
          run: () => {
            const server = new ScriptedServer();
            return server.deliver(server.serverHello(), record(APPLICATION_DATA, data));
          },
        },
      ];
    }),
    {
      name: 'UnencryptedEncryptedExtensions',
      expected: fails(':DECRYPTION_FAILED_OR_BAD_RECORD_MAC:', 'bad_record_mac'),
      ours: 'unexpected_message',
      // A handshake record in plaintext once the handshake keys are in use: BoringSSL reads it as ciphertext
      // (bad MAC); we answer for its outer type, as §5 asks of a record of an unexpected type.
      divergence: 'RFC 8446 §5: "If a TLS implementation receives an unexpected record type, it MUST terminate the connection with an "unexpected_message" alert"; once keys are in use only application_data (and ChangeCipherSpec) records are expected (§5.2)',
      run: () => {
        const server = new ScriptedServer();
        return server.deliver(server.serverHello(), record(HANDSHAKE, server.encryptedExtensions()));
      },
    },
    // After the handshake, a protected record whose inner type is 42, which TLS does not define (§5: unexpected_message).
    { name: 'SendInvalidRecordType', expected: fails(':UNEXPECTED_RECORD:'), ours: 'unexpected_message', run: () => afterHandshake((server) => server.seal(42, utf8.encode('invalid record'))) },
    { name: 'BadFinished-Client-TLS13', expected: fails(':DIGEST_CHECK_FAILED:'), ours: 'decrypt_error', run: () => flightWith({ finished: flipLast }) },
    {
      // Fifty copies of the leaf behind it: a Certificate message over 2^14 bytes, in two records.
      name: 'LargeMessage',
      expected: SUCCEEDS,
      ours: 'continues',
      run: () => flightWith({ certificate: (m) => ({ ...m, entries: [...m.entries, ...Array.from({ length: 50 }, () => ({ data: serverIdentity.der, extensions: [] }))] }) }),
    },
  ]);
});

describe('addBasicTests: what our ClientHello carries', () => {
  const suites = (hello: ClientHello) => hello.cipherSuites;
  replay([
    {
      // -enable-grease is our clientHello.grease; the runner (ExpectGREASE) fails on a ClientHello without a GREASE extension.
      name: 'GREASE-Client-TLS13',
      expected: SUCCEEDS,
      ours: 'continues',
      run: () => {
        const server = new ScriptedServer({ clientHello: { grease: true } });
        const hello = server.clientHello;
        expect(hello.extensions.filter((e) => isGrease(e.type))).not.toEqual([]);
        expect(suites(hello).some(isGrease)).toBe(true);
        return server.handshake();
      },
    },
    {
      // -fallback-scsv: a client retrying with a lower version lists TLS_FALLBACK_SCSV (RFC 7507 §4); ours, when asked to.
      name: 'SendFallbackSCSV',
      expected: SUCCEEDS,
      ours: 'continues',
      run: () => {
        const server = new ScriptedServer({ clientHello: { advertisedCipherSuites: [0x1301, 0x1302, 0x1303, TLS_FALLBACK_SCSV] } });
        expect(suites(server.clientHello)).toContain(TLS_FALLBACK_SCSV);
        return server.handshake();
      },
    },
  ]);

  it('NoFallbackSCSV → the runner (FailIfNotFallbackSCSV) finds no TLS_FALLBACK_SCSV and fails; ours: none by default, nor GREASE', () => {
    const hello = new ScriptedServer().clientHello;
    expect(suites(hello)).not.toContain(TLS_FALLBACK_SCSV);
    expect(hello.extensions.filter((e) => isGrease(e.type))).toEqual([]);
  });
});

describe('addCertificateTests (client_auth_tests.go): the client cases at TLS 1.3', () => {
  const intermediate = makeIdentity({ subject: { CN: 'BoGo intermediate' }, issuer: ca, isCA: true, keyUsage: ['keyCertSign'] }, rnd);
  const serverChain = makeIdentity({ subject: { CN: 'bogo chain server' }, issuer: intermediate, sans: { dns: ['example.test'] }, extKeyUsage: ['serverAuth'], chainExtra: [intermediate.der] }, rnd);
  const clientChain = makeIdentity({ subject: { CN: 'bogo chain client' }, issuer: intermediate, extKeyUsage: ['clientAuth'], chainExtra: [intermediate.der] }, rnd);

  replay([
    {
      // Both sides send a leaf and its intermediate; the runner checks the chain it got (-expect-peer-cert-file).
      name: 'SendReceiveIntermediate-Client-TLS13',
      expected: SUCCEEDS,
      ours: 'continues',
      run: () => {
        const server = new ScriptedServer({ trust: { kind: 'ca', anchors: [ca.der] }, certificate: clientChain }, serverChain);
        const hello = server.serverHello();
        const ee = server.encryptedExtensions();
        const request = server.add({ kind: 'certificate_request', context: new Uint8Array(0), extensions: [{ type: 13, data: Uint8Array.of(0, 2, 8, 7) }] });
        const result = server.deliver(hello, server.protect(ee, request, server.certificate(), server.certificateVerify(), server.finished()));
        const ours = server.clientMessages.find((m): m is Certificate => m.kind === 'certificate');
        expect(ours?.entries.map((e) => e.data)).toEqual([clientChain.der, intermediate.der]);
        return result;
      },
      check: ({ victim }) => expect(victim.info.peer?.subject).toContain('bogo chain server'),
    },
    {
      name: 'GarbageCertificate-Client-TLS13',
      expected: fails(':CANNOT_PARSE_LEAF_CERT:', 'decode_error'),
      ours: 'bad_certificate',
      divergence: 'RFC 8446 §6.2: bad_certificate is "a certificate was corrupt"; the Certificate message itself decodes (the server side answers alike, docs/bogo-server.md)',
      run: () => flightWith({ certificate: (m) => ({ ...m, entries: [{ data: utf8.encode('GARBAGE'), extensions: [] }] }) }),
    },
  ]);
});
