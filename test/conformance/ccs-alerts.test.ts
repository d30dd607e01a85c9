// ChangeCipherSpec (RFC 8446 §5, App. D.4) and alerts (§6) from a scripted peer, the rules of tlsfuzzer's
// test-tls13-ccs, -multiple-ccs-messages, -empty-alert, -unencrypted-alert and the alert-level probes.
import { describe, expect, it } from 'vitest';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { concat } from '../../src/wire/bytes.js';
import { clientConfig, expectAbort, expectClosedForGood, feedServer, helloWith, record, serverConfig } from '../handshake/abort-harness.js';
import { accepted, connected, feed, PeerWriter } from './harness.js';

const CCS = 20;
const ALERT = 21;
const HANDSHAKE = 22;
const APPLICATION_DATA = 23;
const ccs = (...value: number[]) => record(CCS, Uint8Array.from(value));

/** A pair stopped with the server waiting for the client's second flight (the client has read the server's). */
function serverAwaitingFinished() {
  const pair = new InMemoryPair(clientConfig(), serverConfig());
  pair.step('client'); // ClientHello
  pair.step('server'); // ServerHello .. Finished
  pair.pull('client'); // the client's answer stays in flight
  return pair;
}

describe('ChangeCipherSpec at the server', () => {
  it('one CCS before the ClientHello is unexpected_message (§5: only after the first ClientHello)', () => {
    expectAbort(feedServer(concat(ccs(1), record(HANDSHAKE, helloWith(() => {})))), 'unexpected_message', { plaintext: true });
  });

  it('a CCS right after the ClientHello is dropped, and the handshake completes', () => {
    const result = feedServer(concat(record(HANDSHAKE, helloWith(() => {})), ccs(1)));
    expect(accepted(result)).toBe(true);
  });

  it('a CCS between the server flight and the client Finished is dropped, and the handshake completes', () => {
    const pair = serverAwaitingFinished();
    expect(accepted(feed(pair.server, ccs(1)))).toBe(true);
    pair.run();
    expect(pair.server.isConnected && pair.client.isConnected).toBe(true);
  });

  // RFC 8446 §5 puts no count on them: a valid CCS "at any time after the first ClientHello ... and before
  // the peer's Finished" is one the receiver "MUST simply drop"; §D.4 adds "Either side can send
  // change_cipher_spec at any time during the handshake, as they must be ignored by the peer". OpenSSL,
  // BoringSSL and GnuTLS drop every one (bounded only by their empty-record caps), rustls drops three,
  // NSS refuses the second (its fix for CVE-2020-25648). tlsfuzzer's test-tls13-multiple-ccs-messages
  // expects the second refused; the RFC is explicit here, so we drop them all (docs/robustness.md). Only
  // our bound on records that carry nothing (MAX_CONSECUTIVE_EMPTY_RECORDS, record/layer.ts) stops an
  // endless stream of them (test/fuzz/limits.test.ts).
  it('two CCS records in a row after the ClientHello are both dropped (the RFC sets no count; see comment)', () => {
    const pair = serverAwaitingFinished();
    expect(accepted(feed(pair.server, ccs(1), ccs(1)))).toBe(true);
    pair.run();
    expect(pair.server.isConnected).toBe(true);
  });

  it.each([
    ['value 0x02', [2]],
    ['value 0x00', [0]],
    ['two bytes 0x01 0x01 in one record', [1, 1]],
    ['no byte', []],
  ])('a CCS with %s is unexpected_message (§5: only the single byte 0x01)', (_, value) => {
    const pair = serverAwaitingFinished();
    expectAbort(feed(pair.server, ccs(...value)), 'unexpected_message', { protectedFor: pair.client });
  });

  it('a CCS after the handshake is unexpected_message (§5: not after the peer Finished)', () => {
    const { victim, peer } = connected('client');
    expectAbort(feed(victim, ccs(1)), 'unexpected_message', { protectedFor: peer });
  });

  it('a protected CCS (inner content type 20) is unexpected_message', () => {
    const { victim, peer, writer } = connected('client');
    expectAbort(feed(victim, writer.seal(CCS, Uint8Array.of(1))), 'unexpected_message', { protectedFor: peer });
  });

  it('a CCS inside a ClientHello split over two records is unexpected_message (§5.1)', () => {
    const hello = helloWith(() => {});
    const split = concat(record(HANDSHAKE, hello.subarray(0, 10)), ccs(1), record(HANDSHAKE, hello.subarray(10)));
    expectAbort(feedServer(split), 'unexpected_message', { plaintext: true });
  });
});

