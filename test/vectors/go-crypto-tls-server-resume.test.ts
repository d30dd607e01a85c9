// Go's server issues a ticket (Server-TLSv13-IssueTicket) and OpenSSL resumes with it (Server-TLSv13-Resume):
// both recorded in one run of Go's TestServerResumption, so the first recording holds everything the second
// needs. Go's X25519 key is 32 zero bytes: our key schedule opens the first conversation, derives its
// resumption_master_secret from the transcript through OpenSSL's Finished, and from Go's NewSessionTicket the
// PSK (RFC 8446 §4.6.1). With that PSK OpenSSL's binder is the one we compute, and the resumed handshake
// (psk_dhe_ke, Go's zero key again) opens and checks. Go's ticket is opaque to us: what it encrypts (with Go's
// ticket key) is never needed, since the PSK follows from the first conversation.
import { p256 as nistP256 } from '@noble/curves/nist.js';
import { describe, expect, it } from 'vitest';
import { nobleProvider } from '../../src/crypto/noble.js';
import { finishedVerifyData, KeySchedule, resumptionPsk } from '../../src/handshake/keyschedule.js';
import { concat, hex } from '../../src/wire/bytes.js';
import { bodyOf, preSharedKeyClientHello, preSharedKeyServerHello } from '../../src/wire/extensions.js';
import { decodeHandshake, encodeHandshake, truncateClientHelloForBinders } from '../../src/wire/messages.js';
import { PeerReader } from '../conformance/harness.js';
import { messageHashTranscript, verifyDataOf } from './go-replay-checks.js';
import { loadGoRecording } from './go-testdata.js';
import { GO_SERVER_KEYS, handshake, readServerFlight } from './go-server-replay.js';

const CHANGE_CIPHER_SPEC = 20;
const HANDSHAKE = 22;
const APPLICATION_DATA = 23;
const GO_P256_KEY = GO_SERVER_KEYS[0x0017].key;
const PRE_SHARED_KEY = 41;
const issue = handshake('Server-TLSv13-IssueTicket');
const issued = readServerFlight(issue, 4);
const ticketMessage = decodeHandshake(issued.afterFlight[0]!.content);
if (ticketMessage.kind !== 'new_session_ticket') throw new Error('no NewSessionTicket after Go\'s Finished');
const resumptionMasterSecret = issue.schedule.resumptionMasterSecret(issue.transcriptHash(...issued.messages, issued.clientFinished.content));
const psk = resumptionPsk(nobleProvider, issue.suite, resumptionMasterSecret, ticketMessage.nonce);

describe("Go crypto/tls testdata, Server-TLSv13-IssueTicket: Go's ticket, read with our code (the handshake: go-crypto-tls-server-flights.test.ts)", () => {
  it("Go's NewSessionTicket opens under server_application_traffic_secret_0 and re-encodes byte for byte", () => {
    expect(issued.afterFlight.map((r) => r.type)).toEqual([HANDSHAKE]);
    expect(hex(encodeHandshake(ticketMessage))).toBe(hex(issued.afterFlight[0]!.content));
    const [data, close] = issue.serverLast.map((record) => issued.appReader.open(record.subarray(5)));
    expect(data!.type).toBe(APPLICATION_DATA);
    expect([close!.type, ...close!.content]).toEqual([21, 1, 0]); // close_notify
  });
});

