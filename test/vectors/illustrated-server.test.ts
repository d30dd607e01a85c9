// "The Illustrated TLS 1.3 Connection" (tls13.xargs.org), SERVER side, byte for byte, in both editions of the
// page: our server, given the trace's server random, x25519 key, certificate and RSA key (the RSA-PSS salt
// recovered from the trace's CertificateVerify), shaped like the edition's server (illustrated-replay.ts) and fed
// the trace's ClientHello, writes the trace's ServerHello, ChangeCipherSpec and protected handshake records,
// then the ticket records and "pong", record boundaries included: one record per message for OpenSSL, the
// whole flight in one record (and both tickets in one) for BoringSSL.
import { describe, expect, it } from 'vitest';
import { nobleProvider } from '../../src/crypto/noble.js';
import { Connection } from '../../src/handshake/connection.js';
import { fromHex, hex } from '../../src/wire/bytes.js';
import { EDITIONS, loadKeylog, loadTrace, traceServer, type Edition, type IllustratedTrace } from './illustrated-replay.js';
import { splitRecords } from './rfc8448-replay.js';

/**
 * The whole connection from the server's side, against the trace's client bytes. On noble even under the
 * node-crypto test project: node:crypto draws the RSA-PSS salt itself, so only noble signs with the trace's
 * salt and reproduces its CertificateVerify (and through the transcript everything after it).
 */
function runServer(edition: Edition, trace: IllustratedTrace) {
  const server = Connection.server(traceServer(edition, trace, { provider: nobleProvider }));
  server.receive(fromHex(trace.client.records.clientHello!));
  const flight = splitRecords(server.takeOutput()).map(hex);
  server.receive(fromHex(trace.client.records.changeCipherSpec! + trace.client.records.finished!));
  const tickets = splitRecords(server.takeOutput()).map(hex);
  server.receive(fromHex(trace.client.records.applicationData!));
  const events = server.takeEvents();
  if (server.state === 'CONNECTED') server.write(new TextEncoder().encode('pong'));
  return { server, events, flight, tickets, pong: hex(server.takeOutput()) };
}

describe.each(Object.values(EDITIONS))('The Illustrated TLS 1.3 Connection ($stack): our server against the trace', (edition) => {
  const trace = loadTrace(edition.name);
  const { server, events, flight, tickets, pong } = runServer(edition, trace);
  const record = (name: string) => trace.server.records[name];

  it('writes the trace ServerHello, ChangeCipherSpec and protected EncryptedExtensions..Finished records', () => {
    expect(flight).toEqual(edition.serverFlight.map(record));
  });

  it('accepts the trace client Finished and reads "ping"', () => {
    expect(events.filter((e) => e.type === 'alert')).toEqual([]);
    expect(events.some((e) => e.type === 'connected')).toBe(true);
    expect(server.state).toBe('CONNECTED');
    expect(events.flatMap((e) => (e.type === 'data' ? [new TextDecoder().decode(e.data)] : []))).toEqual(['ping']);
  });

  it('derives exactly the secrets of the trace key log', () => {
    const ours = events.flatMap((e) => (e.type === 'secret' && e.keylog ? [[e.keylog, hex(e.secret)] as const] : []));
    expect(new Map(ours)).toEqual(loadKeylog(edition.name));
  });

  it('writes the trace NewSessionTicket records', () => {
    expect(tickets).toEqual(edition.ticketRecords.map(record));
  });

  it('writes "pong" as the trace application data record', () => {
    expect(pong).toBe(record('applicationData'));
  });
});
