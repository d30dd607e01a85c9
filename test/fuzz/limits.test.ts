// Resource limits (docs/robustness.md): each bound the engine keeps against a hostile peer, driven past
// its edge.
import { describe, expect, it } from 'vitest';
import { insecureFuzzingProvider as provider } from '../../src/crypto/fuzzing.js';
import { Connection, MAX_BUFFERED_WHILE_PAUSED } from '../../src/handshake/connection.js';
import type { TlsEvent } from '../../src/handshake/events.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { MAX_KEY_UPDATES_WITHOUT_DATA } from '../../src/handshake/traffic.js';
import { DEFAULT_MAX_HANDSHAKE_MESSAGE_LENGTH, MAX_CLIENT_HELLO_LENGTH } from '../../src/record/handshake-buffer.js';
import { MAX_CIPHERTEXT_LENGTH, RECORD_HEADER_LENGTH } from '../../src/record/header.js';
import { MAX_CONSECUTIVE_EMPTY_RECORDS, RecordLayer } from '../../src/record/layer.js';
import { Prng } from '../../src/testing/fuzz/input.js';
import { scenarioConfigs } from '../../src/testing/fuzz/scenarios.js';
import { announcedSecret, editPlaintextHandshake, editProtectedHandshake, suiteNamed, type TrafficSecret } from '../../src/testing/tamper.js';
import { concat } from '../../src/wire/bytes.js';

const sentAlerts = (events: TlsEvent[]) => events.flatMap((e) => (e.type === 'alert' && e.direction === 'out' ? [e.description] : []));
const record = (type: number, fragment: Uint8Array) => concat(Uint8Array.of(type, 3, 3, fragment.length >> 8, fragment.length & 0xff), fragment);
/** A handshake message header: its type and a 3-byte length (RFC 8446 §4). */
const header = (msgType: number, length: number) => Uint8Array.of(msgType, length >> 16, (length >> 8) & 0xff, length & 0xff);
const CCS = record(20, Uint8Array.of(1));
const MB = 1024 * 1024;

/** Bytes the record layer holds: the most one record can take (header + 2^14 + 256) plus one partial header. */
const RECORD_BUFFER_BOUND = RECORD_HEADER_LENGTH + MAX_CIPHERTEXT_LENGTH;

describe('bytes buffered per connection', () => {
  it('stays under one record while 10 MB of valid-looking handshake fragments stream in', () => {
    const layer = new RecordLayer();
    // Records of 2^14 bytes carrying handshake messages that each claim the largest allowed length.
    const message = concat(Uint8Array.of(1, 0, 0xff, 0xff), new Uint8Array(0xffff));
    const fragments: Uint8Array[] = [];
    for (let at = 0; at < message.length; at += 2 ** 14) fragments.push(record(22, message.subarray(at, at + 2 ** 14)));
    const stream = concat(...fragments);
    let peak = 0;
    let messages = 0;
    for (let fed = 0; fed < 10 * MB; fed += stream.length) {
      for (let at = 0; at < stream.length; at += 1000) {
        layer.receive(stream.subarray(at, at + 1000));
        while (layer.next() !== undefined) messages++;
        peak = Math.max(peak, layer.bufferedBytes);
      }
    }
    expect(messages).toBeGreaterThan(100);
    expect(peak).toBeLessThanOrEqual(RECORD_BUFFER_BOUND);
  });

  it('stops reading an endless stream of garbage at the first bad header, and then drops all input', () => {
    const { server: config } = scenarioConfigs('1rtt', provider, 1);
    const server = Connection.server(config);
    const prng = new Prng(42);
    for (let fed = 0; fed < 10 * MB; fed += 64 * 1024) server.receive(prng.bytes(64 * 1024));
    expect(server.state).toBe('CLOSED');
    expect(sentAlerts(server.takeEvents())).toHaveLength(1);
    // Nothing is kept after the failure: the record layer holds at most what arrived before it.
    expect((server as unknown as { records: RecordLayer }).records.bufferedBytes).toBeLessThanOrEqual(64 * 1024);
  });

  // While a decision is pending nothing is read; MAX_BUFFERED_WHILE_PAUSED bounds what piles up meanwhile.
  it('bounds the bytes buffered while the connection waits for a decision', () => {
    const configs = scenarioConfigs('1rtt', provider, 2);
    const client = Connection.client({ ...configs.client, trust: { kind: 'ask' } });
    const server = Connection.server(configs.server);
    server.receive(client.takeOutput());
    client.receive(server.takeOutput());
    expect(client.pendingDecision?.kind).toBe('verify-peer');
    const junk = record(23, new Uint8Array(2 ** 14));
    for (let fed = 0; fed < 10 * MB; fed += junk.length) client.receive(junk);
    expect((client as unknown as { records: RecordLayer }).records.bufferedBytes).toBeLessThanOrEqual(MAX_BUFFERED_WHILE_PAUSED + junk.length);
    expect(sentAlerts(client.takeEvents())).toEqual(['internal_error']);
    expect(client.state).toBe('CLOSED');
  });
});

