// Go's server after its HelloRetryRequest (Server-TLSv13-HelloRetryRequest, go-crypto-tls-traces.ts) read with our
// code: Go's P-256 key follows the same zero-randomness rule as its client's (go-crypto-tls-hrr-trace.ts), so our
// secp256r1 agreement with OpenSSL's second share gives the shared secret; with ClientHello1 as message_hash
// (RFC 8446 §4.4.1) in our Transcript, every record opens, Go's CertificateVerify verifies in the server's context
// and both Finished are ours. Given that key through its randomness, our server writes Go's retry ServerHello
// byte for byte, share included.
import { p256 } from '@noble/curves/nist.js';
import { describe, expect, it } from 'vitest';
import { nobleProvider } from '../../src/crypto/noble.js';
import { Connection } from '../../src/handshake/connection.js';
import { finishedVerifyData, KeySchedule } from '../../src/handshake/keyschedule.js';
import { SUITES } from '../../src/handshake/suites.js';
import { splitHandshakeMessages } from '../../src/testing/tamper.js';
import { fromHex, hex } from '../../src/wire/bytes.js';
import { decodeHandshake, encodeHandshake } from '../../src/wire/messages.js';
import type { ClientHello, ServerHello } from '../../src/wire/types.js';
import { serverConfig } from '../handshake/abort-harness.js';
import { PeerReader } from '../conformance/harness.js';
import { GO_HRR_CLIENT_TRACE } from './go-crypto-tls-hrr-trace.js';
import { GO_HRR_SECOND_FLIGHT, GO_HRR_SERVER_REST, GO_SERVER_TRACES } from './go-crypto-tls-traces.js';
import { expectCertificateVerify, messageHashTranscript, verifyDataOf } from './go-replay-checks.js';
import { splitRecords } from './rfc8448-replay.js';

const HANDSHAKE = 22;
const APPLICATION_DATA = 23;
const KEY_SHARE = 51;
const SUPPORTED_VERSIONS = 43;
const SECP256R1 = 0x0017;
const goP256Key = fromHex(GO_HRR_CLIENT_TRACE.goP256PrivateKey);

const clientHello1 = fromHex(GO_SERVER_TRACES.helloRetryRequest.clientHello).subarray(5);
const helloRetryRequest = splitRecords(fromHex(GO_SERVER_TRACES.helloRetryRequest.serverReply))[0]!.subarray(5);
const clientHello2 = splitRecords(fromHex(GO_HRR_SECOND_FLIGHT.clientHello))[1]!.subarray(5);
const serverHello = fromHex(GO_HRR_SECOND_FLIGHT.serverHello).subarray(5);
const hello = decodeHandshake(serverHello) as ServerHello;
const offer = decodeHandshake(clientHello2) as ClientHello;
const suite = SUITES.get(hello.cipherSuite)!;
const goShare = hello.extensions.find((e) => e.type === KEY_SHARE)!.data.subarray(4);
const openSslShare = offer.extensions.find((e) => e.type === KEY_SHARE)!.data.subarray(6); // past list length, group, length

const transcriptHash = (...after: Uint8Array[]) => messageHashTranscript(suite, clientHello1, helloRetryRequest, clientHello2, serverHello, ...after);

const schedule = new KeySchedule(nobleProvider, suite);
schedule.enterHandshake(nobleProvider.keyExchange('secp256r1').decapsulate(goP256Key, openSslShare)!);
const secrets = schedule.handshakeTrafficSecrets(transcriptHash());
const encrypted = splitRecords(fromHex(GO_HRR_SERVER_REST.encryptedFlight));
const reader = new PeerReader(suite, secrets.server);
const messages = encrypted.slice(0, 4).flatMap((record) => splitHandshakeMessages(reader.open(record.subarray(5)).content));

