// Attacker's test (memory disclosure after the fact, as wipe-at-close.test.ts) on a half-closed connection: one side
// sent close_notify, the other goes on writing, for as long as the application likes. The engine kept both directions'
// keys until the second close_notify, though after our close_notify we never seal another record (RFC 8446 §6.1) and
// after the peer's we never open one. A heap dump of a long-lived half-closed connection (a server streaming its answer
// after the client's end()) then gave the closed direction's keys: the client's requests, decrypted.
//
// The check: the reachable-bytes walk of held-secrets.ts for the closed direction's traffic secrets, their record keys
// and IVs (after a KeyUpdate too), and whether any AEAD the provider made still seals as that direction's record key.
// The open direction must go on: data, a KeyUpdate asking for ours (not answered after our close_notify), tickets.
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import type { AeadKey, AeadName, CryptoProvider } from '../../src/crypto/provider.js';
import { nobleProvider } from '../../src/crypto/noble.js';
import { seededRandom } from '../../src/crypto/random.js';
import type { ClientConfig, ServerConfig } from '../../src/handshake/config.js';
import type { Role, TlsEvent } from '../../src/handshake/events.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { connect, createServer, type Tls13Socket } from '../../src/node/adapter.js';
import { nodeCryptoProvider } from '../../src/node/crypto.js';
import { makeIdentity, TEST_NOW } from '../../src/testing/certs.js';
import { hex } from '../../src/wire/bytes.js';
import { ca as nodeCa, listen, serverCertificates } from '../node/fixtures.js';
import { clientCancelledAtCertificate } from './cancelled-client.js';
import { held, keyKeeping, loggedSecrets, type Secret } from './held-secrets.js';

const random = seededRandom('half close wipe');
const ca = makeIdentity({ subject: { CN: 'Half CA' }, isCA: true, keyUsage: ['keyCertSign'] }, random);
const serverId = makeIdentity({ subject: { CN: 'server' }, issuer: ca, sans: { dns: ['server.example'] }, extKeyUsage: ['serverAuth'] }, random);

function configs(provider: CryptoProvider, seed: string, serverProvider = provider): [ClientConfig, ServerConfig] {
  return [
    { trust: { kind: 'ca', anchors: [ca.der] }, serverName: 'server.example', now: () => TEST_NOW, random: seededRandom(`${seed}/c`), provider },
    { certificate: serverId, now: () => TEST_NOW, random: seededRandom(`${seed}/s`), tickets: { count: 1 }, provider: serverProvider },
  ];
}

const other = (side: Role): Role => (side === 'client' ? 'server' : 'client');

/** `side`'s logged secrets (and record keys, `updates` KeyUpdates on) of the direction `writer` writes in. */
function direction(events: readonly TlsEvent[], suite: string | undefined, writer: Role, updates: number): Secret[] {
  return loggedSecrets(events, suite, updates).filter((s) => s.name.startsWith(`${writer}_`));
}

const PROBE = { nonce: new Uint8Array(12), aad: new Uint8Array(5), plaintext: Uint8Array.of(1, 2, 3) };
/** The record keys among `secrets` that one of the provider's AEADs still seals with. */
function sealingKeys(provider: CryptoProvider, made: Array<{ aead: AeadName; key: AeadKey }>, secrets: Secret[]): string[] {
  return secrets
    .filter((s) => s.name.endsWith(' key'))
    .filter((s) =>
      made.some(({ aead, key }) => {
        if (provider.aeadKeyLength(aead) !== s.bytes.length) return false;
        const expected = provider.createAead(aead, s.bytes).seal(PROBE.nonce, PROBE.aad, PROBE.plaintext);
        return hex(key.seal(PROBE.nonce, PROBE.aad, PROBE.plaintext)) === hex(expected);
      }),
    )
    .map((s) => s.name);
}

function data(events: readonly TlsEvent[]): number[] {
  return events.flatMap((e) => (e.type === 'data' ? [...e.data] : []));
}