describe('handshake messages', () => {
  // Longer than a ClientHello can be is decode_error (§6.2 "the length of the message was incorrect").
  it(`the server refuses a ClientHello longer than ${MAX_CLIENT_HELLO_LENGTH} bytes from its header, before buffering its body`, () => {
    const { server: config } = scenarioConfigs('1rtt', provider, 3);
    const at = (length: number) => {
      const server = Connection.server(config);
      server.receive(record(22, header(1, length)));
      return server.takeEvents().find((e) => e.type === 'alert');
    };
    expect(at(MAX_CLIENT_HELLO_LENGTH)).toBeUndefined();
    expect(at(MAX_CLIENT_HELLO_LENGTH + 1)).toMatchObject({ description: 'decode_error', reason: 'DecodeError' });
  });

  // The peer's length field is at fault, not us: illegal_parameter (RFC 8446 §6.2), as OpenSSL and BoringSSL
  // answer. Judged on a type the state takes: any other type is unexpected_message before its length is read.
  it(`the client refuses a ServerHello longer than ${DEFAULT_MAX_HANDSHAKE_MESSAGE_LENGTH} bytes from its header, before buffering its body`, () => {
    const { client: config } = scenarioConfigs('1rtt', provider, 3);
    const at = (length: number) => {
      const client = Connection.client(config);
      client.takeOutput();
      client.receive(record(22, header(2, length)));
      return client.takeEvents().find((e) => e.type === 'alert');
    };
    expect(at(DEFAULT_MAX_HANDSHAKE_MESSAGE_LENGTH)).toBeUndefined();
    expect(at(DEFAULT_MAX_HANDSHAKE_MESSAGE_LENGTH + 1)).toMatchObject({ description: 'illegal_parameter', reason: 'HandshakeMessageTooLong' });
  });

  it('accepts a server Certificate of 50 entries: the RFC sets no count, the message limit bounds the bytes', () => {
    const configs = scenarioConfigs('1rtt', provider, 4);
    let done = false;
    let entries = 0;
    const pair: InMemoryPair = new InMemoryPair(configs.client, configs.server, {
      tamper: ({ from, bytes }): Uint8Array => {
        if (from !== 'server' || done) return bytes;
        done = true;
        const keys: TrafficSecret = { suite: suiteNamed(pair.server.info.cipherSuite), secret: announcedSecret(pair.events('server'), 'server_handshake_traffic_secret'), provider };
        // The leaf, then 49 copies of it (extra certificates a path builder may ignore, RFC 8446 §4.4.2).
        // The server signed the transcript with one entry: the client judges the chain, then CertificateVerify fails.
        return editProtectedHandshake(bytes, keys, (messages) =>
          messages.map((m) => {
            if (m.kind !== 'certificate') return m;
            entries = 50;
            return { ...m, entries: Array.from({ length: entries }, () => m.entries[0]!) };
          }),
        );
      },
    });
    pair.run();
    expect(entries).toBe(50);
    expect(pair.events('client').some((e) => e.type === 'decision' && e.topic === 'trust' && e.value === 'trusted')).toBe(true);
    expect(sentAlerts(pair.events('client'))).toEqual(['decrypt_error']);
  });

  it('accepts a ClientHello with 10,000 extensions (the RFC sets no count; OpenSSL accepts them too)', () => {
    const configs = scenarioConfigs('1rtt', provider, 5);
    const pair = new InMemoryPair(configs.client, configs.server, {
      tamper: ({ from, bytes }) =>
        from === 'client'
          ? editPlaintextHandshake(bytes, (ms) =>
              ms.map((m) => (m.kind === 'client_hello' ? { ...m, extensions: [...Array.from({ length: 10_000 }, (_, i) => ({ type: 0x4000 + i, data: new Uint8Array(0) })), ...m.extensions] } : m)),
            )
          : bytes,
    });
    pair.step('client');
    expect(sentAlerts(pair.events('server'))).toEqual([]);
    expect(pair.server.info.cipherSuite).toBeDefined();
  });

  it('still refuses a duplicate extension at the end of a block of 10,000 (RFC 8446 §4.2)', () => {
    const configs = scenarioConfigs('1rtt', provider, 5);
    const pair = new InMemoryPair(configs.client, configs.server, {
      tamper: ({ from, bytes }) =>
        from === 'client'
          ? editPlaintextHandshake(bytes, (ms) =>
              ms.map((m) => {
                if (m.kind !== 'client_hello') return m;
                const many = Array.from({ length: 10_000 }, (_, i) => ({ type: 0x4000 + i, data: new Uint8Array(0) }));
                return { ...m, extensions: [...many, many[0]!, ...m.extensions] };
              }),
            )
          : bytes,
    });
    pair.step('client');
    expect(sentAlerts(pair.events('server'))).toEqual(['illegal_parameter']);
  });
});

