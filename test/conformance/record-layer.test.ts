// Record layer rules of RFC 8446 §5 as a scripted peer meets them after an honest handshake (the rules
// tlsfuzzer's test-tls13-record-layer-limits, -zero-length-data, -record-padding, -zero-content-type,
// -empty-alert and -legacy-version exercise): each record is written by hand under the peer's real keys,
// and the victim must answer with the exact alert of §5/§6.2, protected, and close for good.
import { describe, expect, it } from 'vitest';
import { concat } from '../../src/wire/bytes.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { clientConfig, expectAbort, feedServer, helloWith, record, serverConfig } from '../handshake/abort-harness.js';
import { accepted, connected, feed, PeerWriter } from './harness.js';

const HANDSHAKE = 22;
const ALERT = 21;
const APPLICATION_DATA = 23;

/** Data events the victim delivered. */
const delivered = (events: ReturnType<typeof feed>['events']) => events.flatMap((e) => (e.type === 'data' ? [e.data.length] : []));

describe.each(['client', 'server'] as const)('limits on a protected record from the %s (§5.2, §5.4)', (sender) => {
  it('2^14 bytes of data in one record are delivered', () => {
    const { victim, writer } = connected(sender);
    const result = feed(victim, writer.seal(APPLICATION_DATA, new Uint8Array(2 ** 14)));
    expect(accepted(result)).toBe(true);
    expect(delivered(result.events)).toEqual([2 ** 14]);
  });

  it('2^14 + 1 bytes of data in one record are record_overflow', () => {
    const { victim, peer, writer } = connected(sender);
    expectAbort(feed(victim, writer.seal(APPLICATION_DATA, new Uint8Array(2 ** 14 + 1))), 'record_overflow', { protectedFor: peer });
  });

  it('padding up to a TLSInnerPlaintext of exactly 2^14 + 1 bytes is accepted (§5.4)', () => {
    const { victim, writer } = connected(sender);
    const result = feed(victim, writer.seal(APPLICATION_DATA, Uint8Array.of(1), 2 ** 14 - 1));
    expect(accepted(result)).toBe(true);
    expect(delivered(result.events)).toEqual([1]);
  });

  it('padding that makes the TLSInnerPlaintext 2^14 + 2 bytes is record_overflow, though the data is 1 byte (§5.4)', () => {
    const { victim, peer, writer } = connected(sender);
    expectAbort(feed(victim, writer.seal(APPLICATION_DATA, Uint8Array.of(1), 2 ** 14)), 'record_overflow', { protectedFor: peer });
  });

  it('a ciphertext length field of 2^14 + 257 is record_overflow from the header alone (§5.2)', () => {
    const { victim, peer } = connected(sender);
    const header = Uint8Array.of(APPLICATION_DATA, 3, 3, (2 ** 14 + 257) >> 8, (2 ** 14 + 257) & 0xff);
    expectAbort(feed(victim, header), 'record_overflow', { protectedFor: peer });
  });

  it('a ciphertext of exactly 2^14 + 256 bytes passes the length check and fails only at the tag (bad_record_mac)', () => {
    const { victim, peer } = connected(sender);
    expectAbort(feed(victim, record(APPLICATION_DATA, new Uint8Array(2 ** 14 + 256))), 'bad_record_mac', { protectedFor: peer });
  });

  it('a record of padding only (empty application data) is accepted and delivers nothing (§5.4)', () => {
    const { victim, writer } = connected(sender);
    const result = feed(victim, writer.seal(APPLICATION_DATA, new Uint8Array(0), 1000), writer.seal(APPLICATION_DATA, new Uint8Array(0)));
    expect(accepted(result)).toBe(true);
    expect(delivered(result.events)).toEqual([]);
    // The connection still works after them.
    expect(delivered(feed(victim, writer.seal(APPLICATION_DATA, Uint8Array.of(7))).events)).toEqual([1]);
  });

  it.each([0, 1, 100])('a TLSInnerPlaintext of %i zero bytes of padding and no content type is unexpected_message (§5.4)', (padding) => {
    const { victim, peer, writer } = connected(sender);
    // Content type 0 (invalid) then zeros: no non-zero octet at all.
    expectAbort(feed(victim, writer.seal(0, new Uint8Array(0), padding)), 'unexpected_message', { protectedFor: peer });
  });

  it.each([0, 19, 24, 255])('a protected record of inner content type %i is unexpected_message (§5)', (type) => {
    const { victim, peer, writer } = connected(sender);
    expectAbort(feed(victim, writer.seal(type, Uint8Array.of(1, 2, 3))), 'unexpected_message', { protectedFor: peer });
  });

  it.each([
    ['handshake', HANDSHAKE],
    ['alert', ALERT],
  ])('an empty protected %s record is unexpected_message, padded or not (§5.1, §5.4)', (_, type) => {
    for (const padding of [0, 16]) {
      const { victim, peer, writer } = connected(sender);
      expectAbort(feed(victim, writer.seal(type, new Uint8Array(0), padding)), 'unexpected_message', { protectedFor: peer });
    }
  });

  it.each([1, 3, 4])('a protected alert of %i bytes is decode_error (§6: an Alert is 2 bytes; §5.1: never fragmented or coalesced)', (length) => {
    const { victim, peer, writer } = connected(sender);
    expectAbort(feed(victim, writer.seal(ALERT, new Uint8Array(length).fill(2))), 'decode_error', { protectedFor: peer });
  });

  it.each([
    ['application data', APPLICATION_DATA, Uint8Array.of(1)],
    ['an alert', ALERT, Uint8Array.of(1, 0)],
  ])('%s inside a fragmented handshake message is unexpected_message (§5.1)', (_, type, content) => {
    const { victim, peer, writer } = connected(sender);
    // The first two bytes of a KeyUpdate header; the rest never comes.
    expectAbort(feed(victim, writer.seal(HANDSHAKE, Uint8Array.of(24, 0)), writer.seal(type, content)), 'unexpected_message', { protectedFor: peer });
  });

  it('a handshake message split over two records is read as one (§5.1)', () => {
    const { victim, writer } = connected(sender);
    const result = feed(victim, writer.seal(HANDSHAKE, Uint8Array.of(24, 0)), writer.seal(HANDSHAKE, Uint8Array.of(0, 1, 0)));
    expect(accepted(result)).toBe(true);
    expect(result.events).toContainEqual(expect.objectContaining({ type: 'handshake-message', direction: 'in', message: expect.objectContaining({ kind: 'key_update' }) }));
  });

  it.each(['0301', '0304', '0000'])('a protected record with legacy_record_version 0x%s is decode_error (§5.2 fixes it at 0x0303)', (version) => {
    const { victim, peer, writer } = connected(sender);
    const sealed = writer.seal(APPLICATION_DATA, Uint8Array.of(1));
    const v = parseInt(version, 16);
    // The header is the AEAD's additional data: rewriting it alone would be bad_record_mac, so a peer that
    // means it seals with that header. The check sits before decryption, as in OpenSSL.
    const forged = concat(Uint8Array.of(APPLICATION_DATA, v >> 8, v & 0xff), sealed.subarray(3));
    expectAbort(feed(victim, forged), 'decode_error', { protectedFor: peer });
  });
});