/** Alerts the victim sent. */
const alertsOut = (events: ReturnType<typeof feed>['events']) => events.filter((e) => e.type === 'alert' && e.direction === 'out');

describe('tlsfuzzer test-tls13-multiple-ccs-messages and test-cve-2020-25648, probe by probe', () => {
  it.each([2, 10])('"CH and multiple CCS Messages in one TCP packet" (%i CCS): the flight, no alert, then the handshake completes', (count) => {
    const pair = new InMemoryPair(clientConfig(), serverConfig());
    const [hello] = pair.pull('client').splice(0);
    const result = feed(pair.server, hello!.bytes, ...Array.from({ length: count }, () => ccs(1)));
    // tlsfuzzer expects the flight then unexpected_message; §5 says drop (see the comment above).
    expect(accepted(result)).toBe(true);
    expect(result.output[5]).toBe(2); // ServerHello
    pair.client.receive(result.output);
    pair.run();
    expect(pair.server.isConnected && pair.client.isConnected).toBe(true);
  });

  it('"second CCS before client finished" (CCS after the ClientHello, CCS before the Finished): the handshake completes', () => {
    const pair = new InMemoryPair(clientConfig(), serverConfig());
    const [hello] = pair.pull('client').splice(0);
    const flight = feed(pair.server, hello!.bytes, ccs(1));
    expect(accepted(flight)).toBe(true);
    pair.client.receive(flight.output);
    pair.pull('client'); // the client's CCS and Finished stay in flight
    expect(accepted(feed(pair.server, ccs(1)))).toBe(true);
    pair.run();
    expect(pair.server.isConnected && pair.client.isConnected).toBe(true);
  });

  it('"multiple CCS Messages in one TLS record" (0x01 0x01 right after the ClientHello): the flight, then unexpected_message', () => {
    const pair = new InMemoryPair(clientConfig(), serverConfig());
    const [hello] = pair.pull('client').splice(0);
    const result = feed(pair.server, hello!.bytes, ccs(1, 1));
    expect(result.output[5]).toBe(2); // the ServerHello went out before the record was read
    expect(alertsOut(result.events)).toEqual([expect.objectContaining({ level: 'fatal', description: 'unexpected_message' })]);
    expect(result.victim.isClosed).toBe(true);
  });
});

describe('ChangeCipherSpec at the client', () => {
  it('a CCS after the server Finished is unexpected_message', () => {
    const { victim, peer } = connected('server');
    expectAbort(feed(victim, ccs(1)), 'unexpected_message', { protectedFor: peer });
  });

  it('a CCS of value 0x02 among the server flight is unexpected_message, in plaintext (no keys yet)', () => {
    const pair = new InMemoryPair(clientConfig(), serverConfig());
    pair.step('client');
    expectAbort(feed(pair.client, ccs(2)), 'unexpected_message', { plaintext: true });
  });
});

