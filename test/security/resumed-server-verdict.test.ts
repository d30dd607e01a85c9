// Attacker's tests: resumption.serverVerdict, the caller's verdict on a ticket's server under trust 'ask'
// (config.ts ResumptionConfig), reported with rule 'resumed …'. The verdict speaks for the server only when the
// server proves it holds the ticket's PSK, by its Finished (RFC 8446 §4.4.4). Where the ticket is not resumed
// (a server that declines it, a HelloRetryRequest whose suite the ticket cannot use, §4.1.4, a ticket of
// another name, §4.6.1) the server shows a certificate, and the caller must judge that chain afresh: a
// verdict on the ticket's server is not one on a stranger's certificate.
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/crypto/random.js';
import type { ClientConfig, ServerConfig } from '../../src/handshake/config.js';
import { Connection } from '../../src/handshake/connection.js';
import type { SessionTicket, TlsEvent } from '../../src/handshake/events.js';
import { SingleUseTickets } from '../../src/handshake/tickets.js';
import { makeIdentity, TEST_NOW } from '../../src/testing/certs.js';
import { utf8 } from '../../src/wire/bytes.js';
import { CipherSuite, NamedGroup } from '../../src/wire/enums.js';

const random = seededRandom('resumed-server-verdict attacker');
const server = makeIdentity({ subject: { CN: 'a server' }, sans: { dns: ['a.example', 'b.example'] }, keyType: 'p256' }, random);
const impostor = makeIdentity({ subject: { CN: 'impostor' }, sans: { dns: ['a.example', 'b.example'] }, keyType: 'p256' }, random);
const ticketKey = random(32);
const TRUSTED = { trusted: true, rule: 'checkServerIdentity', detail: "the ticket's server, judged today by the caller" };

const serverConfig = (extra: Partial<ServerConfig> = {}): ServerConfig => ({
  certificate: server,
  now: () => TEST_NOW,
  random: seededRandom('s'),
  tickets: { count: 1, key: ticketKey, maxEarlyDataSize: 1024, antiReplay: new SingleUseTickets() },
  ...extra,
});
const clientConfig = (extra: Partial<ClientConfig> = {}): ClientConfig => ({
  serverName: 'a.example',
  trust: { kind: 'ask' },
  now: () => TEST_NOW + 1000,
  random: seededRandom('c'),
  ...extra,
});

/** A ticket from a full handshake under ask, the caller trusting the server's chain. */
function ticketFrom(extra: Partial<ClientConfig> = {}): SessionTicket {
  const { client, events } = drive(clientConfig(extra), serverConfig(), () => ({ trusted: true, rule: 'caller' }));
  const event = events.find((e) => e.type === 'session-ticket');
  if (!client.isConnected || event?.type !== 'session-ticket') throw new Error('no ticket');
  return event.ticket;
}

/**
 * Runs a handshake; every verify-peer question is answered by `judge` (the chain it was asked about is kept).
 * `beforeServerFinished` sees the client after all the server's first flight but its last record.
 */
function drive(
  client: ClientConfig,
  server: ServerConfig,
  judge: (chain: Uint8Array[]) => { trusted: boolean; rule: string },
  beforeServerFinished?: (client: Connection) => void,
) {
  const c = Connection.client(client);
  const s = Connection.server(server);
  const asked: Uint8Array[][] = [];
  const events: TlsEvent[] = [];
  let serverFlights = 0;
  for (let round = 0; round < 10; round++) {
    const toServer = c.takeOutput();
    if (toServer.length > 0) s.receive(toServer);
    const records = s.takeOutputRecords();
    if (records.length > 0 && serverFlights++ === 0 && beforeServerFinished) {
      for (const r of records.slice(0, -1)) c.receive(r);
      beforeServerFinished(c);
      c.receive(records[records.length - 1]!);
    } else for (const r of records) c.receive(r);
    events.push(...c.takeEvents());
    const decision = c.pendingDecision;
    if (decision?.kind === 'verify-peer') {
      asked.push(decision.chain);
      c.resolve({ kind: 'verify-peer', verdict: { ...judge(decision.chain), detail: 'the caller judged this chain' } });
      events.push(...c.takeEvents());
    }
    if (c.isClosed || s.isClosed || (c.isConnected && s.isConnected && c.takeOutput().length === 0)) break;
  }
  return { client: c, server: s, events, asked };
}

const equalBytes = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);