describe('plaintext records before the handshake (§5.1)', () => {
  it('a ClientHello record of 2^14 + 1 bytes is record_overflow', () => {
    const hello = helloWith((h) => h.extensions.unshift({ type: 0x4000, data: new Uint8Array(2 ** 14) }));
    expectAbort(feedServer(record(HANDSHAKE, hello.subarray(0, 2 ** 14 + 1))), 'record_overflow', { plaintext: true });
  });

  it('a ClientHello of more than 2^14 bytes in two records is read as one message', () => {
    const hello = helloWith((h) => h.extensions.unshift({ type: 0x4000, data: new Uint8Array(2 ** 14) }));
    const result = feedServer(concat(record(HANDSHAKE, hello.subarray(0, 2 ** 14)), record(HANDSHAKE, hello.subarray(2 ** 14))));
    expect(accepted(result)).toBe(true);
    expect(result.output[5]).toBe(2); // ServerHello
  });

  it.each(['0300', '0301', '0302', '0303', '0304', 'ffff', '0000'])('the ClientHello record version 0x%s is ignored (§5.1: "MUST be ignored for all purposes")', (version) => {
    const result = feedServer(record(HANDSHAKE, helloWith(() => {}), parseInt(version, 16)));
    expect(accepted(result)).toBe(true);
    expect(result.output[5]).toBe(2);
  });

  it('an empty handshake record before the ClientHello is unexpected_message', () => {
    expectAbort(feedServer(concat(record(HANDSHAKE, new Uint8Array(0)), record(HANDSHAKE, helloWith(() => {})))), 'unexpected_message', { plaintext: true });
  });

  it('an empty alert record before the ClientHello is unexpected_message', () => {
    expectAbort(feedServer(record(ALERT, new Uint8Array(0))), 'unexpected_message', { plaintext: true });
  });

  it.each([0, 19, 24, 25, 255])('a record of content type %i before the ClientHello is unexpected_message', (type) => {
    expectAbort(feedServer(record(type, helloWith(() => {}))), 'unexpected_message', { plaintext: true });
  });

  it('application data before the ClientHello is unexpected_message', () => {
    expectAbort(feedServer(record(APPLICATION_DATA, Uint8Array.of(1, 2, 3))), 'unexpected_message', { plaintext: true });
  });
});

describe('padding on handshake records (§5.4, test-tls13-record-padding)', () => {
  /** The client's own Finished, sealed again with `padding` zeros under its handshake key. */
  function paddedFinished(padding: number) {
    const pair = new InMemoryPair(clientConfig(), serverConfig());
    pair.step('client');
    pair.step('server');
    pair.pull('client');
    const finished = pair.events('client').find((e) => e.type === 'handshake-message' && e.direction === 'out' && e.message.kind === 'finished');
    if (finished?.type !== 'handshake-message') throw new Error('the client sent no Finished');
    const writer = PeerWriter.of(pair, 'client', 'client_handshake_traffic_secret');
    return { pair, record: writer.seal(HANDSHAKE, finished.raw, padding), length: finished.raw.length };
  }

  it.each([1, 255, 4096])('the client Finished with %i bytes of padding completes the handshake', (padding) => {
    const { pair, record: padded } = paddedFinished(padding);
    expect(accepted(feed(pair.server, padded))).toBe(true);
    expect(pair.server.isConnected).toBe(true);
  });

  it('the client Finished padded to a TLSInnerPlaintext of exactly 2^14 + 1 bytes completes the handshake', () => {
    const { length } = paddedFinished(0);
    const { pair, record: padded } = paddedFinished(2 ** 14 + 1 - length - 1);
    expect(accepted(feed(pair.server, padded))).toBe(true);
    expect(pair.server.isConnected).toBe(true);
  });

  it('one byte more of padding is record_overflow', () => {
    const { length } = paddedFinished(0);
    const { pair, record: padded } = paddedFinished(2 ** 14 + 1 - length);
    expectAbort(feed(pair.server, padded), 'record_overflow', { protectedFor: pair.client });
  });
});
