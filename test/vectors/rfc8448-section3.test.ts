// RFC 8448 §3 (Simple 1-RTT Handshake), byte for byte in both roles. Our client and server are configured
// like the RFC's endpoints and fed the RFC's injected values (randoms, key-share private keys, the RSA-PSS
// salt recovered from the RFC's signature, and the server's opaque ticket); every record they write, and
// every secret they derive, must equal the RFC's bytes.
import { describe, expect, it } from 'vitest';
import { nobleProvider } from '../../src/crypto/noble.js';
import { KeySchedule, hkdfExpandLabel, trafficKeys } from '../../src/handshake/keyschedule.js';
import { SUITES } from '../../src/handshake/suites.js';
import { hex } from '../../src/wire/bytes.js';
import { record, runSection3, secrets, value } from './rfc8448-section3-replay.js';

describe('RFC 8448 §3 Simple 1-RTT Handshake', () => {
  const { client, server, clientEvents, serverEvents, records } = runSection3();

  it('client writes the RFC ClientHello record', () => {
    expect(hex(records.clientHelloRecord)).toBe(record('client', 'send handshake record', 0));
  });

  it('server writes the RFC ServerHello record and the protected EncryptedExtensions..Finished record', () => {
    expect(records.serverFlight.map(hex)).toEqual([record('server', 'send handshake record', 0), record('server', 'send handshake record', 1)]);
  });

  it('client writes the RFC client Finished record', () => {
    expect(hex(records.clientFinished)).toBe(record('client', 'send handshake record', 1));
  });

  it('server writes the RFC NewSessionTicket record', () => {
    expect(hex(records.ticketRecord)).toBe(record('server', 'send handshake record', 2));
  });

  it('both sides write the RFC application data and close_notify records', () => {
    expect(hex(records.clientData)).toBe(record('client', 'send application_data record'));
    expect(hex(records.serverData)).toBe(record('server', 'send application_data record'));
    expect(hex(records.clientAlert)).toBe(record('client', 'send alert record'));
    expect(hex(records.serverAlert)).toBe(record('server', 'send alert record'));
  });

  it('both sides derive every RFC secret', () => {
    const expected: Array<[string, string]> = [
      ['c hs traffic', 'derive secret "tls13 c hs traffic"'],
      ['s hs traffic', 'derive secret "tls13 s hs traffic"'],
      ['c ap traffic', 'derive secret "tls13 c ap traffic"'],
      ['s ap traffic', 'derive secret "tls13 s ap traffic"'],
      ['exp master', 'derive secret "tls13 exp master"'],
    ];
    for (const events of [clientEvents, serverEvents]) {
      const ours = secrets(events);
      for (const [label, action] of expected) expect(ours.get(label), label).toBe(hex(value('server', action, 'expanded')));
      expect(ours.get('res master')).toBe(hex(value('client', 'derive secret "tls13 res master"', 'expanded')));
    }
  });

  it('client surfaces the ticket with the RFC resumption PSK', () => {
    const ticket = clientEvents.find((e) => e.type === 'session-ticket');
    expect(ticket?.type === 'session-ticket' && hex(ticket.ticket.psk)).toBe(hex(value('server', 'generate resumption secret', 'expanded')));
    expect(ticket?.type === 'session-ticket' && ticket.ticket.maxEarlyDataSize).toBe(1024);
  });

  it('both sides end connected, then closed, with the server authenticated by its pinned certificate', () => {
    expect(clientEvents.some((e) => e.type === 'connected')).toBe(true);
    expect(serverEvents.some((e) => e.type === 'connected')).toBe(true);
    expect(client.state).toBe('CLOSED');
    expect(server.state).toBe('CLOSED');
    expect(client.info.peer?.verdict.rule).toBe('pinned-certificate');
    expect(client.info.peer?.subject).toBe('CN=rsa');
  });
});

describe('RFC 8448 §3 key schedule, step by step', () => {
  const suite = SUITES.get(0x1301)!;
  const schedule = new KeySchedule(nobleProvider, suite);
  const shared = nobleProvider
    .keyExchange('x25519')
    .decapsulate(value('client', 'create an ephemeral x25519', 'private key'), value('server', 'create an ephemeral x25519', 'public key'))!;

  it('derives the RFC early, handshake and master secrets from the x25519 shared secret', () => {
    expect(hex(schedule.earlySecret)).toBe(hex(value('server', 'extract secret "early"', 'secret')));
    expect(hex(shared)).toBe(hex(value('server', 'extract secret "handshake"', 'IKM')));
    expect(hex(schedule.enterHandshake(shared))).toBe(hex(value('server', 'extract secret "handshake"', 'secret')));
    expect(hex(schedule.enterMaster())).toBe(hex(value('server', 'extract secret "master"', 'secret')));
  });

  it('derives the RFC traffic keys and IVs from the RFC traffic secrets', () => {
    const cases: Array<[string, string]> = [
      ['derive secret "tls13 s hs traffic"', 'derive write traffic keys for handshake data'],
      ['derive secret "tls13 s ap traffic"', 'derive write traffic keys for application data'],
      ['derive secret "tls13 c hs traffic"', 'derive read traffic keys for handshake data'],
    ];
    for (const [secretStep, keyStep] of cases) {
      const keys = trafficKeys(nobleProvider, suite, value('server', secretStep, 'expanded'));
      expect(hex(keys.key), keyStep).toBe(hex(value('server', keyStep, 'key expanded')));
      expect(hex(keys.iv), keyStep).toBe(hex(value('server', keyStep, 'iv expanded')));
    }
    const clientApp = trafficKeys(nobleProvider, suite, value('server', 'derive secret "tls13 c ap traffic"', 'expanded'));
    expect(hex(clientApp.key)).toBe(hex(value('client', 'derive write traffic keys for application data', 'key expanded')));
    expect(hex(clientApp.iv)).toBe(hex(value('client', 'derive write traffic keys for application data', 'iv expanded')));
  });

  it('derives the RFC finished keys', () => {
    const finishedKey = (secret: Uint8Array) => hkdfExpandLabel(nobleProvider, suite, secret, 'finished', new Uint8Array(0), 32);
    expect(hex(finishedKey(value('server', 'derive secret "tls13 s hs traffic"', 'expanded')))).toBe(
      hex(value('server', 'calculate finished', 'expanded')),
    );
    expect(hex(finishedKey(value('server', 'derive secret "tls13 c hs traffic"', 'expanded')))).toBe(
      hex(value('client', 'calculate finished', 'expanded')),
    );
  });
});
