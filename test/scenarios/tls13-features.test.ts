import { describe, expect, it } from 'vitest';
import type { TlsEvent } from '../../src/handshake/events.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { FEATURE_SCENARIOS } from '../../src/scenarios/tls13-features.js';
import { ExtensionType, NamedGroup } from '../../src/wire/enums.js';
import { keyShareClientHello } from '../../src/wire/extensions.js';

function play(name: keyof typeof FEATURE_SCENARIOS) {
  const setup = FEATURE_SCENARIOS[name].setup('feature-test');
  const pair = new InMemoryPair(setup.client, setup.server).run();
  setup.afterConnected?.(pair);
  pair.run();
  return pair;
}

const kinds = (events: TlsEvent[], direction: 'in' | 'out') =>
  events.flatMap((e) => (e.type === 'handshake-message' && e.direction === direction ? [e.message.kind] : []));

describe('TLS 1.3 feature scenarios', () => {
  it('hrr: the server asks again for secp256r1 and the handshake completes on it', () => {
    const pair = play('hrr');
    expect(kinds(pair.events('client'), 'in')[0]).toBe('hello_retry_request');
    expect(pair.client.info.group).toBe('secp256r1');
  });

  it('post-quantum: the client sends a hybrid and an x25519 share, and the server takes the hybrid without a retry', () => {
    const pair = play('post-quantum');
    const hello = pair.events('client').find((e) => e.type === 'handshake-message' && e.message.kind === 'client_hello');
    const shares = hello?.type === 'handshake-message' && hello.message.kind === 'client_hello' ? hello.message.extensions.find((e) => e.type === ExtensionType.key_share) : undefined;
    expect(keyShareClientHello.parse(shares!.data).map((s) => s.group)).toEqual([NamedGroup.X25519MLKEM768, NamedGroup.x25519]);
    expect(kinds(pair.events('client'), 'in')).not.toContain('hello_retry_request');
    expect(pair.client.info.group).toBe('X25519MLKEM768');
    expect(pair.server.info.group).toBe('X25519MLKEM768');
  });

  it('resumption: resumes with the earlier ticket, without certificates', () => {
    const pair = play('resumption');
    expect(pair.client.info.resumed).toBe(true);
    expect(kinds(pair.events('client'), 'in')).not.toContain('certificate');
  });

  it('0rtt: the server receives the early data before the handshake completes', () => {
    const pair = play('0rtt');
    expect(pair.server.info.earlyData).toBe('accepted');
    expect(pair.events('server').some((e) => e.type === 'data' && e.early)).toBe(true);
  });

  it('key-update: both sides send a KeyUpdate and stay connected', () => {
    const pair = play('key-update');
    expect(kinds(pair.events('client'), 'out')).toContain('key_update');
    expect(kinds(pair.events('server'), 'out')).toContain('key_update');
    expect(pair.client.isConnected && pair.server.isConnected).toBe(true);
  });

  it('post-handshake-auth: the server learns who the client is after the handshake', () => {
    const pair = play('post-handshake-auth');
    expect(pair.server.info.peer?.subject).toBe('CN=alice');
  });
});