describe("Go crypto/tls testdata, Server-TLSv13-HelloRetryRequest: Go's server after the retry, read with our code", () => {
  it("Go's P-256 share is its key's: our secp256r1 agreement of that key with the base point is the share's x, and OpenSSL's second ClientHello offers secp256r1", () => {
    expect(hex(nobleProvider.keyExchange('secp256r1').decapsulate(goP256Key, p256.Point.BASE.toBytes(false))!)).toBe(hex(goShare.subarray(1, 33)));
    const offered = offer.extensions.find((e) => e.type === KEY_SHARE)!.data;
    expect((offered[2]! << 8) | offered[3]!).toBe(SECP256R1);
  });

  it("with ClientHello1 as message_hash, Go's flight opens under our server handshake key and re-encodes byte for byte", () => {
    expect(messages.map((m) => decodeHandshake(m).kind)).toEqual(['encrypted_extensions', 'certificate', 'certificate_verify', 'finished']);
    for (const message of [clientHello2, serverHello, ...messages]) expect(hex(encodeHandshake(decodeHandshake(message)))).toBe(hex(message));
  });

  it("Go's CertificateVerify verifies over the message_hash transcript in the server's context only; one flipped byte fails", () => {
    expectCertificateVerify(messages[1]!, messages[2]!, 'server', transcriptHash(...messages.slice(0, 2)));
  });

  it("both Finished are ours; Go's ticket, data and close_notify open under server_application_traffic_secret_0", () => {
    expect(hex(verifyDataOf(messages[3]!))).toBe(hex(finishedVerifyData(nobleProvider, suite, secrets.server, transcriptHash(...messages.slice(0, 3)))));
    const [clientFinished] = splitRecords(fromHex(GO_HRR_SERVER_REST.clientFinished));
    const opened = new PeerReader(suite, secrets.client).open(clientFinished!.subarray(5));
    expect(hex(verifyDataOf(opened.content))).toBe(hex(finishedVerifyData(nobleProvider, suite, secrets.client, transcriptHash(...messages))));

    schedule.enterMaster();
    const app = new PeerReader(suite, schedule.applicationSecrets(transcriptHash(...messages)).server);
    const after = [...encrypted.slice(4), ...splitRecords(fromHex(GO_HRR_SERVER_REST.serverAfter))].map((record) => app.open(record.subarray(5)));
    expect(after.map((r) => r.type)).toEqual([HANDSHAKE, APPLICATION_DATA, 21]);
    expect(decodeHandshake(after[0]!.content).kind).toBe('new_session_ticket');
    expect([...after[2]!.content]).toEqual([1, 0]); // close_notify, warning level
  });

  it("our P-256-only server, given Go's key through its randomness, writes Go's retry ServerHello byte for byte", () => {
    // Our P-256 keys come from 48 random bytes r as (r mod (n-1)) + 1 (noble's mapping): r = Go's key - 1.
    const seed = new Uint8Array(48);
    seed.set(fromHex((BigInt('0x' + GO_HRR_CLIENT_TRACE.goP256PrivateKey) - 1n).toString(16).padStart(64, '0')), 16);
    const server = Connection.server(
      serverConfig({
        groups: [SECP256R1],
        random: (length) => (length === seed.length ? seed.slice() : new Uint8Array(length)),
        serverFlight: { extensionOrder: { serverHello: [SUPPORTED_VERSIONS, KEY_SHARE], helloRetryRequest: [SUPPORTED_VERSIONS, KEY_SHARE] } },
      }),
    );
    server.receive(fromHex(GO_SERVER_TRACES.helloRetryRequest.clientHello));
    expect(hex(server.takeOutput())).toBe(GO_SERVER_TRACES.helloRetryRequest.serverReply);
    server.receive(fromHex(GO_HRR_SECOND_FLIGHT.clientHello));
    expect(hex(splitRecords(server.takeOutput())[0]!)).toBe(GO_HRR_SECOND_FLIGHT.serverHello);
  });
});