describe.each([
  ['noble', nobleProvider],
  ['node:crypto', nodeCryptoProvider],
])('a half-closed connection (%s)', (_name, base) => {
  it.each(['client', 'server'] as const)('%s closes first: its write keys go at once, the peer\'s read keys at its close_notify; data, a KeyUpdate request and the second close go on', (closer) => {
    // Each side's own provider: an AEAD the peer made for the same key would seal as it does.
    const keeping = { client: keyKeeping(base), server: keyKeeping(base) };
    const pair = new InMemoryPair(...configs(keeping.client.provider, `half ${closer}`, keeping.server.provider)).run();
    const ourMade = keeping[closer].made;
    const peerMade = keeping[other(closer)].made;
    const us = pair.connection(closer);
    const peer = pair.connection(other(closer));
    // Both directions' application keys set up (their AEADs made), then one KeyUpdate each way.
    us.write(Uint8Array.of(1));
    peer.write(Uint8Array.of(2));
    us.updateKeys(true);
    pair.run();
    us.write(Uint8Array.of(3));
    pair.run();
    const ourEvents = pair.events(closer);
    const peerEvents = pair.events(other(closer));
    const suite = us.info.cipherSuite;
    const ourWrite = direction(ourEvents, suite, closer, 1);
    const peerRead = direction(peerEvents, suite, closer, 1);
    // The search can fail: before the close both ends hold the closer's direction, and its AEADs seal with the current key.
    const current = `${closer}_application_traffic_secret_0 +1`;
    expect(held(us, ourWrite)).toContain(current);
    expect(held(peer, peerRead)).toContain(current);
    expect(sealingKeys(base, ourMade, ourWrite)).toEqual([`${current} key`]);
    expect(sealingKeys(base, peerMade, peerRead)).toEqual([`${current} key`]);
    const exported = hex(us.exportKeyingMaterial('EXPERIMENTAL half', new Uint8Array(0), 32));
    // A client keeps its resumption master secret while tickets may still come: until the server's close_notify.
    const resumption = loggedSecrets(pair.events('client'), suite).filter((x) => x.name === 'resumption_master_secret');
    expect(held(pair.client, resumption)).toEqual(['resumption_master_secret']);

    us.close();
    expect(held(us, ourWrite)).toEqual([]);
    expect(sealingKeys(base, ourMade, ourWrite)).toEqual([]);
    pair.run();
    expect(held(peer, peerRead)).toEqual([]);
    expect(sealingKeys(base, peerMade, peerRead)).toEqual([]);
    expect(held(pair.client, resumption)).toEqual(closer === 'server' ? [] : ['resumption_master_secret']);

    // The other direction goes on: data, and a KeyUpdate asking for ours, which we no longer send (RFC 8446 §6.1).
    peer.takeEvents();
    us.takeEvents();
    peer.write(Uint8Array.of(4, 5));
    peer.updateKeys(true);
    peer.write(Uint8Array.of(6));
    us.receive(peer.takeOutput());
    expect(us.takeOutput()).toHaveLength(0);
    const events = us.takeEvents();
    expect(data(events)).toEqual([4, 5, 6]);
    expect(events.some((e) => e.type === 'closed')).toBe(false);
    expect(events.some((e) => e.type === 'decision' && e.topic === 'key_update' && /close_notify/.test(e.reason))).toBe(true);
    expect(held(us, ourWrite)).toEqual([]);
    // What the open direction needs is still there: the peer's write secret after its update.
    const theirWrite = direction(peerEvents, suite, other(closer), 2);
    expect(held(us, theirWrite)).toContain(`${other(closer)}_application_traffic_secret_0 +2`);
    expect(hex(us.exportKeyingMaterial('EXPERIMENTAL half', new Uint8Array(0), 32))).toBe(exported);

    peer.close();
    us.receive(peer.takeOutput());
    expect(us.takeEvents().filter((e) => e.type === 'closed')).toEqual([{ type: 'closed', by: 'peer' }]);
    expect(held(us, theirWrite)).toEqual([]);
  });

  it('the client closes its write side: NewSessionTickets still arrive and resume; the resumption secret goes at the server\'s close_notify', () => {
    const [c, plain] = configs(base, 'half tickets');
    const s: ServerConfig = { ...plain, tickets: { count: 2, key: new Uint8Array(32).fill(7) } };
    const pair = new InMemoryPair(c, s);
    pair.step('client');
    pair.step('server');
    pair.step('client'); // the client's Finished delivered: the server's tickets wait in its output, behind our close_notify
    pair.client.close();
    pair.run();
    const events = pair.events('client');
    const tickets = events.flatMap((e) => (e.type === 'session-ticket' ? [e.ticket] : []));
    expect(tickets).toHaveLength(2);
    const resumption = loggedSecrets(events, pair.client.info.cipherSuite).filter((x) => x.name === 'resumption_master_secret');
    expect(held(pair.client, resumption)).toEqual(['resumption_master_secret']);
    pair.server.close();
    pair.run();
    expect(held(pair.client, resumption)).toEqual([]);
    const resumed = new InMemoryPair({ ...c, resumption: { ticket: tickets[0]! } }, s).run();
    expect(resumed.client.info.resumed).toBe(true);
  });

  it('the server closes before the client\'s Finished: its write side is gone at once, the handshake still completes and the client\'s data is read', () => {
    const { provider, made } = keyKeeping(base);
    const pair = new InMemoryPair(...configs(base, 'half early', provider));
    pair.step('client');
    pair.step('server');
    pair.server.close();
    const serverWrite = direction(pair.events('server'), pair.server.info.cipherSuite, 'server', 0);
    expect(serverWrite.map((x) => x.name)).toContain('server_application_traffic_secret_0');
    expect(held(pair.server, serverWrite)).toEqual([]);
    expect(sealingKeys(base, made, serverWrite)).toEqual([]);
    pair.run();
    // The client asks for our update: not answered, and no key is made from the zeroed secret (that would be an Error).
    pair.client.updateKeys(true);
    pair.client.write(Uint8Array.of(9));
    pair.run();
    const events = pair.events('server');
    expect(pair.server.state).toBe('CONNECTED');
    expect(events.some((e) => e.type === 'closed' && e.error !== undefined)).toBe(false);
    expect(data(events)).toEqual([9]);
    expect(events.filter((e) => e.type === 'handshake-message' && e.direction === 'out' && e.message.kind === 'new_session_ticket')).toEqual([]);
    expect(held(pair.server, serverWrite)).toEqual([]);
  });

  it('the peer closes before its Finished: every handshake secret goes with the read side; our own close still goes out', () => {
    const { provider, extracted } = keyKeeping(base);
    const [c, s] = configs(provider, 'half cancel');
    // The server asks for a certificate; the client pauses on its `client-certificate` decision and closes there
    // (user_canceled, close_notify, under its handshake keys): the server, its flight sent, waits in WAIT_CERT.
    const pair = clientCancelledAtCertificate(c, s, ca.der);
    const server = pair.server;
    expect(server.isClosed).toBe(false);
    const serverEvents = pair.events('server');
    const reading = [...direction(serverEvents, server.info.cipherSuite, 'client', 0), ...extracted];
    expect(reading.map((x) => x.name)).toEqual(expect.arrayContaining(['client_handshake_traffic_secret', 'client_application_traffic_secret_0']));
    expect(held(server, reading)).toEqual([]);
    server.takeEvents();
    server.close();
    expect(server.takeEvents()).toEqual([
      { type: 'alert', direction: 'out', level: 'warning', description: 'close_notify' },
      { type: 'closed', by: 'us' },
    ]);
    expect(server.takeOutput().length).toBeGreaterThan(0);
  });
});

