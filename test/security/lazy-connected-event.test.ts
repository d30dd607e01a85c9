// The `connected` event makes its `info` when it is first read (handed-out.ts InfoCopies.connectedEvent): an
// application that never reads it gets no copies. The attacker is whatever happens between the event and that
// read: the client proving another identity after the handshake (RFC 8446 §4.6.2), which replaces the engine's
// record of the peer, and callers writing over what they were handed. The event must still say what the eager
// event said, at the moment of the event, in byte arrays of its own.
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/crypto/random.js';
import type { ClientConfig, ServerConfig } from '../../src/handshake/config.js';
import { Connection } from '../../src/handshake/connection.js';
import type { NegotiatedInfo, TlsEvent } from '../../src/handshake/events.js';
import { makeCast, SERVER_NAME } from '../../src/scenarios/mutual-tls.js';
import { makeIdentity, TEST_NOW } from '../../src/testing/certs.js';
import { exchange } from './exchange.js';
import { byteArrays, described } from './plain-data.js';

const cast = makeCast('lazy connected event');
const issued = (cn: string, serial: bigint) =>
  makeIdentity({ subject: { O: 'Example Org', CN: cn }, serial, issuer: cast.privateCa, keyUsage: ['digitalSignature'], extKeyUsage: ['clientAuth'] }, seededRandom(`lazy connected/${cn}`));
const erin = issued('erin', 300n);
const frank = issued('frank', 301n);

const serverConfig: ServerConfig = {
  now: () => TEST_NOW,
  random: seededRandom('lazy connected/server'),
  certificate: cast.server,
  trust: { kind: 'ca', anchors: [cast.privateCa.der] },
  clientAuth: 'optional',
  tickets: { count: 0 },
  alpnProtocols: ['h2'],
};
const clientConfig: ClientConfig = {
  now: () => TEST_NOW,
  random: seededRandom('lazy connected/client'),
  serverName: SERVER_NAME,
  trust: { kind: 'ca', anchors: [cast.webCa.der] },
  postHandshakeAuth: true,
  certificate: 'ask',
  alpnProtocols: ['h2'],
};

type Connected = Extract<TlsEvent, { type: 'connected' }>;
const connectedIn = (events: TlsEvent[]): Connected => events.find((e): e is Connected => e.type === 'connected')!;

/** erin proves herself in the handshake; `eager` is what the `info` getter gave at that moment, as the eager event held it. */
function erinConnected(identity = erin, cn = 'erin'): { client: Connection; server: Connection; serverEvents: TlsEvent[]; eager: unknown } {
  const client = Connection.client(clientConfig);
  const server = Connection.server(serverConfig);
  exchange(client, server);
  client.resolve({ kind: 'client-certificate', certificate: identity });
  exchange(client, server);
  expect(server.isConnected).toBe(true);
  const eager = described(server.info);
  expect(eager).toMatchObject({ alpn: 'h2', peer: { subject: `CN=${cn},O=Example Org` } });
  return { client, server, serverEvents: server.takeEvents(), eager };
}

/** frank answers a post-handshake CertificateRequest: the server's record of its peer is now frank. */
function frankReplacesErin(client: Connection, server: Connection): void {
  server.requestClientCertificate();
  exchange(client, server);
  client.resolve({ kind: 'client-certificate', certificate: frank });
  exchange(client, server);
  expect(server.info.peer?.subject).toBe('CN=frank,O=Example Org');
}

describe('a `connected` event read late', () => {
  it('first read after another identity replaced the peer: it still names erin, as the eager event did', () => {
    const { client, server, serverEvents, eager } = erinConnected();
    frankReplacesErin(client, server);
    const event = connectedIn(serverEvents);
    expect(described(event.info)).toEqual(eager);
    expect(event.info.peer?.subject).toBe('CN=erin,O=Example Org');
  });

  it('read as the eager field was: the same object at every read, in spread and JSON too; writing it replaces it', () => {
    const { serverEvents, eager } = erinConnected();
    const event = connectedIn(serverEvents);
    const first = event.info;
    expect(event.info).toBe(first);
    expect(Object.keys(event)).toEqual(['type', 'info']);
    expect({ ...event }.info).toBe(first);
    expect((described(event) as { info: unknown }).info).toEqual(eager);
    const mine = { version: 'TLSv1.3' } as NegotiatedInfo;
    event.info = mine;
    expect(event.info).toBe(mine);
  });

  it("its byte arrays are its own: wiping what the `info` getter gave before the first read changes nothing, nor does wiping the event's", () => {
    const { server, serverEvents, eager } = erinConnected();
    const fromGetter = server.info;
    const getterBytes = byteArrays(fromGetter);
    expect(getterBytes.length).toBeGreaterThan(1);
    for (const bytes of getterBytes) bytes.fill(0xee);
    const event = connectedIn(serverEvents);
    expect(described(event.info)).toEqual(eager);
    const eventBytes = byteArrays(event.info);
    for (const bytes of eventBytes) expect(getterBytes).not.toContain(bytes);
    for (const bytes of eventBytes) bytes.fill(0x5a);
    expect(described(server.info)).toEqual(eager);
  });

  it("every event's accessor is the same pair of functions, and still each event reads and writes only its own info", () => {
    const erins = erinConnected();
    const franks = erinConnected(frank, 'frank');
    const [erinEvent, frankEvent] = [connectedIn(erins.serverEvents), connectedIn(franks.serverEvents)];
    // The case under test: one accessor shared by both events (handed-out.ts ConnectedEvent), not a closure each.
    const [erinAccessor, frankAccessor] = [erinEvent, frankEvent].map((e) => Object.getOwnPropertyDescriptor(e, 'info')!);
    expect(erinAccessor.get).toBe(frankAccessor.get);
    expect(erinAccessor.enumerable).toBe(true);
    // Interleaved: frank's read first, then erin's, then a write into erin's; each still names its own peer.
    expect(described(frankEvent.info)).toEqual(franks.eager);
    expect(described(erinEvent.info)).toEqual(erins.eager);
    expect(erinEvent.info).not.toBe(frankEvent.info);
    const mine = { version: 'TLSv1.3' } as NegotiatedInfo;
    erinEvent.info = mine;
    expect(frankEvent.info.peer?.subject).toBe('CN=frank,O=Example Org');
    expect(described(frankEvent.info)).toEqual(franks.eager);
    expect(erinEvent.info).toBe(mine);
  });
});