describe("Go crypto/tls testdata, Server-TLSv13-Resume: OpenSSL resumes with Go's ticket, read with the PSK our key schedule derives", () => {
  const resume = handshake('Server-TLSv13-Resume', psk);
  const offered = bodyOf(preSharedKeyClientHello, resume.decodedClientHello.extensions.at(-1)!);

  it("OpenSSL offers Go's ticket as its one identity, and its binder is the one we compute with the \"res binder\" key (§4.2.11.2)", () => {
    expect(resume.decodedClientHello.extensions.at(-1)!.type).toBe(PRE_SHARED_KEY);
    expect(offered.identities.map((id) => hex(id.identity))).toEqual([hex(ticketMessage.ticket)]);
    const truncatedHash = nobleProvider.hash(resume.suite.hash, truncateClientHelloForBinders(resume.clientHello));
    const binder = (schedule: KeySchedule, resumption: boolean) => hex(finishedVerifyData(nobleProvider, resume.suite, schedule.binderKey(resumption), truncatedHash));
    expect(binder(resume.schedule, true)).toBe(hex(offered.binders[0]!));
    // the same PSK under the external-PSK label, or another ticket nonce, gives another binder
    expect(binder(resume.schedule, false)).not.toBe(hex(offered.binders[0]!));
    const otherNonce = resumptionPsk(nobleProvider, issue.suite, resumptionMasterSecret, Uint8Array.of(1));
    expect(binder(new KeySchedule(nobleProvider, resume.suite, otherNonce), true)).not.toBe(hex(offered.binders[0]!));
  });

  it("Go's ServerHello selects identity 0; its EncryptedExtensions and Finished (no Certificate, §4.4.2) open under the PSK-and-ECDHE schedule", () => {
    const selected = resume.decodedHello.extensions.find((e) => e.type === PRE_SHARED_KEY)!;
    expect(bodyOf(preSharedKeyServerHello, selected)).toBe(0);
    expect(hex(encodeHandshake(decodeHandshake(resume.clientHello)))).toBe(hex(resume.clientHello));
    expect(hex(encodeHandshake(resume.decodedHello))).toBe(hex(resume.serverHello));
    const { messages, clientFinished, afterFlight } = readServerFlight(resume, 2);
    expect(resume.ccs.map((record) => record[0])).toEqual([CHANGE_CIPHER_SPEC, CHANGE_CIPHER_SPEC]);
    expect(messages.map((m) => decodeHandshake(m).kind)).toEqual(['encrypted_extensions', 'finished']);
    for (const message of messages) expect(hex(encodeHandshake(decodeHandshake(message)))).toBe(hex(message));
    expect(hex(verifyDataOf(messages[1]!))).toBe(hex(finishedVerifyData(nobleProvider, resume.suite, resume.secrets.server, resume.transcriptHash(messages[0]!))));
    expect(hex(verifyDataOf(clientFinished.content))).toBe(hex(finishedVerifyData(nobleProvider, resume.suite, resume.secrets.client, resume.transcriptHash(...messages))));
    expect(afterFlight.map((r) => decodeHandshake(r.content).kind)).toEqual(['new_session_ticket']);
  });

  it('without the PSK (a full-handshake schedule on the same ECDHE secret) nothing of Go\'s flight opens', () => {
    const unresumed = handshake('Server-TLSv13-Resume');
    expect(() => new PeerReader(unresumed.suite, unresumed.secrets.server).open(unresumed.serverRecords[0]!.subarray(5))).toThrow();
  });
});

