// Our handshake messages are encoded into a buffer lent from a pool every connection shares (outgoing-flight.ts),
// and the records, the transcript and the events are made from views of it. Attacks on that sharing:
// - another connection's step runs in the middle of ours (a callback of ours drives it: here the server's signer,
//   called after its ServerHello, EncryptedExtensions and Certificate were encoded and before they are in a
//   record): it must get a buffer of its own, or our records would carry its messages;
// - what a step leaves in the pool is read by the next connection's step: it must be wiped (the messages under
//   the handshake keys are confidential from the network);
// - anything that keeps a view past the step (an event, a trace of a record, the transcript waiting for its hash)
//   would see the next connection's messages: each must hold bytes of its own.
import { describe, expect, it } from 'vitest';
import { nobleProvider } from '../../src/crypto/noble.js';
import { seededRandom } from '../../src/crypto/random.js';
import type { ClientConfig, ServerConfig } from '../../src/handshake/config.js';
import { Connection } from '../../src/handshake/connection.js';
import type { TlsEvent } from '../../src/handshake/events.js';
import { OutgoingFlight } from '../../src/handshake/outgoing-flight.js';
import { RecordProtection, RecordWriter } from '../../src/record/index.js';
import type { RecordTrace } from '../../src/record/header.js';
import { makeIdentity, TEST_NOW } from '../../src/testing/certs.js';
import { exchange } from './exchange.js';

const server = makeIdentity({ subject: { CN: 'server' }, sans: { dns: ['server.example'] } }, seededRandom('outgoing flight: server'));
const other = makeIdentity({ subject: { CN: 'other' }, sans: { dns: ['other.example'] } }, seededRandom('outgoing flight: other'));

const clientConfig = (pin = server, name = 'server.example'): ClientConfig => ({
  serverName: name,
  trust: { kind: 'pinned-certificate', certificates: [pin.der] },
  now: () => TEST_NOW,
  random: seededRandom(`outgoing flight: client of ${name}`),
});

/** A server whose signer runs `during` first (after its flight's first three messages were encoded). */
function serverConfig(during?: () => void): ServerConfig {
  const random = seededRandom('outgoing flight: server signs');
  return {
    certificate: { chain: server.chain, signer: (_scheme, content) => (during?.(), nobleProvider.sign({ kind: 'ed25519' }, server.privateKey, content, random)) },
    now: () => TEST_NOW,
    random: seededRandom('outgoing flight: server random'),
  };
}

/** Both sides' wire bytes and events of one handshake, and the connections. */
function handshake(during?: () => void) {
  const client = Connection.client(clientConfig());
  const srv = Connection.server(serverConfig(during));
  const wire: string[] = [];
  for (let i = 0; i < 10; i++) {
    const toServer = client.takeOutput();
    if (toServer.length > 0) (wire.push(`c ${Buffer.from(toServer).toString('hex')}`), srv.receive(toServer));
    const toClient = srv.takeOutput();
    if (toClient.length > 0) (wire.push(`s ${Buffer.from(toClient).toString('hex')}`), client.receive(toClient));
    if (toServer.length === 0 && toClient.length === 0) break;
  }
  return { client, srv, wire, events: { client: client.takeEvents(), server: srv.takeEvents() } };
}

/** A whole handshake of two other connections, with other certificates and names: other messages in every flight. */
function otherHandshake(): void {
  const client = Connection.client(clientConfig(other, 'other.example'));
  const srv = Connection.server({ certificate: other, now: () => TEST_NOW, random: seededRandom('outgoing flight: other server') });
  exchange(client, srv);
  expect(client.isConnected && srv.isConnected).toBe(true);
}

const messagesOut = (events: TlsEvent[]) => events.flatMap((e) => (e.type === 'handshake-message' && e.direction === 'out' ? [Buffer.from(e.raw).toString('hex')] : []));

