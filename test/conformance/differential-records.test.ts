// Differential conformance, record layer and message flow (tlsfuzzer's test-tls13-record-layer-limits,
// -zero-length-data, -ccs, -finished, -unencrypted-alert, -count-tickets-style probes): the same records to our
// server, to OpenSSL 3.0's s_server and to gnutls-serv; see differential-harness.ts. Where an outcome differs,
// `verdict` says who is right by RFC 8446.
import { concat } from '../../src/wire/bytes.js';
import { CipherSuite, ContentType, ExtensionType } from '../../src/wire/enums.js';
import { encodeHandshake } from '../../src/wire/messages.js';
import { record } from '../handshake/abort-harness.js';
import { type DifferentialCase, differential, helloExtensions, type Run } from './differential-harness.js';
import type { Answer, ScriptedClient } from './scripted-client.js';

const { change_cipher_spec: CHANGE_CIPHER_SPEC, alert: ALERT, handshake: HANDSHAKE, application_data: APPLICATION_DATA } = ContentType;
const AES_128_GCM = CipherSuite.TLS_AES_128_GCM_SHA256;

/** Our usual ClientHello, encoded, not sent. */
const helloBytes = (c: ScriptedClient) => c.encodeHello(0x0303, [AES_128_GCM], helloExtensions(c));
/** The usual ClientHello, sent. */
const hello = (run: Run) => run.step((c) => c.hello([AES_128_GCM], helloExtensions(c)));
/** The ClientHello, then `then` in place of the Finished; the Finished after it if `finish`. */
const afterHello = (then: (c: ScriptedClient) => Answer, finish = false) => async (run: Run) => {
  await hello(run);
  await run.step(then);
  if (finish) await run.step((c) => c.finish());
};
/** A full handshake, then `then`. */
const afterFinished = (then: (c: ScriptedClient) => Answer) => async (run: Run) => {
  await hello(run);
  await run.step((c) => c.finish());
  await run.step(then);
};

/** The ClientHello in records with `records` around and between its two halves (a handshake message split, §5.1). */
const splitHello = (between: Uint8Array, { before = new Uint8Array(0) as Uint8Array, version = 0x0303 } = {}) => (run: Run) =>
  run.step((c) => {
    const encoded = helloBytes(c);
    const half = encoded.length >> 1;
    return c.sendHelloRecords(encoded, concat(before, record(HANDSHAKE, encoded.subarray(0, half), version), between, record(HANDSHAKE, encoded.subarray(half), version)));
  });

