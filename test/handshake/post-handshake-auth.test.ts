import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/crypto/random.js';
import type { ClientConfig, ServerConfig } from '../../src/handshake/config.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { makeIdentity, TEST_NOW } from '../../src/testing/certs.js';
import { utf8 } from '../../src/wire/bytes.js';

const server = makeIdentity({ subject: { CN: 'server' } }, seededRandom('pha-server'));
const alice = makeIdentity({ subject: { CN: 'alice' } }, seededRandom('pha-alice'));
const mallory = makeIdentity({ subject: { CN: 'mallory' } }, seededRandom('pha-mallory'));

function connect(client: Partial<ClientConfig>, serverExtra: Partial<ServerConfig> = {}) {
  return new InMemoryPair(
    { trust: { kind: 'pinned-certificate', certificates: [server.der] }, now: () => TEST_NOW, random: seededRandom('c'), postHandshakeAuth: true, ...client },
    { certificate: server, now: () => TEST_NOW, random: seededRandom('s'), trust: { kind: 'pinned-certificate', certificates: [alice.der] }, ...serverExtra },
  ).run();
}

describe('post-handshake client authentication (RFC 8446 §4.6.2)', () => {
  it('authenticates the client after the handshake, with data flowing before and after', () => {
    const pair = connect({ certificate: alice });
    expect(pair.server.info.peer).toBeUndefined();
    pair.client.write(utf8.encode('before'));
    pair.server.requestClientCertificate();
    pair.run();
    pair.client.write(utf8.encode('after'));
    pair.run();
    const done = pair.events('server').find((e) => e.type === 'post-handshake-auth');
    expect(done?.type === 'post-handshake-auth' && done.info.peer?.subject).toBe('CN=alice');
    expect(pair.server.info.clientAuth).toBe('authenticated');
    const data = pair.events('server').flatMap((e) => (e.type === 'data' ? [utf8.decode(e.data)] : []));
    expect(data).toEqual(['before', 'after']);
  });

  it('uses a fresh non-empty certificate_request_context and the same trust policy: an unpinned certificate gets bad_certificate', () => {
    const pair = connect({ certificate: mallory });
    pair.server.requestClientCertificate();
    pair.run();
    const request = pair.events('client').find((e) => e.type === 'handshake-message' && e.message.kind === 'certificate_request');
    expect(request?.type === 'handshake-message' && request.message.kind === 'certificate_request' && request.message.context.length).toBe(16);
    const alert = pair.events('server').find((e) => e.type === 'alert' && e.direction === 'out');
    expect(alert).toMatchObject({ description: 'bad_certificate' });
  });

  it('gets an empty Certificate from a client without one, and stays connected without a client identity', () => {
    const pair = connect({});
    pair.server.requestClientCertificate();
    pair.run();
    expect(pair.server.info.clientAuth).toBe('requested-none-sent');
    expect(pair.server.info.peer).toBeUndefined();
    expect(pair.server.isConnected).toBe(true);
  });

  it('refuses to ask a client that did not offer post_handshake_auth', () => {
    const pair = connect({ certificate: alice, postHandshakeAuth: false });
    expect(() => pair.server.requestClientCertificate()).toThrow(/did not offer post_handshake_auth/);
  });
});

describe('post-handshake authentication after other post-handshake messages', () => {
  it('still authenticates after session tickets and KeyUpdates, which belong to no transcript (RFC 8446 §4.4)', () => {
    const pair = connect({ certificate: alice }, { tickets: { count: 2 } });
    pair.client.updateKeys(true);
    pair.run();
    pair.server.requestClientCertificate();
    pair.run();
    expect(pair.server.info.clientAuth).toBe('authenticated');
    expect(pair.events('server').some((e) => e.type === 'post-handshake-auth')).toBe(true);
  });
});
