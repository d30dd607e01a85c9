// Go's server conversations (crypto/tls testdata Server-TLSv13-*, loaded by go-testdata.ts) opened with our key
// schedule: Go's X25519 key is 32 zero bytes, so with OpenSSL's share our X25519 makes the shared secret.
import { nobleProvider } from '../../src/crypto/noble.js';
import { KeySchedule } from '../../src/handshake/keyschedule.js';
import { SUITES } from '../../src/handshake/suites.js';
import { splitHandshakeMessages } from '../../src/testing/tamper.js';
import { concat } from '../../src/wire/bytes.js';
import { decodeHandshake } from '../../src/wire/messages.js';
import { PeerReader } from '../conformance/harness.js';
import { loadGoRecording } from './go-testdata.js';

const KEY_SHARE = 51;
const GO_X25519_KEY = new Uint8Array(32);
const x25519 = nobleProvider.keyExchange('x25519');

/** One conversation's hellos, its key schedule from Go's zero key, and its records past the ChangeCipherSpec. */
export function handshake(file: string, psk?: Uint8Array) {
  const [clientFlow, serverFlow, clientFinishFlow, serverLast] = loadGoRecording(file);
  const clientRecords = clientFlow!.records;
  const clientHello = clientRecords[0]!.subarray(5);
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
    clientRecords, serverHelloRecord: serverHelloRecord!, clientHello, serverHello, decodedHello, decodedClientHello: clientShare, suite, schedule, secrets, transcriptHash,
    ccs: [ccs!, goCcs!], serverRecords, clientFinishedRecord: clientFinishedRecord!, clientAfter, serverLast: serverLast!.records,
  };
}

/** Go's flight: the handshake messages under the handshake key, then what follows under the application key. */
export function readServerFlight(conversation: ReturnType<typeof handshake>, handshakeRecords: number) {
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

