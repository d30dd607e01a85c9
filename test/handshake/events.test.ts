// The events a caller takes from each side of a handshake, in the order they happen: state changes, messages,
// decisions and secrets interleaved as the RFC 8446 Appendix A machines meet them. Performance work on how
// events travel (effects, wrappers) must leave every one of them, and their order, as they are.
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/crypto/random.js';
import type { ClientConfig, ServerConfig } from '../../src/handshake/config.js';
import type { TlsEvent } from '../../src/handshake/events.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { makeIdentity, TEST_NOW } from '../../src/testing/certs.js';

function describeEvent(e: TlsEvent): string {
  switch (e.type) {
    case 'state':
      return `state ${e.role} ${e.from}->${e.to}`;
    case 'handshake-message':
      return `${e.direction} ${e.message.kind}`;
    case 'secret':
      return `secret ${e.name}${e.keylog ? ` ${e.keylog}` : ''}`;
    case 'decision':
      return `decision ${e.topic} ${e.value}`;
    default:
      return e.type;
  }
}

describe('events of a mutual-TLS handshake', () => {
  it('reach each side in the order the handshake meets them, with every secret keylog-labelled as NSS names it', () => {
    const random = seededRandom('events');
    const server = makeIdentity({ subject: { CN: 'server' }, sans: { dns: ['example.test'] } }, random);
    const client = makeIdentity({ subject: { CN: 'client' } }, random);
    const pair = new InMemoryPair(
      { serverName: 'example.test', trust: { kind: 'pinned-certificate', certificates: [server.der] }, certificate: client, now: () => TEST_NOW, random: seededRandom('c') },
      { certificate: server, clientAuth: 'require', trust: { kind: 'pinned-certificate', certificates: [client.der] }, random: seededRandom('s'), now: () => TEST_NOW },
    ).run();
    const secrets = (...names: string[]) => names.map((n) => `secret ${n}`);
    const applicationSecrets = secrets(
      'client_application_traffic_secret_0 CLIENT_TRAFFIC_SECRET_0',
      'server_application_traffic_secret_0 SERVER_TRAFFIC_SECRET_0',
      'exporter_master_secret EXPORTER_SECRET',
    );
    const handshakeSecrets = secrets('client_handshake_traffic_secret CLIENT_HANDSHAKE_TRAFFIC_SECRET', 'server_handshake_traffic_secret SERVER_HANDSHAKE_TRAFFIC_SECRET');
    expect(pair.events('client').map(describeEvent)).toEqual([
      'out client_hello',
      'state client START->WAIT_SH',
      'in server_hello',
      'decision group X25519MLKEM768',
      'decision version TLS 1.3',
      'decision cipher_suite TLS_AES_128_GCM_SHA256',
      ...handshakeSecrets,
      'state client WAIT_SH->WAIT_EE',
      'in encrypted_extensions',
      'decision server_name example.test',
      'state client WAIT_EE->WAIT_CERT_CR',
      'in certificate_request',
      'decision client_auth requested',
      'state client WAIT_CERT_CR->WAIT_CERT',
      'in certificate',
      'state client WAIT_CERT->WAIT_CV',
      'decision trust trusted',
      'in certificate_verify',
      'decision signature_scheme ed25519',
      'state client WAIT_CV->WAIT_FINISHED',
      'in finished',
      ...applicationSecrets,
      'decision client_certificate sent',
      'out certificate',
      'out certificate_verify',
      'out finished',
      'secret resumption_master_secret',
      'state client WAIT_FINISHED->CONNECTED',
      'connected',
    ]);
    expect(pair.events('server').map(describeEvent)).toEqual([
      'in client_hello',
      'state server START->RECVD_CH',
      'decision version TLS 1.3',
      'decision cipher_suite TLS_AES_128_GCM_SHA256',
      'decision group X25519MLKEM768',
      'decision signature_scheme ed25519',
      'decision server_name example.test',
      'state server RECVD_CH->NEGOTIATED',
      'out server_hello',
      ...handshakeSecrets,
      'out encrypted_extensions',
      'decision client_auth require',
      'out certificate_request',
      'out certificate',
      'out certificate_verify',
      'out finished',
      ...applicationSecrets,
      'state server NEGOTIATED->WAIT_FLIGHT2',
      'state server WAIT_FLIGHT2->WAIT_CERT',
      'in certificate',
      'decision trust trusted',
      'state server WAIT_CERT->WAIT_CV',
      'in certificate_verify',
      'decision client_auth key possession proven',
      'state server WAIT_CV->WAIT_FINISHED',
      'in finished',
      'decision client_auth authenticated',
      'secret resumption_master_secret',
      'state server WAIT_FINISHED->CONNECTED',
      'connected',
    ]);
  });
});

