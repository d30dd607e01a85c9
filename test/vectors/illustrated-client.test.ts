// "The Illustrated TLS 1.3 Connection" (tls13.xargs.org), CLIENT side, byte for byte, in both editions of the
// page (OpenSSL 3.0.1 now, BoringSSL archived): our client, given the trace's client random, session id and
// x25519 key and shaped like the edition's client, writes the trace's ClientHello; fed the trace's server
// records it accepts them, derives exactly the trace's key log, writes the trace's ChangeCipherSpec, Finished
// and "ping" records, and reads the trace's two tickets and "pong". Every value compared comes from
// vectors/illustrated-tls13/ (provenance in its README.md).
import { describe, expect, it } from 'vitest';
import { nobleProvider } from '../../src/crypto/noble.js';
import { Connection } from '../../src/handshake/connection.js';
import { KeySchedule, trafficKeys } from '../../src/handshake/keyschedule.js';
import { SUITES } from '../../src/handshake/suites.js';
import { fromHex, hex } from '../../src/wire/bytes.js';
import { EDITIONS, TRAFFIC_SECRETS, loadKeylog, loadTrace, traceClient, type Edition, type IllustratedTrace } from './illustrated-replay.js';

const records = (trace: IllustratedTrace, names: string[]) => fromHex(names.map((n) => trace.server.records[n]!).join(''));

/** The whole connection from the client's side, against the trace's server bytes. */
function runClient(edition: Edition, trace: IllustratedTrace) {
  const client = Connection.client(traceClient(edition, trace));
  const clientHello = client.takeOutput();
  client.receive(records(trace, edition.serverFlight));
  const secondFlight = client.takeOutput();
  if (client.state === 'CONNECTED') client.write(new TextEncoder().encode('ping'));
  const ping = client.takeOutput();
  client.receive(records(trace, edition.serverAfterHandshake));
  return { client, events: client.takeEvents(), clientHello, secondFlight, ping };
}

/** lifetime, ticket_age_add and nonce of the two tickets, as the page explains them. */
const TICKETS: Record<Edition['name'], Array<[number, number, string]>> = {
  openssl: [
    [7200, 0, '0000000000000000'],
    [7200, 0, '0000000000000001'],
  ],
  boringssl: [
    [172800, 0x04030201, '00'],
    [172800, 0x04030201, '01'],
  ],
};

describe.each(Object.values(EDITIONS))('The Illustrated TLS 1.3 Connection ($stack): our client against the trace', (edition) => {
  const trace = loadTrace(edition.name);
  const { client, events, clientHello, secondFlight, ping } = runClient(edition, trace);
  const received = (kind: string) =>
    events.flatMap((e) => (e.type === 'handshake-message' && e.direction === 'in' && e.message.kind === kind ? [hex(e.raw)] : []));

  it('writes the trace ClientHello record', () => {
    expect(hex(clientHello)).toBe(trace.client.records.clientHello);
  });

  it('accepts the server flight: connected, server authenticated by its pinned certificate, no alert', () => {
    expect(events.filter((e) => e.type === 'alert')).toEqual([]);
    expect(events.some((e) => e.type === 'connected')).toBe(true);
    expect(client.info.cipherSuite).toBe(edition.suite);
    expect(client.info.peer?.verdict.rule).toBe('pinned-certificate');
    expect(client.info.peer?.subject).toBe('CN=example.ulfheim.net,C=US');
  });

  it('reads each protected server message as the trace decrypts it', () => {
    for (const [kind, name] of [
      ['encrypted_extensions', 'encryptedExtensions'],
      ['certificate', 'certificate'],
      ['certificate_verify', 'certificateVerify'],
      ['finished', 'finished'],
    ] as const) {
      expect(received(kind), kind).toEqual([trace.server.messages[name]]);
    }
  });

  it('derives exactly the secrets of the trace key log', () => {
    const ours = events.flatMap((e) => (e.type === 'secret' && e.keylog ? [[e.keylog, hex(e.secret), hex(e.clientRandom)] as const] : []));
    expect(new Map(ours.map(([label, secret]) => [label, secret]))).toEqual(loadKeylog(edition.name));
    expect(new Set(ours.map(([, , random]) => random))).toEqual(new Set([trace.client.records.clientHello!.slice(22, 86)]));
  });

  it('writes the trace ChangeCipherSpec and client Finished records', () => {
    expect(hex(secondFlight)).toBe(trace.client.records.changeCipherSpec! + trace.client.records.finished!);
  });

  it('writes "ping" as the trace application data record', () => {
    expect(hex(ping)).toBe(trace.client.records.applicationData);
  });

  it('reads both tickets and "pong" as the trace decrypts them', () => {
    expect(received('new_session_ticket')).toEqual([trace.server.messages.newSessionTicket1, trace.server.messages.newSessionTicket2]);
    const tickets = events.flatMap((e) => (e.type === 'session-ticket' ? [e.ticket] : []));
    expect(tickets.map((t) => [t.lifetime, t.ageAdd, hex(t.nonce)])).toEqual(TICKETS[edition.name]);
    const data = events.flatMap((e) => (e.type === 'data' ? [hex(e.data)] : []));
    expect(data).toEqual([trace.server.messages.applicationData]);
    expect(new TextDecoder().decode(fromHex(data[0]!))).toBe('pong');
  });
});

describe.each(Object.values(EDITIONS))('The Illustrated TLS 1.3 Connection ($stack): our key schedule, step by step', (edition) => {
  const { client, server, keys } = loadTrace(edition.name);
  const keylog = loadKeylog(edition.name);
  const suite = [...SUITES.values()].find((s) => s.name === edition.suite)!;

  it('derives the printed shared secret and handshake secret', () => {
    const shared = nobleProvider.keyExchange('x25519').decapsulate(fromHex(client.x25519PrivateKey), fromHex(server.x25519PublicKey))!;
    expect(hex(shared)).toBe(keys.sharedSecret);
    expect(hex(new KeySchedule(nobleProvider, suite).enterHandshake(shared))).toBe(keys.handshakeSecret);
  });

  it('derives the printed traffic keys and IVs from the key-log secrets', () => {
    for (const [traffic, label] of TRAFFIC_SECRETS) {
      const derived = trafficKeys(nobleProvider, suite, fromHex(keylog.get(label)!));
      expect([hex(derived.key), hex(derived.iv)], traffic).toEqual([keys[traffic + 'Key'], keys[traffic + 'Iv']]);
    }
  });
});
