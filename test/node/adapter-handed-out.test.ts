// The application as attacker, against what the node adapter hands out and reads back (docs/security.md, "Red
// team, session 14"). The engine gives each event as a copy the application owns; the socket gave that same
// object to its 'tlsEvent' listeners and then acted on it itself: it judged the server's chain of a
// 'decision-needed' event (node's verification), pushed a 'data' event's bytes, emitted a 'session-ticket''s
// ticket. A listener that wrote over what it was given (a logger that wipes what it logged, as docs/security.md
// allows) broke the handshake; one that replaced the chain got mallory's server accepted, `authorized`. Also
// here: the chunk an 'earlyData' listener got was the readable side's memory, a `session` whose getter answered
// judgeSession with one server and the engine with another, and the default providers every connection without
// a provider of its own shares, which any code could change in place.
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { nobleProvider } from '../../src/crypto/noble.js';
import { seededRandom } from '../../src/crypto/random.js';
import type { SessionTicket, TlsEvent } from '../../src/handshake/events.js';
import { connect, createServer, type ConnectOptions, type ServerOptions, type Tls13Server, type Tls13Socket } from '../../src/node/adapter.js';
import { nodeCryptoProvider } from '../../src/node/crypto.js';
import { DAY, makeIdentity } from '../../src/testing/certs.js';
import { ca, certPem, listen, serverCertificates } from './fixtures.js';

const identity = serverCertificates['ECDSA P-256'];
/** A certificate for localhost that no CA of ours issued. */
const mallory = makeIdentity({ subject: { CN: 'mallory' }, sans: { dns: ['localhost'] }, keyType: 'p256', notBefore: Date.now() - DAY, notAfter: Date.now() + DAY }, seededRandom('mallory for localhost'));

const servers: Tls13Server[] = [];
afterEach(() => servers.splice(0).forEach((server) => server.close()));

/** A server answering every chunk with `echo: <chunk>`; `early` holds what its 'earlyData' listener was given. */
async function echoServer(options: ServerOptions) {
  const early: Buffer[] = [];
  const server = createServer(options, (socket) => {
    socket.on('data', (chunk: Buffer) => socket.write(`echo: ${chunk.toString()}`));
    socket.on('end', () => socket.end());
    socket.on('error', () => {});
  });
  server.on('earlyData', (chunk: Buffer) => early.push(chunk));
  servers.push(server);
  return { port: await listen(server), early };
}

/** Under node's verification (the adapter judges the server itself): the interop CA, and a checkServerIdentity. */
const verifiedBy = (port: number, extra: Partial<ConnectOptions> = {}): ConnectOptions => ({ host: 'localhost', port, ca: certPem(ca), checkServerIdentity: () => undefined, ...extra });

/** Writes over every byte array reachable from `value`. */
function wipe(value: unknown, seen = new Set<object>()): void {
  if (typeof value !== 'object' || value === null || seen.has(value)) return;
  seen.add(value);
  if (value instanceof Uint8Array) value.fill(0);
  else for (const key of Object.keys(value)) wipe((value as Record<string, unknown>)[key], seen);
}

/** 'ping' sent, the answer read; the tickets the connection received; or the client's error message. */
async function ping(socket: Tls13Socket): Promise<{ answer?: string; tickets: SessionTicket[]; error?: string }> {
  const tickets: SessionTicket[] = [];
  socket.on('session', (ticket: SessionTicket) => tickets.push(ticket));
  try {
    await once(socket, 'secureConnect');
    socket.write('ping');
    const [chunk] = (await once(socket, 'data')) as [Buffer];
    return { answer: chunk.toString(), tickets };
  } catch (e) {
    return { error: (e as Error).message, tickets };
  } finally {
    socket.end();
  }
}

