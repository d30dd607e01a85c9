// A real HelloRetryRequest conversation (Go's client, OpenSSL's server; go-crypto-tls-hrr-trace.ts) read with our
// code: our X25519 and P-256 make Go's shares from Go's zero-derived keys, our Transcript replaces ClientHello1 by
// its message_hash (RFC 8446 §4.4.1), and with that transcript our key schedule opens every protected record,
// OpenSSL's CertificateVerify verifies and both Finished messages are the ones we compute. Without the
// message_hash construction nothing after the ServerHello would check.
import { p256 } from '@noble/curves/nist.js';
import { describe, expect, it } from 'vitest';
import { nobleProvider } from '../../src/crypto/noble.js';
import { finishedVerifyData, KeySchedule } from '../../src/handshake/keyschedule.js';
import { SUITES } from '../../src/handshake/suites.js';
import { Transcript } from '../../src/handshake/transcript.js';
import { splitHandshakeMessages } from '../../src/testing/tamper.js';
import { fromHex, hex } from '../../src/wire/bytes.js';
import { decodeHandshake, encodeHandshake } from '../../src/wire/messages.js';
import { PeerReader } from '../conformance/harness.js';
import { GO_HRR_CLIENT_TRACE as trace } from './go-crypto-tls-hrr-trace.js';
import { expectCertificateVerify, messageHashTranscript } from './go-replay-checks.js';
import { splitRecords } from './rfc8448-replay.js';

const CHANGE_CIPHER_SPEC = 20;
const HANDSHAKE = 22;
const APPLICATION_DATA = 23;
const KEY_SHARE = 51;
const SECP256R1 = 0x0017;

const clientHello1 = fromHex(trace.clientHello1).subarray(5);
const [retryRecord, retryCcs] = splitRecords(fromHex(trace.retryFlight));
const helloRetryRequest = retryRecord!.subarray(5);
const [goCcs, clientHello2Record] = splitRecords(fromHex(trace.clientHello2));
const clientHello2 = clientHello2Record!.subarray(5);
const [serverHelloRecord, ...protectedRecords] = splitRecords(fromHex(trace.serverFlight));
const serverHello = serverHelloRecord!.subarray(5);

const hello = decodeHandshake(serverHello);
if (hello.kind !== 'server_hello') throw new Error('flow 4 does not start with a ServerHello');
const suite = SUITES.get(hello.cipherSuite)!;
const serverShare = hello.extensions.find((e) => e.type === KEY_SHARE)!.data.subarray(4);
const p256Exchange = nobleProvider.keyExchange('secp256r1');
const sharedSecret = p256Exchange.decapsulate(fromHex(trace.goP256PrivateKey), serverShare)!;

/** Our transcript of the conversation so far: ClientHello1 as message_hash, then the messages in order (§4.4.1). */
const transcriptHash = (...after: Uint8Array[]) => messageHashTranscript(suite, clientHello1, helloRetryRequest, clientHello2, serverHello, ...after);

const schedule = new KeySchedule(nobleProvider, suite);
schedule.enterHandshake(sharedSecret);
const secrets = schedule.handshakeTrafficSecrets(transcriptHash());
const opened = openAll(secrets.server, protectedRecords);
const messages = opened.flatMap((record) => splitHandshakeMessages(record.content));

function openAll(secret: Uint8Array, records: Uint8Array[]) {
  const reader = new PeerReader(suite, secret);
  return records.map((record) => reader.open(record.subarray(5)));
}