const cases: DifferentialCase[] = [
  { name: 'the ClientHello in two records: read as one (§5.1)', script: splitHello(new Uint8Array(0)), ours: 'finished, open' },
  { name: 'record version 0x0301 on the ClientHello (§5.1: MAY be 0x0301)', script: splitHello(new Uint8Array(0), { version: 0x0301 }), ours: 'finished, open' },
  { name: 'record version 0x0300 on the ClientHello (§5.1: MUST be ignored)', script: splitHello(new Uint8Array(0), { version: 0x0300 }), ours: 'finished, open' },
  { name: 'record version 0x0000 on the ClientHello', script: splitHello(new Uint8Array(0), { version: 0x0000 }), ours: 'finished, open', openssl: 'silent, closed', gnutls: 'protocol_version, closed', verdict: 'both: §5.1 says legacy_record_version MUST be ignored for all purposes, App. D.5 that implementations SHOULD NOT accept a version below 0x0300 \"(but may inadvertently do so if the record version number is ignored completely)\"; we ignore it, as docs/robustness.md decided' },
  { name: 'record version 0xffff on the ClientHello', script: splitHello(new Uint8Array(0), { version: 0xffff }), ours: 'finished, open', openssl: 'silent, closed', gnutls: 'protocol_version, closed', verdict: 'ours: §5.1, MUST be ignored (App. D.5 speaks only of versions below 0x0300); OpenSSL drops a record whose major version is not 3 without an alert' },
  { name: 'a zero-length handshake record before the ClientHello (§5.1: MUST NOT be sent)', script: splitHello(new Uint8Array(0), { before: record(HANDSHAKE, new Uint8Array(0)) }), ours: 'unexpected_message, closed', openssl: 'finished, open', verdict: 'both: §5.1 forbids sending zero-length handshake fragments and names no alert for receiving one; OpenSSL skips it, we (and GnuTLS, and tlsfuzzer) call it unexpected_message' },
  { name: 'a zero-length handshake record between the halves of the ClientHello', script: splitHello(record(HANDSHAKE, new Uint8Array(0))), ours: 'unexpected_message, closed', openssl: 'finished, open', verdict: 'both, as before the ClientHello' },
  { name: 'a warning alert between the halves of the ClientHello (§5.1: not interleaved)', script: splitHello(record(ALERT, Uint8Array.of(1, 90))), ours: 'unexpected_message, closed', gnutls: 'silent, closed', verdict: 'ours (and OpenSSL): §5.1, handshake messages MUST NOT be interleaved with other record types; GnuTLS closes without saying why (§6: an error SHOULD be sent)' },
  { name: 'a CCS between the halves of the ClientHello', script: splitHello(record(CHANGE_CIPHER_SPEC, Uint8Array.of(1))), ours: 'unexpected_message, closed', gnutls: 'finished, open', verdict: 'ours (and OpenSSL): §5, a CCS is dropped only after the first ClientHello, and §5.1 forbids interleaving; GnuTLS drops it' },
  { name: 'a CCS before the ClientHello (§5: only after it)', script: splitHello(new Uint8Array(0), { before: record(CHANGE_CIPHER_SPEC, Uint8Array.of(1)) }), ours: 'unexpected_message, closed', gnutls: 'finished, open', verdict: 'ours (and OpenSSL): §5, a CCS before the first ClientHello MUST be treated as an unexpected record type; GnuTLS drops it' },
  { name: 'an unknown record type (24) before the ClientHello', script: splitHello(new Uint8Array(0), { before: record(24, Uint8Array.of(1, 0, 0)) }), ours: 'unexpected_message, closed' },
  {
    name: 'a ClientHello in one record of more than 2^14 bytes (§5.1: record_overflow)',
    script: (run) =>
      run.step((c) => {
        const encoded = c.encodeHello(0x0303, [AES_128_GCM], [...helloExtensions(c), { type: ExtensionType.padding, data: new Uint8Array(2 ** 14) }]);
        return c.sendHelloRecords(encoded, record(HANDSHAKE, encoded));
      }),
    ours: 'record_overflow, closed',
  },
  { name: 'a CCS after the ClientHello, then the Finished: dropped (§5)', script: afterHello((c) => c.sendRaw(record(CHANGE_CIPHER_SPEC, Uint8Array.of(1))), true), ours: 'finished, open' },
  { name: 'a CCS of value 2 after the ClientHello', script: afterHello((c) => c.sendRaw(record(CHANGE_CIPHER_SPEC, Uint8Array.of(2)))), ours: 'unexpected_message, closed', openssl: 'illegal_parameter, closed', openssl35: 'unexpected_message, closed', verdict: 'ours (and GnuTLS, and OpenSSL 3.5, which changed to it): §5 names unexpected_message for any other change_cipher_spec value' },
  { name: 'a CCS of two bytes after the ClientHello', script: afterHello((c) => c.sendRaw(record(CHANGE_CIPHER_SPEC, Uint8Array.of(1, 1)))), ours: 'unexpected_message, closed', openssl: 'illegal_parameter, closed', openssl35: 'unexpected_message, closed', verdict: 'ours (and GnuTLS, OpenSSL 3.5), as for the value 2' },
  { name: 'a CCS after the handshake (§5: not after the Finished)', script: afterFinished((c) => c.sendRaw(record(CHANGE_CIPHER_SPEC, Uint8Array.of(1)))), ours: 'unexpected_message, closed' },
  { name: 'a protected record of padding only before the Finished (§5.4)', script: afterHello((c) => c.sendRaw(c.sealInner(new Uint8Array(16)))), ours: 'unexpected_message, closed', gnutls: 'bad_record_mac, closed', verdict: 'ours (and OpenSSL): §5.4, no non-zero octet in the cleartext MUST be unexpected_message' },
  { name: 'a protected record of 2^14 + 1 bytes of handshake data (§5.4)', script: afterHello((c) => c.sendSealed(HANDSHAKE, new Uint8Array(2 ** 14 + 1))), ours: 'record_overflow, closed' },
  { name: 'a protected handshake record of no bytes (§5.1: zero-length fragments)', script: afterHello((c) => c.sendSealed(HANDSHAKE, new Uint8Array(0))), ours: 'unexpected_message, closed' },
  { name: 'application data before the Finished', script: afterHello((c) => c.sendSealed(APPLICATION_DATA, Uint8Array.of(1, 2, 3))), ours: 'unexpected_message, closed' },
  { name: 'the Finished in a plaintext record', script: afterHello((c) => c.finish({ plaintext: true })), ours: 'unexpected_message, closed', gnutls: 'bad_record_mac, closed', verdict: 'ours (and OpenSSL): §5, once keys are in use records are protected; a plaintext handshake record is an unexpected record, not a failed decryption' },
  {
    name: 'the Finished with one bit flipped (§4.4.4: decrypt_error)',
    script: afterHello((c) => {
      const finished = c.finishedMessage();
      finished[finished.length - 1]! ^= 1;
      return c.sendSealed(HANDSHAKE, finished);
    }),
    ours: 'decrypt_error, closed',
  },
  {
    name: 'the Finished one byte short',
    script: afterHello((c) => {
      const finished = c.finishedMessage();
      return c.sendSealed(HANDSHAKE, concat(Uint8Array.of(20, 0, 0, finished.length - 5), finished.subarray(4, -1)));
    }),
    ours: 'decode_error, closed',
  },
  { name: 'a ClientHello after the handshake (§4.1.2: not renegotiation)', script: afterFinished((c) => c.sendSealed(HANDSHAKE, helloBytes(c))), ours: 'unexpected_message, closed' },
  { name: 'a second Finished after the handshake', script: afterFinished((c) => c.sendSealed(HANDSHAKE, c.finishedMessage())), ours: 'unexpected_message, closed' },
  {
    name: 'a KeyUpdate in the Finished record (§5.1: a key change at a record boundary)',
    script: afterHello((c) => c.sendSealed(HANDSHAKE, concat(c.finishedMessage(), encodeHandshake({ kind: 'key_update', requestUpdate: 0 })))),
    ours: 'unexpected_message, closed',
  },
  { name: 'a protected record of unknown inner type 24 after the handshake', script: afterFinished((c) => c.sendSealed(24, Uint8Array.of(1))), ours: 'unexpected_message, closed' },
  { name: 'a warning alert of an unknown description after the handshake', script: afterFinished((c) => c.sendSealed(ALERT, Uint8Array.of(1, 0xfe))), ours: 'finished, closed', openssl35: 'finished, open', verdict: 'ours (and OpenSSL 3.0, GnuTLS): §6, unknown alert types MUST be treated as error alerts; node:tls 26 on OpenSSL 3.5 keeps the connection' },
  { name: 'a plaintext alert after the handshake (§5: protected once keys are in use)', script: afterFinished((c) => c.sendRaw(record(ALERT, Uint8Array.of(2, 40)))), ours: 'unexpected_message, closed', gnutls: 'bad_record_mac, closed', verdict: 'ours (and OpenSSL), as for the plaintext Finished' },
];

differential('the same records to our server, OpenSSL and GnuTLS', cases);