describe("a 'tlsEvent' listener writes over what it is given", () => {
  it('a logger that wipes every event once logged: the server is judged, the data read and the ticket resumed as they were', async () => {
    const { port } = await echoServer({ certificate: identity });
    const first = connect(verifiedBy(port));
    first.on('tlsEvent', (event: TlsEvent) => wipe(event));
    const { answer, tickets, error } = await ping(first);
    expect({ answer, error, authorized: first.authorized }).toEqual({ answer: 'echo: ping', error: undefined, authorized: true });
    expect(tickets.length).toBeGreaterThan(0);
    const resumed = connect(verifiedBy(port, { session: tickets[0]! }));
    resumed.on('tlsEvent', (event: TlsEvent) => wipe(event));
    expect((await ping(resumed)).answer).toBe('echo: ping');
    expect(resumed.isSessionReused()).toBe(true);
  });

  it("a listener that puts the CA's server's chain in place of mallory's: mallory is still judged, and refused", async () => {
    const { port } = await echoServer({ certificate: mallory });
    const socket = connect(verifiedBy(port));
    socket.on('tlsEvent', (event: TlsEvent) => {
      if (event.type === 'decision-needed' && event.decision.kind === 'verify-peer') event.decision.chain.splice(0, Infinity, ...identity.chain);
    });
    const { answer, error } = await ping(socket);
    expect(answer).toBeUndefined();
    expect(error).toMatch(/unknown_ca/);
    expect(socket.authorized).toBe(false);
  });
});

describe("an 'earlyData' listener writes over its chunk", () => {
  it('the readable side still gets the data that arrived', async () => {
    const { port, early } = await echoServer({ certificate: identity, tickets: { maxEarlyDataSize: 1024 } });
    const { tickets } = await ping(connect(verifiedBy(port)));
    const server = servers.at(-1)!;
    server.on('earlyData', (chunk: Buffer) => chunk.fill(0x2a));
    const resumed = connect(verifiedBy(port, { session: tickets[0]!, earlyData: 'early hello' }));
    await once(resumed, 'secureConnect');
    expect(resumed.info.earlyData).toBe('accepted');
    const [chunk] = (await once(resumed, 'data')) as [Buffer];
    expect(chunk.toString()).toBe('echo: early hello');
    expect(early.map((c) => c.toString())).toEqual(['*'.repeat('early hello'.length)]);
    resumed.end();
  });
});

describe('a session whose fields answer differently when read again', () => {
  it("the ticket's server judged by node's verification is the one reported: each field read once", async () => {
    const { port } = await echoServer({ certificate: identity });
    const { tickets } = await ping(connect(verifiedBy(port)));
    const ticket = tickets[0]!;
    let reads = 0;
    const session = Object.defineProperty({ ...ticket }, 'peer', {
      enumerable: true,
      get: () => (++reads === 1 ? ticket.peer : { ...ticket.peer!, chain: [mallory.der] }),
    });
    const resumed = connect(verifiedBy(port, { session }));
    expect((await ping(resumed)).answer).toBe('echo: ping');
    expect(resumed.isSessionReused()).toBe(true);
    expect(resumed.getPeerX509Certificate()!.raw).toEqual(Buffer.from(identity.chain[0]!));
    expect(resumed.getPeerIdentity()!.chain![0]).toEqual(identity.chain[0]);
    expect(reads).toBe(1);
  });
});

describe('the default providers, shared by every connection that names none', () => {
  it('cannot be changed in place, nor the key exchanges they hand out', () => {
    for (const provider of [nodeCryptoProvider, nobleProvider]) {
      expect(() => ((provider as { verify: unknown }).verify = () => true)).toThrow(TypeError);
      const x25519 = provider.keyExchange('x25519');
      expect(() => ((x25519 as { generate: unknown }).generate = () => ({ privateKey: 1, share: new Uint8Array(32) }))).toThrow(TypeError);
      expect(() => ((x25519.shareLengths as { client: number }).client = 0)).toThrow(TypeError);
    }
  });
});