describe("Go crypto/tls testdata, Client-TLSv13-HelloRetryRequest: OpenSSL's HelloRetryRequest and the handshake after it, read with our code", () => {
  it("Go's first ClientHello holds the X25519 share of its zero key; OpenSSL's HelloRetryRequest asks for secp256r1; both re-encode byte for byte", () => {
    const x25519 = nobleProvider.keyExchange('x25519').generate((length) => new Uint8Array(length));
    expect(hex(clientHello1)).toContain(hex(x25519.share));
    const retry = decodeHandshake(helloRetryRequest);
    if (retry.kind !== 'hello_retry_request') throw new Error(`a ${retry.kind}, not a HelloRetryRequest`);
    expect(retry.cipherSuite).toBe(hello.cipherSuite); // §4.1.4: the ServerHello keeps the HelloRetryRequest's suite
    const selected = retry.extensions.find((e) => e.type === KEY_SHARE)!.data;
    expect((selected[0]! << 8) | selected[1]!).toBe(SECP256R1);
    expect(retryCcs![0]).toBe(CHANGE_CIPHER_SPEC);
    for (const message of [clientHello1, helloRetryRequest, clientHello2, serverHello]) {
      expect(hex(encodeHandshake(decodeHandshake(message)))).toBe(hex(message));
    }
  });

  it("Go's second ClientHello holds the P-256 share of Go's key: our secp256r1 agreement of that key with the base point is the share's x", () => {
    expect(goCcs![0]).toBe(CHANGE_CIPHER_SPEC);
    const second = decodeHandshake(clientHello2);
    if (second.kind !== 'client_hello') throw new Error('flow 3 holds no ClientHello');
    const shares = second.extensions.find((e) => e.type === KEY_SHARE)!.data;
    expect((shares[2]! << 8) | shares[3]!).toBe(SECP256R1); // one entry: the group the HelloRetryRequest named (§4.1.2)
    const goShare = shares.subarray(6);
    const base = p256.Point.BASE.toBytes(false);
    expect(hex(p256Exchange.decapsulate(fromHex(trace.goP256PrivateKey), base)!)).toBe(hex(goShare.subarray(1, 33)));
  });

  it('with ClientHello1 as message_hash, every protected record of OpenSSL opens and each message re-encodes byte for byte', () => {
    expect(opened.map((r) => r.type)).toEqual([HANDSHAKE, HANDSHAKE, HANDSHAKE, HANDSHAKE]);
    expect(messages.map((m) => decodeHandshake(m).kind)).toEqual(['encrypted_extensions', 'certificate', 'certificate_verify', 'finished']);
    for (const message of messages) expect(hex(encodeHandshake(decodeHandshake(message)))).toBe(hex(message));
  });

  it("OpenSSL's CertificateVerify verifies, with our code, over the message_hash transcript in the server's context; one flipped signature byte fails", () => {
    expectCertificateVerify(messages[1]!, messages[2]!, 'server', transcriptHash(...messages.slice(0, 2)));
  });

  it("OpenSSL's Finished is our verify_data over the message_hash transcript, and not over one that keeps ClientHello1 itself (§4.4.1)", () => {
    const finished = decodeHandshake(messages[3]!);
    if (finished.kind !== 'finished') throw new Error('no Finished');
    const expected = finishedVerifyData(nobleProvider, suite, secrets.server, transcriptHash(...messages.slice(0, 3)));
    expect(hex(finished.verifyData)).toBe(hex(expected));
    const plain = new Transcript(nobleProvider);
    for (const message of [clientHello1, helloRetryRequest, clientHello2, serverHello, ...messages.slice(0, 3)]) plain.add(message);
    plain.selectHash(suite.hash);
    expect(hex(finishedVerifyData(nobleProvider, suite, secrets.server, plain.current()))).not.toBe(hex(expected));
  });

  it("Go's Finished is our verify_data; its data, OpenSSL's NewSessionTickets and Go's close_notify open under the application secrets", () => {
    const [goFinished, ...goData] = splitRecords(fromHex(trace.clientFlight));
    const finished = decodeHandshake(new PeerReader(suite, secrets.client).open(goFinished!.subarray(5)).content);
    if (finished.kind !== 'finished') throw new Error('no Finished');
    expect(hex(finished.verifyData)).toBe(hex(finishedVerifyData(nobleProvider, suite, secrets.client, transcriptHash(...messages))));

    schedule.enterMaster();
    const app = schedule.applicationSecrets(transcriptHash(...messages));
    const tickets = openAll(app.server, splitRecords(fromHex(trace.newSessionTickets)));
    expect(tickets.map((r) => r.type)).toEqual([HANDSHAKE, HANDSHAKE]);
    for (const { content } of tickets) {
      expect(decodeHandshake(content).kind).toBe('new_session_ticket');
      expect(hex(encodeHandshake(decodeHandshake(content)))).toBe(hex(content));
    }
    const fromGo = openAll(app.client, [...goData, ...splitRecords(fromHex(trace.closeNotify))]);
    expect(fromGo.map((r) => r.type)).toEqual([...goData.map(() => APPLICATION_DATA), 21]);
    expect([...fromGo.at(-1)!.content]).toEqual([1, 0]); // close_notify, warning level
  });
});