describe("resumption.serverVerdict: the caller's verdict on the ticket's server (trust 'ask')", () => {
  const ticket = ticketFrom();

  it('control: a resumption reports the verdict, rule "resumed …", without asking about any chain', () => {
    const run = drive(clientConfig({ resumption: { ticket, serverVerdict: TRUSTED } }), serverConfig(), () => ({ trusted: false, rule: 'never asked' }));
    expect(run.client.info.resumed).toBe(true);
    expect(run.asked).toEqual([]);
    expect(run.client.info.peer).toMatchObject({ subject: 'CN=a server', verdict: { trusted: true, rule: 'resumed checkServerIdentity' } });
  });

  it('is not reported before the server Finished verifies, not even with 0-RTT accepted', () => {
    let peerBeforeFinished: unknown = 'not looked at';
    let connectedBeforeFinished = true;
    const run = drive(
      clientConfig({ resumption: { ticket, serverVerdict: TRUSTED, earlyData: utf8.encode('early') } }),
      serverConfig(),
      () => ({ trusted: false, rule: 'never asked' }),
      (client) => {
        peerBeforeFinished = client.info.peer;
        connectedBeforeFinished = client.isConnected;
      },
    );
    expect(run.client.info.earlyData).toBe('accepted');
    expect(peerBeforeFinished).toBeUndefined();
    expect(connectedBeforeFinished).toBe(false);
    expect(run.client.info.peer?.verdict.rule).toBe('resumed checkServerIdentity');
  });

  it('a server that declines the ticket (an impostor without its key) shows a chain the caller is asked about; refused, no identity', () => {
    const run = drive(
      clientConfig({ resumption: { ticket, serverVerdict: TRUSTED } }),
      serverConfig({ certificate: impostor, tickets: { count: 1, key: random(32) } }),
      (chain) => ({ trusted: equalBytes(chain[0]!, server.der), rule: 'caller' }),
    );
    expect(run.asked.map((chain) => equalBytes(chain[0]!, impostor.der))).toEqual([true]);
    expect(run.client.info.resumed).toBeUndefined();
    expect(run.client.isConnected).toBe(false);
    expect(run.client.info.peer).toBeUndefined();
    expect(run.events.some((e) => e.type === 'alert' && e.direction === 'out' && e.description === 'bad_certificate')).toBe(true);
  });

  it('a declined ticket with the real server: the full chain is judged, and reported with the fresh verdict, not "resumed"', () => {
    const run = drive(clientConfig({ resumption: { ticket, serverVerdict: TRUSTED } }), serverConfig({ tickets: { count: 1, key: random(32) } }), () => ({ trusted: true, rule: 'fresh' }));
    expect(run.asked.length).toBe(1);
    expect(run.client.info.resumed).toBeUndefined();
    expect(run.client.info.peer?.verdict.rule).toBe('fresh');
  });

  it('a HelloRetryRequest for a suite the ticket cannot use: full handshake, chain judged afresh (RFC 8446 §4.1.4)', () => {
    const sha384 = ticketFrom({ cipherSuites: [CipherSuite.TLS_AES_256_GCM_SHA384] });
    const run = drive(
      clientConfig({ cipherSuites: [CipherSuite.TLS_AES_256_GCM_SHA384, CipherSuite.TLS_AES_128_GCM_SHA256], keyShareGroups: [NamedGroup.x25519], resumption: { ticket: sha384, serverVerdict: TRUSTED } }),
      serverConfig({ cipherSuites: [CipherSuite.TLS_AES_128_GCM_SHA256], groups: [NamedGroup.secp256r1] }),
      () => ({ trusted: true, rule: 'fresh' }),
    );
    expect(run.client.isConnected).toBe(true);
    expect(run.client.info.resumed).toBeUndefined();
    expect(run.asked.length).toBe(1);
    expect(run.client.info.peer?.verdict.rule).toBe('fresh');
  });

  it('a ticket of a.example is not offered to b.example: its verdict is not used, the chain is judged afresh (RFC 8446 §4.6.1)', () => {
    const run = drive(clientConfig({ serverName: 'b.example', resumption: { ticket, serverVerdict: TRUSTED } }), serverConfig(), () => ({ trusted: true, rule: 'fresh' }));
    expect(run.client.info.resumed).toBeUndefined();
    expect(run.asked.length).toBe(1);
    expect(run.client.info.peer?.verdict.rule).toBe('fresh');
  });
});
