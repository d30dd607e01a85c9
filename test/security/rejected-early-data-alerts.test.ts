// Attacker's view of a client whose 0-RTT was rejected: it wrote its early data under the ticket's early keys, and
// the server, rejecting, skips what it cannot decrypt (RFC 8446 §4.2.10) and reads the client under the handshake
// keys. Our client kept writing under the early keys until the server's Finished, so an alert it raised about the
// server's flight (a bad Finished, a certificate it does not trust) was sealed under keys the server skips: the
// server never learnt why, and waited. The client now writes under the handshake keys as soon as it knows the
// 0-RTT is rejected: at the ServerHello when the ticket was not resumed, at EncryptedExtensions without early_data.
import { describe, expect, it } from 'vitest';
import type { SessionTicket } from '../../src/handshake/events.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { SingleUseTickets } from '../../src/handshake/tickets.js';
import { flipBit } from '../../src/testing/tamper.js';
import { clientConfig, expectAbort, protectedEdit, runUntilAbort, serverConfig, tamperedPair } from '../handshake/abort-harness.js';

const key = new Uint8Array(32).fill(7);
const tickets = { count: 1, key, maxEarlyDataSize: 1024, antiReplay: new SingleUseTickets() };
const ticket = (() => {
  const event = new InMemoryPair(clientConfig(), serverConfig({ tickets })).run().events('client').find((e) => e.type === 'session-ticket');
  if (event?.type !== 'session-ticket') throw new Error('no ticket');
  return event.ticket as SessionTicket;
})();
const offering = (extra = {}) => clientConfig({ resumption: { ticket, earlyData: Uint8Array.of(1, 2, 3) }, ...extra });
/** Resumes the ticket but takes no 0-RTT (no single-use register). */
const resumingWithout0Rtt = () => serverConfig({ tickets: { count: 1, key, maxEarlyDataSize: 1024 } });
const badFinished = protectedEdit('server', (ms) => ms.map((m) => (m.kind === 'finished' ? { ...m, verifyData: flipBit(m.verifyData, 0) } : m)));
/** Does not know the ticket: a full handshake. */
const declining = () => serverConfig({ tickets: { ...tickets, key: new Uint8Array(32).fill(8), antiReplay: new SingleUseTickets() } });

describe('the client\'s alert after its 0-RTT was rejected reaches the server', () => {
  it('the controls: both servers reject the 0-RTT data and the client connects', () => {
    for (const srv of [resumingWithout0Rtt(), declining()]) {
      const pair = new InMemoryPair(offering(), srv).run();
      expect(pair.client.isConnected && pair.server.isConnected && pair.client.info.earlyData === 'rejected').toBe(true);
    }
  });

  it('ticket declined (known at the ServerHello), a bad server Finished: the server reads decrypt_error', () => {
    const result = runUntilAbort(tamperedPair(offering(), declining(), 'server', 0, badFinished));
    expect(result.side).toBe('client');
    expect(result.victim.info).toMatchObject({ earlyData: 'rejected' });
    expect(result.victim.info.resumed).toBeFalsy();
    expectAbort(result, 'decrypt_error', { protectedFor: result.peer });
  });

  it('ticket resumed, 0-RTT rejected (known at EncryptedExtensions), a bad server Finished: the server reads decrypt_error', () => {
    const result = runUntilAbort(tamperedPair(offering(), resumingWithout0Rtt(), 'server', 0, badFinished));
    expect(result.side).toBe('client');
    expect(result.victim.info.resumed).toBe(true);
    expectAbort(result, 'decrypt_error', { protectedFor: result.peer });
  });

  it('0-RTT accepted: the alert stays under the early keys the server reads with (a bad server Finished: decrypt_error)', () => {
    const result = runUntilAbort(tamperedPair(offering(), serverConfig({ tickets: { ...tickets, antiReplay: new SingleUseTickets() } }), 'server', 0, badFinished));
    expect(result.side).toBe('client');
    expect(result.victim.info.earlyData).toBe('accepted');
    expectAbort(result, 'decrypt_error', { protectedFor: result.peer });
  });
});