// Server-TLSv13-Resume-HelloRetryRequest: the same ticket offered to a P-256-only Go server. After the
// HelloRetryRequest the second binder covers message_hash(ClientHello1), the HelloRetryRequest and the truncated
// ClientHello2 (RFC 8446 §4.2.11.2, §4.4.1), and the handshake runs on the PSK and Go's P-256 key.
describe("Go crypto/tls testdata, Server-TLSv13-Resume-HelloRetryRequest: both binders and the resumed handshake after a HelloRetryRequest", () => {
  const [flow1, flow2, flow3, flow4, flow5, flow6] = loadGoRecording('Server-TLSv13-Resume-HelloRetryRequest');
  const clientHello1 = flow1!.records[0]!.subarray(5);
  const helloRetryRequest = flow2!.records[0]!.subarray(5);
  const clientHello2 = flow3!.records[1]!.subarray(5);
  const [serverHelloRecord, ...serverRecords] = flow4!.records;
  const serverHello = serverHelloRecord!.subarray(5);
  const suite = issue.suite;
  const schedule = new KeySchedule(nobleProvider, suite, psk);
  const binderOf = (transcriptHash: Uint8Array) => hex(finishedVerifyData(nobleProvider, suite, schedule.binderKey(true), transcriptHash));
  const offeredIn = (clientHello: Uint8Array) => {
    const hello = decodeHandshake(clientHello);
    if (hello.kind !== 'client_hello') throw new Error('not a ClientHello');
    return { hello, offered: bodyOf(preSharedKeyClientHello, hello.extensions.at(-1)!) };
  };

  it("ClientHello1's binder is over itself; ClientHello2's over message_hash(ClientHello1), the HelloRetryRequest and itself, truncated", () => {
    const first = offeredIn(clientHello1).offered;
    const second = offeredIn(clientHello2).offered;
    expect([first, second].map((o) => hex(o.identities[0]!.identity))).toEqual([hex(ticketMessage.ticket), hex(ticketMessage.ticket)]);
    expect(binderOf(nobleProvider.hash(suite.hash, truncateClientHelloForBinders(clientHello1)))).toBe(hex(first.binders[0]!));
    const truncated2 = truncateClientHelloForBinders(clientHello2);
    expect(binderOf(messageHashTranscript(suite, clientHello1, helloRetryRequest, truncated2))).toBe(hex(second.binders[0]!));
    // a transcript that keeps ClientHello1 whole gives another binder
    expect(binderOf(nobleProvider.hash(suite.hash, concat(clientHello1, helloRetryRequest, truncated2)))).not.toBe(hex(second.binders[0]!));
    for (const message of [clientHello1, helloRetryRequest, clientHello2]) expect(hex(encodeHandshake(decodeHandshake(message)))).toBe(hex(message));
  });

  it("Go's P-256 share is its key's; its EncryptedExtensions and Finished, OpenSSL's Finished, Go's ticket, data and close_notify open and check", () => {
    const hello = decodeHandshake(serverHello);
    if (hello.kind !== 'server_hello') throw new Error('flow 4 does not start with a ServerHello');
    expect(bodyOf(preSharedKeyServerHello, hello.extensions.find((e) => e.type === 41)!)).toBe(0);
    const goShare = hello.extensions.find((e) => e.type === 51)!.data.subarray(4);
    const p256 = nobleProvider.keyExchange('secp256r1');
    // our agreement of Go's key with the base point is the x coordinate of Go's share
    expect(hex(p256.decapsulate(GO_P256_KEY, nistP256.Point.BASE.toBytes(false))!)).toBe(hex(goShare.subarray(1, 33)));
    const openSslShare = offeredIn(clientHello2).hello.extensions.find((e) => e.type === 51)!.data.subarray(6);
    const transcriptHash = (...after: Uint8Array[]) => messageHashTranscript(suite, clientHello1, helloRetryRequest, clientHello2, serverHello, ...after);
    schedule.enterHandshake(p256.decapsulate(GO_P256_KEY, openSslShare)!);
    const secrets = schedule.handshakeTrafficSecrets(transcriptHash());
    const reader = new PeerReader(suite, secrets.server);
    const [extensions, finished] = serverRecords.slice(0, 2).map((record) => reader.open(record.subarray(5)).content);
    expect(decodeHandshake(extensions!).kind).toBe('encrypted_extensions');
    expect(hex(verifyDataOf(finished!))).toBe(hex(finishedVerifyData(nobleProvider, suite, secrets.server, transcriptHash(extensions!))));
    const clientFinished = new PeerReader(suite, secrets.client).open(flow5!.records[0]!.subarray(5)).content;
    expect(hex(verifyDataOf(clientFinished))).toBe(hex(finishedVerifyData(nobleProvider, suite, secrets.client, transcriptHash(extensions!, finished!))));
    schedule.enterMaster();
    const app = new PeerReader(suite, schedule.applicationSecrets(transcriptHash(extensions!, finished!)).server);
    const [ticket, data, close] = [serverRecords[2]!, ...flow6!.records].map((record) => app.open(record.subarray(5)));
    expect(decodeHandshake(ticket!.content).kind).toBe('new_session_ticket');
    expect(data!.type).toBe(APPLICATION_DATA);
    expect([close!.type, ...close!.content]).toEqual([21, 1, 0]);
  });
});
