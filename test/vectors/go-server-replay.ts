// Go's server conversations (crypto/tls testdata Server-TLSv13-*, loaded by go-testdata.ts) opened with our key
// schedule: Go's X25519 key is 32 zero bytes, so with OpenSSL's share our X25519 makes the shared secret.
import { nobleProvider } from '../../src/crypto/noble.js';
import { KeySchedule } from '../../src/handshake/keyschedule.js';
import { SUITES } from '../../src/handshake/suites.js';
import { splitHandshakeMessages } from '../../src/testing/tamper.js';
import { concat, fromHex } from '../../src/wire/bytes.js';
import { decodeHandshake } from '../../src/wire/messages.js';
import { PeerReader } from '../conformance/harness.js';
import { loadGoRecording } from './go-testdata.js';

const KEY_SHARE = 51;
/** Go's private keys under a zero random source (byte 1 of a P-256 scalar set, so that zeros cannot give 0). */
export const GO_SERVER_KEYS = { 0x001d: { group: 'x25519', key: new Uint8Array(32) }, 0x0017: { group: 'secp256r1', key: fromHex('0042' + '00'.repeat(30)) } } as const;

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
  const schedule = new KeySchedule(nobleProvider, suite, psk);
  const goShare = decodedHello.extensions.find((e) => e.type === KEY_SHARE)!.data;
  const go = GO_SERVER_KEYS[((goShare[0]! << 8) | goShare[1]!) as keyof typeof GO_SERVER_KEYS];
  const share = clientShare.extensions.find((e) => e.type === KEY_SHARE)!.data;
  const openSslShare = offeredShare(share, goShare.subarray(0, 2));
  schedule.enterHandshake(nobleProvider.keyExchange(go.group).decapsulate(go.key, openSslShare)!);
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


/** The key_exchange of the client's KeyShareEntry for the group (KeyShareClientHello, RFC 8446 §4.2.8). */
function offeredShare(clientShares: Uint8Array, group: Uint8Array): Uint8Array {
  for (let at = 2; at < clientShares.length; ) {
    const length = (clientShares[at + 2]! << 8) | clientShares[at + 3]!;
    if (clientShares[at] === group[0] && clientShares[at + 1] === group[1]) return clientShares.subarray(at + 4, at + 4 + length);
    at += 4 + length;
  }
  throw new Error('no client share for the group Go chose');
}