describe.each(['client', 'server'] as const)('alerts from the %s after the handshake (§6)', (sender) => {
  const alert = (writer: PeerWriter, level: number, description: number) => writer.seal(ALERT, Uint8Array.of(level, description));

  it('close_notify (warning) closes the read side; later records are ignored, nothing is sent', () => {
    const { victim, writer } = connected(sender);
    const closed = feed(victim, alert(writer, 1, 0));
    expect(closed.events).toContainEqual({ type: 'closed', by: 'peer' });
    expect(closed.output).toHaveLength(0);
    const after = feed(victim, writer.seal(APPLICATION_DATA, Uint8Array.of(1)), writer.seal(CCS, Uint8Array.of(1)), Uint8Array.of(0xff, 0xff));
    expect(after.events).toEqual([]);
    expect(after.output).toHaveLength(0);
    // §6.1: each side may still write after the peer's close_notify.
    expect(victim.isWritable).toBe(true);
  });

  it('user_canceled (warning) is not an error: data that follows is still delivered (§6.1)', () => {
    const { victim, writer } = connected(sender);
    const result = feed(victim, alert(writer, 1, 90), writer.seal(APPLICATION_DATA, Uint8Array.of(1, 2)));
    expect(accepted(result)).toBe(true);
    expect(result.events.filter((e) => e.type === 'data')).toHaveLength(1);
  });

  it.each([
    ['handshake_failure', 40],
    ['unexpected_message', 10],
    ['bad_record_mac', 20],
    ['unknown description 255', 255],
  ])('%s at warning level is an error alert all the same: closed, no answer (§6: "regardless of the AlertLevel")', (_, description) => {
    const { victim, writer } = connected(sender);
    const result = feed(victim, alert(writer, 1, description));
    expect(result.output).toHaveLength(0);
    expect(result.events.filter((e) => e.type === 'alert' && e.direction === 'out')).toEqual([]);
    expect(result.events).toContainEqual(expect.objectContaining({ type: 'closed', by: 'peer' }));
    expectClosedForGood(victim);
  });

  it('a fatal alert closes the connection without an answer, and nothing after it is read', () => {
    const { victim, writer } = connected(sender);
    const result = feed(victim, alert(writer, 2, 40), writer.seal(APPLICATION_DATA, Uint8Array.of(1)));
    expect(result.output).toHaveLength(0);
    expect(result.events.filter((e) => e.type === 'data')).toEqual([]);
    expectClosedForGood(victim);
  });
});

describe('alerts under the handshake keys, before the client Finished (test-tls13-empty-alert "handshake keys")', () => {
  it.each([0, 32])('an empty alert with %i bytes of padding is unexpected_message', (padding) => {
    const pair = serverAwaitingFinished();
    const writer = PeerWriter.of(pair, 'client', 'client_handshake_traffic_secret');
    expectAbort(feed(pair.server, writer.seal(ALERT, new Uint8Array(0), padding)), 'unexpected_message', { protectedFor: pair.client });
  });

  it('application data before the client Finished is unexpected_message (§2: only after the handshake)', () => {
    const pair = serverAwaitingFinished();
    const writer = PeerWriter.of(pair, 'client', 'client_handshake_traffic_secret');
    expectAbort(feed(pair.server, writer.seal(APPLICATION_DATA, Uint8Array.of(1))), 'unexpected_message', { protectedFor: pair.client });
  });
});

// test-tls13-unencrypted-alert: after the server's flight, a client that rejects it (unknown_ca) sends its
// alert in plaintext when it has no keys yet (RFC 8446 §7.3: "or as plaintext if no such key has been
// established"), or protected; the script expects the server to close, with nothing of its own (a server
// that cannot read the plaintext alert "will likely send an alert of its own"). Our window for plaintext
// error alerts under the first read keys: docs/robustness.md, test/security/plaintext-alerts.test.ts.
describe('test-tls13-unencrypted-alert, probe by probe', () => {
  it.each([
    ['"unencrypted Alert" (fatal unknown_ca in plaintext)', () => record(ALERT, Uint8Array.of(2, 48))],
    ['"encrypted Alert" (fatal unknown_ca under the client handshake key)', (pair: InMemoryPair) => PeerWriter.of(pair, 'client', 'client_handshake_traffic_secret').seal(ALERT, Uint8Array.of(2, 48))],
  ])('%s: the server closes without an alert of its own', (_, alertRecord) => {
    const pair = serverAwaitingFinished();
    const result = feed(pair.server, alertRecord(pair));
    expect(result.output).toHaveLength(0);
    expect(result.events).toContainEqual({ type: 'alert', direction: 'in', level: 'fatal', description: 'unknown_ca' });
    expect(result.events.filter((e) => e.type === 'closed')).toEqual([expect.objectContaining({ by: 'peer' })]);
    expectClosedForGood(pair.server);
  });
});
