// Go's server issues a ticket (Server-TLSv13-IssueTicket) and OpenSSL resumes with it (Server-TLSv13-Resume):
// both recorded in one run of Go's TestServerResumption, so the first recording holds everything the second
// needs. Go's X25519 key is 32 zero bytes: our key schedule opens the first conversation, derives its
// resumption_master_secret from the transcript through OpenSSL's Finished, and from Go's NewSessionTicket the
// PSK (RFC 8446 §4.6.1). With that PSK OpenSSL's binder is the one we compute, and the resumed handshake
// (psk_dhe_ke, Go's zero key again) opens and checks. Go's ticket is opaque to us: what it encrypts (with Go's
// ticket key) is never needed, since the PSK follows from the first conversation.
import { describe, expect, it } from 'vitest';
import { nobleProvider } from '../../src/crypto/noble.js';
import { finishedVerifyData, KeySchedule, resumptionPsk } from '../../src/handshake/keyschedule.js';
import { SUITES } from '../../src/handshake/suites.js';
import { splitHandshakeMessages } from '../../src/testing/tamper.js';
import { concat, hex } from '../../src/wire/bytes.js';
import { bodyOf, preSharedKeyClientHello, preSharedKeyServerHello } from '../../src/wire/extensions.js';
import { decodeHandshake, encodeHandshake, truncateClientHelloForBinders } from '../../src/wire/messages.js';
import { PeerReader } from '../conformance/harness.js';
import { expectCertificateVerify, verifyDataOf } from './go-replay-checks.js';
import { loadGoRecording } from './go-testdata.js';

const CHANGE_CIPHER_SPEC = 20;
const HANDSHAKE = 22;
const APPLICATION_DATA = 23;
const KEY_SHARE = 51;
const PRE_SHARED_KEY = 41;
const GO_X25519_KEY = new Uint8Array(32);
const x25519 = nobleProvider.keyExchange('x25519');

/** One conversation's hellos, its key schedule from Go's zero key, and its records past the ChangeCipherSpec. */
function handshake(file: string, psk?: Uint8Array) {
  const [clientFlow, serverFlow, clientFinishFlow, serverLast] = loadGoRecording(file);
  const clientHello = clientFlow!.records[0]!.subarray(5);
  const [serverHelloRecord, ccs, ...serverRecords] = serverFlow!.records;
  const serverHello = serverHelloRecord!.subarray(5);
  const decodedHello = decodeHandshake(serverHello);
  if (decodedHello.kind !== 'server_hello') throw new Error(`${file}: flow 2 does not start with a ServerHello`);
  const suite = SUITES.get(decodedHello.cipherSuite)!;
  const clientShare = decodeHandshake(clientHello);
  if (clientShare.kind !== 'client_hello') throw new Error(`${file}: flow 1 is not a ClientHello`);
  const openSslShare = clientShare.extensions.find((e) => e.type === KEY_SHARE)!.data.subarray(6);
  const schedule = new KeySchedule(nobleProvider, suite, psk);
  schedule.enterHandshake(x25519.decapsulate(GO_X25519_KEY, openSslShare)!);
  const transcriptHash = (...messages: Uint8Array[]) => nobleProvider.hash(suite.hash, concat(clientHello, serverHello, ...messages));
  const secrets = schedule.handshakeTrafficSecrets(transcriptHash());
  const [goCcs, clientFinishedRecord, ...clientAfter] = clientFinishFlow!.records;
  return {
    clientHello, serverHello, decodedHello, decodedClientHello: clientShare, suite, schedule, secrets, transcriptHash,
    ccs: [ccs!, goCcs!], serverRecords, clientFinishedRecord: clientFinishedRecord!, clientAfter, serverLast: serverLast!.records,
  };
}

/** Go's flight: the handshake messages under the handshake key, then what follows under the application key. */
function readServerFlight(conversation: ReturnType<typeof handshake>, handshakeRecords: number) {
  const { suite, schedule, secrets, serverRecords, transcriptHash } = conversation;
  const reader = new PeerReader(suite, secrets.server);
  const messages = serverRecords.slice(0, handshakeRecords).flatMap((record) => splitHandshakeMessages(reader.open(record.subarray(5)).content));
  schedule.enterMaster();
  const app = schedule.applicationSecrets(transcriptHash(...messages));
  const appReader = new PeerReader(suite, app.server);
  const afterFlight = serverRecords.slice(handshakeRecords).map((record) => appReader.open(record.subarray(5)));
  const clientFinished = new PeerReader(suite, secrets.client).open(conversation.clientFinishedRecord.subarray(5));
  return { messages, app, appReader, afterFlight, clientFinished };
}

const issue = handshake('Server-TLSv13-IssueTicket');
const issued = readServerFlight(issue, 4);
const ticketMessage = decodeHandshake(issued.afterFlight[0]!.content);
if (ticketMessage.kind !== 'new_session_ticket') throw new Error('no NewSessionTicket after Go\'s Finished');
const resumptionMasterSecret = issue.schedule.resumptionMasterSecret(issue.transcriptHash(...issued.messages, issued.clientFinished.content));
const psk = resumptionPsk(nobleProvider, issue.suite, resumptionMasterSecret, ticketMessage.nonce);

describe("Go crypto/tls testdata, Server-TLSv13-IssueTicket: Go's full handshake and its ticket, read with our code", () => {
  it('every record opens; each message re-encodes byte for byte; the CertificateVerify verifies; both Finished are ours', () => {
    const { messages } = issued;
    expect(messages.map((m) => decodeHandshake(m).kind)).toEqual(['encrypted_extensions', 'certificate', 'certificate_verify', 'finished']);
    for (const message of [issue.clientHello, issue.serverHello, ...messages]) expect(hex(encodeHandshake(decodeHandshake(message)))).toBe(hex(message));
    expectCertificateVerify(messages[1]!, messages[2]!, 'server', issue.transcriptHash(...messages.slice(0, 2)));
    expect(hex(verifyDataOf(messages[3]!))).toBe(hex(finishedVerifyData(nobleProvider, issue.suite, issue.secrets.server, issue.transcriptHash(...messages.slice(0, 3)))));
    expect(issued.clientFinished.type).toBe(HANDSHAKE);
    expect(hex(verifyDataOf(issued.clientFinished.content))).toBe(hex(finishedVerifyData(nobleProvider, issue.suite, issue.secrets.client, issue.transcriptHash(...messages))));
  });

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