describe('the node adapter\'s half close (allowHalfOpen)', () => {
  const cleanups: Array<() => void> = [];
  afterEach(() => cleanups.splice(0).forEach((cleanup) => cleanup()));

  function logging(socket: Tls13Socket): TlsEvent[] {
    const events: TlsEvent[] = [];
    socket.on('tlsEvent', (event: TlsEvent) => events.push(event));
    return events;
  }

  it('the client ends its side: neither end holds the client\'s write direction, the server\'s answer still arrives', async () => {
    const sockets: Array<{ socket: Tls13Socket; events: TlsEvent[] }> = [];
    const tls = createServer({ certificate: serverCertificates['ECDSA P-256'], allowHalfOpen: true }, () => {});
    tls.on('tlsSocket', (socket: Tls13Socket) => sockets.push({ socket, events: logging(socket) }));
    cleanups.push(() => tls.close());
    const port = await listen(tls);
    const ours = connect({ host: 'localhost', port, trust: { kind: 'ca', anchors: [nodeCa.der] }, allowHalfOpen: true });
    cleanups.push(() => ours.destroy());
    const ourEvents = logging(ours);
    await once(ours, 'secureConnect');
    ours.write('request');
    ours.end();
    const theirs = sockets[0]!.socket;
    const received: Buffer[] = [];
    theirs.on('data', (chunk: Buffer) => received.push(chunk));
    await once(theirs, 'end');
    expect(Buffer.concat(received).toString()).toBe('request');
    const suite = ours.info.cipherSuite;
    const clientWrite = (events: TlsEvent[]) => direction(events, suite, 'client', 0);
    expect(clientWrite(ourEvents).map((x) => x.name)).toContain('client_application_traffic_secret_0');
    expect(held(ours.connection, clientWrite(ourEvents))).toEqual([]);
    expect(held(theirs.connection, clientWrite(sockets[0]!.events))).toEqual([]);
    const answer: Buffer[] = [];
    ours.on('data', (chunk: Buffer) => answer.push(chunk));
    theirs.end('answer');
    await once(ours, 'end');
    expect(Buffer.concat(answer).toString()).toBe('answer');
  });
});
