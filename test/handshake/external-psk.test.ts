// External PSKs (RFC 8446 §4.2.11) between our client and our server, in memory: selection by identity,
// both hashes, psk_dhe_ke by default and psk_ke only when both sides list it, suite selection steered by
// the PSK's hash, mixing with a resumption ticket, and PSK-only endpoints without any certificate.
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/crypto/random.js';
import type { ClientConfig, ServerConfig } from '../../src/handshake/config.js';
import type { TlsEvent } from '../../src/handshake/events.js';
import type { ExternalPsk } from '../../src/handshake/external-psk.js';
import { Connection } from '../../src/handshake/connection.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { makeIdentity, TEST_NOW } from '../../src/testing/certs.js';
import { fromHex, utf8 } from '../../src/wire/bytes.js';
import { ExtensionType, NamedGroup, PskKeyExchangeMode } from '../../src/wire/enums.js';
import * as X from '../../src/wire/extensions.js';

const serverIdentity = makeIdentity({ subject: { CN: 'server' } }, seededRandom('external-psk-server'));
const alice: ExternalPsk = { identity: 'alice', key: fromHex('00112233445566778899aabbccddeeff') };
const bob: ExternalPsk = { identity: 'bob', key: fromHex('ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100'), hash: 'sha384' };
const now = () => TEST_NOW;

function server(extra: Partial<ServerConfig> = {}): ServerConfig {
  return { now, random: seededRandom('psk server'), externalPsks: { keys: [alice, bob] }, ...extra };
}

function client(extra: Partial<ClientConfig> = {}): ClientConfig {
  return { now, random: seededRandom('psk client'), externalPsks: { keys: [alice] }, ...extra };
}

const received = (events: TlsEvent[]) => events.flatMap((e) => (e.type === 'handshake-message' && e.direction === 'in' ? [e.message.kind] : []));
const alerts = (events: TlsEvent[]) => events.flatMap((e) => (e.type === 'alert' && e.direction === 'out' ? [e.description] : []));