describe('secret and trace events on request (config secretEvents and traceEvents, and the connection switches)', () => {
  const random = seededRandom('secret-events');
  const server = makeIdentity({ subject: { CN: 'server' }, sans: { dns: ['example.test'] } }, random);
  type Choice = { secretEvents?: boolean; traceEvents?: boolean };
  const configs = (choice: Choice = {}): [ClientConfig, ServerConfig] => [
    { serverName: 'example.test', trust: { kind: 'pinned-certificate', certificates: [server.der] }, now: () => TEST_NOW, random: seededRandom('c'), ...choice },
    { certificate: server, random: seededRandom('s'), now: () => TEST_NOW, ...choice },
  ];
  const run = (choice?: Choice) => new InMemoryPair(...configs(choice)).run();
  const TRACE_ONLY = new Set(['handshake-message', 'state', 'decision']);
  const secretNames = (pair: InMemoryPair, side: 'client' | 'server') => pair.events(side).flatMap((e) => (e.type === 'secret' ? [e.name] : []));

  it('are made by default, and with secretEvents: false none are, every other event and every byte unchanged', () => {
    const [withSecrets, without] = [run(), run({ secretEvents: false })];
    for (const side of ['client', 'server'] as const) {
      expect(secretNames(withSecrets, side)).toHaveLength(6);
      expect(secretNames(without, side)).toEqual([]);
      expect(without.events(side).map(describeEvent)).toEqual(withSecrets.events(side).filter((e) => e.type !== 'secret').map(describeEvent));
      expect(without.connection(side).isConnected).toBe(true);
    }
    // Seeded randomness on both sides: the same handshake, byte for byte, with or without the events.
    expect(without.wire.map((s) => s.bytes)).toEqual(withSecrets.wire.map((s) => s.bytes));
    const exported = (pair: InMemoryPair) => pair.client.exportKeyingMaterial('EXPORTER-test', new Uint8Array(0), 32);
    expect(exported(without)).toEqual(exported(withSecrets));
  });

  it('with traceEvents: false no handshake-message, state or decision event is made, every other event and every byte unchanged', () => {
    const [all, without] = [run(), run({ traceEvents: false })];
    for (const side of ['client', 'server'] as const) {
      expect(all.events(side).filter((e) => TRACE_ONLY.has(e.type)).length).toBeGreaterThan(10);
      expect(without.events(side).map(describeEvent)).toEqual(all.events(side).filter((e) => !TRACE_ONLY.has(e.type)).map(describeEvent));
      expect(without.connection(side).isConnected).toBe(true);
      expect(without.connection(side).info).toEqual(all.connection(side).info);
    }
    expect(without.wire.map((s) => s.bytes)).toEqual(all.wire.map((s) => s.bytes));
  });

  it('switched on mid-handshake, the secrets derived from then on make events', () => {
    const pair = new InMemoryPair(...configs({ secretEvents: false }));
    expect(pair.client.secretEvents).toBe(false);
    pair.step('client'); // the ClientHello reaches the server, which answers with its whole flight
    pair.client.secretEvents = true;
    pair.run();
    expect(secretNames(pair, 'server')).toEqual([]);
    expect(secretNames(pair, 'client')).toEqual(['client_handshake_traffic_secret', 'server_handshake_traffic_secret', 'client_application_traffic_secret_0', 'server_application_traffic_secret_0', 'exporter_master_secret', 'resumption_master_secret']);
  });

  it('switched on mid-handshake, the messages, states and decisions from then on make events', () => {
    const pair = new InMemoryPair(...configs({ traceEvents: false }));
    expect(pair.server.traceEvents).toBe(false);
    pair.server.traceEvents = true;
    pair.run();
    expect(pair.events('client').filter((e) => TRACE_ONLY.has(e.type))).toEqual([]);
    expect(pair.events('server').map(describeEvent).slice(0, 3)).toEqual(['in client_hello', 'state server START->RECVD_CH', 'decision version TLS 1.3']);
  });

  it('refuse a switch that is not a boolean', () => {
    const pair = new InMemoryPair(...configs());
    expect(() => ((pair.client as { secretEvents: unknown }).secretEvents = 'no')).toThrow(new TypeError('secretEvents must be a boolean, not string'));
    expect(() => ((pair.client as { traceEvents: unknown }).traceEvents = 1)).toThrow(new TypeError('traceEvents must be a boolean, not number'));
    expect([pair.client.secretEvents, pair.client.traceEvents]).toEqual([true, true]);
  });
});