describe('floods', () => {
  it(`allows ${MAX_CONSECUTIVE_EMPTY_RECORDS} consecutive ChangeCipherSpec records and refuses one more`, () => {
    const flood = (count: number) => {
      const configs = scenarioConfigs('1rtt', provider, 6);
      const client = Connection.client(configs.client);
      const server = Connection.server(configs.server);
      server.receive(concat(client.takeOutput(), ...Array.from({ length: count }, () => CCS)));
      return sentAlerts(server.takeEvents());
    };
    expect(flood(MAX_CONSECUTIVE_EMPTY_RECORDS)).toEqual([]);
    expect(flood(MAX_CONSECUTIVE_EMPTY_RECORDS + 1)).toEqual(['unexpected_message']);
  });

  it(`allows ${MAX_KEY_UPDATES_WITHOUT_DATA} KeyUpdates without data in between and refuses one more`, () => {
    const flood = (count: number) => {
      const configs = scenarioConfigs('1rtt', provider, 7);
      const pair = new InMemoryPair(configs.client, configs.server).run();
      for (let i = 0; i < count; i++) {
        pair.client.updateKeys(false);
        pair.step('client');
      }
      return sentAlerts(pair.events('server'));
    };
    expect(flood(MAX_KEY_UPDATES_WITHOUT_DATA)).toEqual([]);
    expect(flood(MAX_KEY_UPDATES_WITHOUT_DATA + 1)).toEqual(['unexpected_message']);
  });
});

describe('early data', () => {
  it('accepts 0-RTT data up to max_early_data_size and refuses a byte more', () => {
    const run = (size: number) => {
      const configs = scenarioConfigs('0rtt', provider, 8);
      const resumption = configs.client.resumption!;
      // Our client keeps to the ticket's budget (RFC 8446 §4.6.1): told the ticket allows more, it sends what
      // the server never allowed, as a careless client would.
      configs.client.resumption = { ...resumption, ticket: { ...resumption.ticket, maxEarlyDataSize: 4096 }, earlyData: new Uint8Array(size).fill(0x61) };
      const pair = new InMemoryPair(configs.client, configs.server).run();
      return { alerts: sentAlerts(pair.events('server')), early: pair.events('server').filter((e) => e.type === 'data' && e.early).length };
    };
    expect(run(1024)).toEqual({ alerts: [], early: 1 });
    expect(run(1025).alerts).toEqual(['unexpected_message']);
  });
});