describe('external PSKs (RFC 8446 §4.2.11)', () => {
  it('connects a PSK-only client and server with psk_dhe_ke, each reporting the other as the PSK identity', () => {
    const pair = new InMemoryPair(client(), server()).run();
    expect(pair.client.isConnected).toBe(true);
    expect(pair.server.info.peer).toMatchObject({ kind: 'psk', identity: 'alice', hash: 'sha256', verdict: { trusted: true, rule: 'external-psk' } });
    expect(pair.client.info.peer).toMatchObject({ kind: 'psk', identity: 'alice' });
    expect(pair.client.info.group).toBe('X25519MLKEM768');
    expect(pair.client.info.resumed).toBeUndefined();
    expect(received(pair.events('client'))).toEqual(['server_hello', 'encrypted_extensions', 'finished']);
    pair.client.write(utf8.encode('hello'));
    pair.run();
    expect(pair.events('server').some((e) => e.type === 'data')).toBe(true);
  });

  it('selects the PSK the client names among several, and a SHA-384 PSK steers the suite to TLS_AES_256_GCM_SHA384', () => {
    const pair = new InMemoryPair(client({ externalPsks: { keys: [bob] } }), server()).run();
    expect(pair.server.info.peer).toMatchObject({ kind: 'psk', identity: 'bob', hash: 'sha384' });
    expect(pair.server.info.cipherSuite).toBe('TLS_AES_256_GCM_SHA384');
  });

  it('uses psk_ke (no key share, no forward secrecy) only when both sides list it, and says so in the trace', () => {
    const pair = new InMemoryPair(client({ externalPsks: { keys: [alice], modes: ['psk_ke'] } }), server({ externalPsks: { keys: [alice], modes: ['psk_ke'] } })).run();
    expect(pair.client.isConnected).toBe(true);
    expect(pair.client.info.group).toBeUndefined();
    const decisions = pair.events('server').flatMap((e) => (e.type === 'decision' && e.topic === 'external_psk' ? [e.value] : []));
    expect(decisions.join()).toContain('NO FORWARD SECRECY');
  });

  it('prefers psk_dhe_ke when the client offers both modes', () => {
    const both = { keys: [alice], modes: ['psk_dhe_ke' as const, 'psk_ke' as const] };
    const pair = new InMemoryPair(client({ externalPsks: both }), server({ externalPsks: both })).run();
    expect(pair.client.info.group).toBe('X25519MLKEM768');
  });

  it('falls back to a full handshake with the certificate when the server does not know the identity', () => {
    const pair = new InMemoryPair(
      client({ externalPsks: { keys: [{ identity: 'carol', key: alice.key }] }, trust: { kind: 'pinned-certificate', certificates: [serverIdentity.der] } }),
      server({ certificate: serverIdentity }),
    ).run();
    expect(pair.client.isConnected).toBe(true);
    expect(received(pair.events('client'))).toContain('certificate');
    expect(pair.client.info.peer?.subject).toBe('CN=server');
    expect(pair.server.info.peer).toBeUndefined();
  });

  it('offers a resumption ticket and an external PSK together, the ticket first; the server resumes it, the first it can use', () => {
    const tickets = { count: 1, key: new Uint8Array(32).fill(1) };
    const first = new InMemoryPair(client(), server({ tickets })).run();
    const ticket = first.events('client').find((e) => e.type === 'session-ticket');
    if (ticket?.type !== 'session-ticket') throw new Error('no ticket');
    const second = new InMemoryPair(client({ resumption: { ticket: ticket.ticket } }), server({ tickets })).run();
    // The ticket comes first and is ours: it resumes the session alice's PSK authenticated (test/security/psk-order).
    expect(second.server.info).toMatchObject({ resumed: true, peer: { kind: 'psk', identity: 'alice', verdict: { rule: 'resumed external-psk' } } });
    const hello = second.events('client').find((e) => e.type === 'handshake-message' && e.direction === 'out');
    expect(hello?.type === 'handshake-message' && hello.message.kind === 'client_hello').toBe(true);
  });

  it('keeps the PSK through a HelloRetryRequest: ClientHello2 carries it with a fresh binder', () => {
    const pair = new InMemoryPair(client(), server({ groups: [NamedGroup.secp256r1] })).run();
    expect(pair.events('server').some((e) => e.type === 'handshake-message' && e.message.kind === 'hello_retry_request')).toBe(true);
    expect(pair.server.info.peer).toMatchObject({ kind: 'psk', identity: 'alice' });
    expect(pair.client.info.group).toBe('secp256r1');
  });

  it('refuses PSKs too short to hold 128 bits, before anything is sent', () => {
    expect(() => new InMemoryPair(client({ externalPsks: { keys: [{ identity: 'x', key: new Uint8Array(15) }] } }), server())).toThrow(TypeError);
  });

  it('lists each mode once in psk_key_exchange_modes, the ticket config\'s first, when a ticket and external PSKs are offered (RFC 8446 §4.2.9)', () => {
    const ticket = { lifetime: 7200, ageAdd: 0, nonce: new Uint8Array(0), ticket: utf8.encode('an old ticket'), psk: new Uint8Array(32).fill(7), cipherSuite: 0x1301 };
    const modesSent = (config: ClientConfig) => {
      const hello = Connection.client(config).takeEvents().find((e) => e.type === 'handshake-message' && e.direction === 'out');
      if (hello?.type !== 'handshake-message' || hello.message.kind !== 'client_hello') throw new Error('no ClientHello');
      return X.bodyOf(X.pskKeyExchangeModes, hello.message.extensions.find((e) => e.type === ExtensionType.psk_key_exchange_modes)!);
    };
    // psk_dhe_ke in both configs: once. psk_ke only in the external one: after the ticket's.
    expect(modesSent(client({ resumption: { ticket, modes: ['psk_dhe_ke'] }, externalPsks: { keys: [alice], modes: ['psk_ke', 'psk_dhe_ke'] } }))).toEqual([
      PskKeyExchangeMode.psk_dhe_ke,
      PskKeyExchangeMode.psk_ke,
    ]);
    // No ticket: the external PSKs' modes alone.
    expect(modesSent(client({ externalPsks: { keys: [alice], modes: ['psk_ke'] } }))).toEqual([PskKeyExchangeMode.psk_ke]);
  });

  it('ends a PSK-only client with handshake_failure when the server does not select its PSK', () => {
    const pair = new InMemoryPair(client({ externalPsks: { keys: [{ identity: 'carol', key: alice.key }] } }), server({ certificate: serverIdentity })).run();
    expect(alerts(pair.events('client'))).toEqual(['handshake_failure']);
  });
});