describe("our flight's buffer, shared with other connections", () => {
  it("another connection's handshake run from our signer, mid-flight, changes no byte we send", () => {
    const reference = handshake();
    expect(reference.client.isConnected && reference.srv.isConnected).toBe(true);
    let ran = 0;
    const nested = handshake(() => {
      ran++;
      otherHandshake();
    });
    expect(ran).toBe(1);
    expect(nested.client.isConnected && nested.srv.isConnected).toBe(true);
    expect(nested.wire).toEqual(reference.wire);
    expect(messagesOut(nested.events.server)).toEqual(messagesOut(reference.events.server));
  });

  it("what the events gave us keeps its bytes while other connections' handshakes run after it", () => {
    const first = handshake();
    const kept = [...first.events.client, ...first.events.server].flatMap((e) => (e.type === 'handshake-message' ? [e.raw] : []));
    const before = kept.map((raw) => Buffer.from(raw).toString('hex'));
    expect(kept.length).toBeGreaterThan(6);
    for (let i = 0; i < 3; i++) otherHandshake();
    expect(kept.map((raw) => Buffer.from(raw).toString('hex'))).toEqual(before);
  });

  it('a step leaves the buffer wiped, and the next step is lent the same buffer', () => {
    const flight = new OutgoingFlight();
    const finished = flight.encode({ kind: 'finished', verifyData: new Uint8Array(32).fill(0xab) });
    const ticket = flight.encode({ kind: 'new_session_ticket', lifetime: 7200, ageAdd: 1, nonce: Uint8Array.of(1), ticket: new Uint8Array(100).fill(0xcd), extensions: [] });
    expect(finished.buffer).toBe(ticket.buffer);
    expect(finished[4]).toBe(0xab);
    flight.close();
    // The views are not read after the step; here they show what the step left behind: nothing.
    expect(new Uint8Array(finished.buffer).every((b) => b === 0)).toBe(true);
    const next = new OutgoingFlight().encode({ kind: 'key_update', requestUpdate: 0 });
    expect(next.buffer).toBe(finished.buffer);
  });

  it('a flight that outgrew its buffer wipes the buffer it left too', () => {
    const flight = new OutgoingFlight();
    const small = flight.encode({ kind: 'finished', verifyData: new Uint8Array(32).fill(0xab) });
    const large = flight.encode({ kind: 'new_session_ticket', lifetime: 1, ageAdd: 1, nonce: Uint8Array.of(1), ticket: new Uint8Array(20000).fill(0xcd), extensions: [] });
    expect(large.buffer).not.toBe(small.buffer);
    flight.close();
    expect(new Uint8Array(small.buffer).every((b) => b === 0)).toBe(true);
    expect(new Uint8Array(large.buffer).every((b) => b === 0)).toBe(true);
  });

  it('two flights open at once (one connection driving another) write into different buffers', () => {
    const outer = new OutgoingFlight();
    const mine = outer.encode({ kind: 'finished', verifyData: new Uint8Array(32).fill(0x11) });
    const inner = new OutgoingFlight();
    const theirs = inner.encode({ kind: 'finished', verifyData: new Uint8Array(32).fill(0x22) });
    inner.close();
    expect(theirs.buffer).not.toBe(mine.buffer);
    expect([...mine.subarray(4)].every((b) => b === 0x11)).toBe(true);
    outer.close();
  });
});

describe('the record writer copies the pieces of a flight', () => {
  const pieces = () => [Uint8Array.of(1, 2, 3), Uint8Array.of(4, 5), Uint8Array.of(6, 7, 8, 9)];

  it('into one plaintext record, and shows a hook the record’s own copy', () => {
    const seen: RecordTrace[] = [];
    const writer = new RecordWriter({ onRecord: (trace) => void seen.push(trace) });
    const given = pieces();
    writer.handshake(given);
    const record = writer.take();
    expect(Buffer.from(record).toString('hex')).toBe('16030300090102030405060708' + '09');
    for (const piece of given) piece.fill(0xee);
    expect(Buffer.from(seen[0]!.content).toString('hex')).toBe('010203040506070809');
    expect(seen[0]!.content.buffer).toBe(seen[0]!.raw.buffer);
  });

  it('into one protected record, and shows a hook a copy made before sealing', () => {
    const seen: RecordTrace[] = [];
    const writer = new RecordWriter({ onRecord: (trace) => void seen.push(trace) });
    writer.setProtection(new RecordProtection(nobleProvider, 'AES-128-GCM', new Uint8Array(16).fill(1), new Uint8Array(12).fill(2)));
    const given = pieces();
    writer.handshake(given);
    const opened = new RecordProtection(nobleProvider, 'AES-128-GCM', new Uint8Array(16).fill(1), new Uint8Array(12).fill(2)).open(writer.take());
    expect(Buffer.from(opened.content).toString('hex')).toBe('010203040506070809');
    for (const piece of given) piece.fill(0xee);
    expect(Buffer.from(seen[0]!.content).toString('hex')).toBe('010203040506070809');
  });
});
