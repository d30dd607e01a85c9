// The node adapter's fuzz cases (src/node/adapter.ts, `tls13-lab/node`), shared by
// scripts/fuzz/node-adapter.ts (campaigns) and test/fuzz/node-adapter.test.ts (seeded, bounded).
//   peerBytesCase: a client and a server of the adapter over two duplexPairs with a tamperer between them
//     that flips bits, cuts, duplicates, splits into single bytes, injects random records into, or ends
//     the stream towards the victim. The invariant: no exception escapes (the caller's 'uncaughtException'
//     hook sees none), the victim settles within 3 s ('secureConnect'/'secure', or 'error' and 'close'), an
//     error is never an internal_error we sent, and a victim that connected reports the honest peer's
//     identity or none. A stall (bytes cut) ends in the handshake timeout, set to 1 s here.
//   optionsCase: the options of connect() or createServer() with one to three fields broken
//     (src/testing/fuzz/config.ts mutateConfig): a TypeError or RangeError of one line, synchronously, or a
//     working socket: the handshake against the honest peer connects or fails with a protocol alert (never
//     internal_error, never our handshake timeout, which the options set to 5 s) within 3 s, over a wire
//     with 10 ms of latency each way.
import { duplexPair, type Duplex } from 'node:stream';
import { encodePkcs8 } from '../../src/auth/keys.js';
import { toPem } from '../../src/auth/pem.js';
import { nobleProvider } from '../../src/crypto/noble.js';
import { connect, createServer, TlsAlertError, type ConnectOptions, type ServerOptions, type Tls13Socket } from '../../src/node/adapter.js';
import { makeIdentity, type Identity } from '../../src/testing/certs.js';
import { mutateConfig } from '../../src/testing/fuzz/config.js';
import { Choices, fastRandom, Prng } from '../../src/testing/fuzz/input.js';

let material: { server: Identity; client: Identity } | undefined;

function identities(): { server: Identity; client: Identity } {
  material ??= {
    server: makeIdentity({ subject: { CN: 'localhost' }, sans: { dns: ['localhost'] }, keyType: 'p256' }, fastRandom(91), nobleProvider),
    client: makeIdentity({ subject: { CN: 'client' }, keyType: 'ed25519' }, fastRandom(92), nobleProvider),
  };
  return material;
}

/** Options of a client and a server that connect to each other: node:tls names and engine names mixed. */
function baseOptions(): { client: ConnectOptions; server: ServerOptions } {
  const { server, client } = identities();
  return {
    client: {
      servername: 'localhost',
      ca: toPem('CERTIFICATE', server.der),
      cert: toPem('CERTIFICATE', client.der),
      key: toPem('PRIVATE KEY', encodePkcs8(client.privateKey)),
      ALPNProtocols: ['h2', 'http/1.1'],
      rejectUnauthorized: true,
      handshakeTimeout: 5000,
      allowHalfOpen: false,
    },
    server: {
      cert: toPem('CERTIFICATE', server.der),
      key: toPem('PRIVATE KEY', encodePkcs8(server.privateKey)),
      ca: toPem('CERTIFICATE', client.der),
      requestCert: true,
      ALPNProtocols: ['http/1.1'],
      handshakeTimeout: 5000,
      allowHalfOpen: false,
      noDelay: false,
      tickets: { count: 1 },
    },
  };
}

export class AdapterViolation extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AdapterViolation';
  }
}

interface Settled {
  connected: boolean;
  error?: Error;
  closed: boolean;
}

/** Resolves once `socket` connected or closed, or after `ms` (then `settled` is false). */
function settle(socket: Tls13Socket, ms: number): Promise<Settled & { settled: boolean }> {
  return new Promise((resolve) => {
    const state: Settled = { connected: false, closed: false };
    const done = (settled: boolean) => resolve({ ...state, settled });
    const timer = setTimeout(() => done(false), ms);
    socket.on('error', (e: Error) => (state.error = e));
    const onConnected = () => {
      state.connected = true;
      clearTimeout(timer);
      done(true);
    };
    socket.once('secureConnect', onConnected);
    socket.once('secure', onConnected);
    socket.once('close', () => {
      state.closed = true;
      clearTimeout(timer);
      done(true);
    });
  });
}

/** Our own internal_error, or (`timeoutAllowed` false) our handshake timeout: failures of the invariant. */
function judgeError(error: Error | undefined, who: string, timeoutAllowed: boolean): void {
  if (error instanceof TlsAlertError && error.direction === 'sent' && error.alert === 'internal_error') throw new AdapterViolation(`${who} sent internal_error: ${error.message}`);
  if (!timeoutAllowed && error && /handshake timed out/.test(error.message)) throw new AdapterViolation(`${who}: ${error.message}`);
}

/** A server of the adapter on one end of a duplexPair (as a net.Server's 'connection'); its socket. */
function serverOn(options: ServerOptions, end: Duplex): Promise<Tls13Socket> {
  const server = createServer(options);
  const accepted = new Promise<Tls13Socket>((resolve) => server.once('tlsSocket', resolve));
  server.on('tlsClientError', () => {});
  server.emit('connection', end);
  return accepted;
}

/** Between two duplexPairs: what flows towards the victim is tampered with by the input's choices. */
function tamper(towardVictim: Duplex, fromPeer: Duplex, victimSide: Duplex, toPeer: Duplex, c: Choices): string {
  const flight = c.below(4);
  const kind = c.below(7);
  let seen = 0;
  victimSide.on('data', (d: Buffer) => toPeer.write(d));
  victimSide.on('end', () => toPeer.end());
  for (const end of [towardVictim, fromPeer, victimSide, toPeer]) end.on('error', () => {});
  fromPeer.on('data', (d: Buffer) => {
    if (seen++ !== flight) return void towardVictim.write(d);
    const bytes = Uint8Array.from(d);
    switch (kind) {
      case 0:
        for (let i = 0, n = 1 + c.below(4); i < n; i++) bytes[c.below(bytes.length)]! ^= 1 << c.below(8);
        return void towardVictim.write(bytes);
      case 1:
        return void towardVictim.write(bytes.subarray(0, c.below(bytes.length)));
      case 2:
        towardVictim.write(bytes);
        return void towardVictim.write(bytes);
      case 3:
        for (const b of bytes) towardVictim.write(Uint8Array.of(b));
        return;
      case 4: {
        const length = c.below(3) === 0 ? c.u16() : c.below(40);
        const record = Uint8Array.from([c.pick([20, 21, 22, 23, 99]), 3, 3, length >> 8, length & 0xff, ...Array.from({ length: Math.min(length, 40) }, () => c.u8())]);
        towardVictim.write(c.below(2) === 0 ? record : bytes);
        return void towardVictim.write(c.below(2) === 0 ? bytes : record);
      }
      case 5:
        towardVictim.write(bytes.subarray(0, c.below(bytes.length)));
        return void towardVictim.end();
      default:
        return void towardVictim.destroy();
    }
  });
  fromPeer.on('end', () => towardVictim.end());
  return `flight ${flight} ${['bit flips', 'cut', 'duplicated', 'byte by byte', 'record injected', 'cut then end', 'destroyed'][kind]}`;
}

/** One tampered connection; the victim is the client or the server (first input byte). */
export async function peerBytesCase(input: Uint8Array): Promise<string> {
  const c = new Choices(input);
  const victim = c.below(2) === 0 ? 'client' : 'server';
  const options = baseOptions();
  // Bytes cut or dropped leave both sides waiting (a stall, docs/robustness.md): the handshake timeout is the bound.
  options.client.handshakeTimeout = 1000;
  options.server.handshakeTimeout = 1000;
  const [clientEnd, clientWire] = duplexPair();
  const [serverEnd, serverWire] = duplexPair();
  // Each socket owns one end of a pair; the tamperer holds the two other ends (`*Wire`).
  const description =
    victim === 'client' ? tamper(clientWire, serverWire, clientWire, serverWire, c) : tamper(serverWire, clientWire, serverWire, clientWire, c);
  const serverSocket = serverOn(options.server, serverEnd);
  const client = connect({ ...options.client, socket: clientEnd });
  const server = await serverSocket;
  const [cs, ss] = await Promise.all([settle(client, 3000), settle(server, 3000)]);
  const mine = victim === 'client' ? cs : ss;
  const victimSocket = victim === 'client' ? client : server;
  try {
    if (!mine.settled) throw new AdapterViolation(`the ${victim} neither connected nor closed within 3 s (its handshake timeout: 1 s)`);
    judgeError(mine.error, victim, true);
    if (mine.connected) {
      const peer = victimSocket.getPeerIdentity();
      const honest = victim === 'client' ? identities().server.der : identities().client.der;
      if (peer && !('chain' in peer && peer.chain?.[0] && Buffer.from(peer.chain[0]).equals(honest))) throw new AdapterViolation(`the ${victim} connected and reports an identity that is not its peer's`);
    }
    return `${victim} ${description}: ${mine.connected ? 'connected' : mine.error ? `error ${mine.error.message.slice(0, 60)}` : 'closed'}`;
  } finally {
    client.destroy();
    server.destroy();
  }
}

/** One options object broken; the other side is honest. */
export async function optionsCase(input: Uint8Array): Promise<string> {
  const c = new Choices(input);
  const role = c.below(2) === 0 ? 'client' : 'server';
  const options = baseOptions();
  const description = `${role} ${mutateConfig(options[role] as unknown as Record<string, unknown>, c)}`;
  // A wire with latency, as a network has: a handshake timer that fires early (1 ms) shows.
  const [clientEnd, clientWire] = duplexPair();
  const [serverEnd, serverWire] = duplexPair();
  for (const [from, to] of [[clientWire, serverWire], [serverWire, clientWire]] as const) {
    from.on('data', (d: Buffer) => setTimeout(() => to.write(d), 10));
    from.on('end', () => setTimeout(() => to.end(), 10));
    from.on('error', () => {});
  }
  let server: Promise<Tls13Socket>;
  let client: Tls13Socket;
  try {
    // The mutated side first: a refusal comes before the honest side sends anything.
    if (role === 'server') {
      server = serverOn(options.server, serverEnd);
      client = connect({ ...options.client, socket: clientEnd });
    } else {
      client = connect({ ...options.client, socket: clientEnd });
      server = serverOn(options.server, serverEnd);
    }
  } catch (e) {
    if (!(e instanceof TypeError || e instanceof RangeError)) throw new AdapterViolation(`${description}: threw ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
    if (e.message.includes('\n') || e.message.length === 0) throw new AdapterViolation(`${description}: an error of more than one line: ${JSON.stringify(e.message)}`);
    return `${description}: ${e.name}`;
  }
  const serverSocket = await server;
  const [cs, ss] = await Promise.all([settle(client, 3000), settle(serverSocket, 3000)]);
  try {
    const mine = role === 'client' ? cs : ss;
    if (!mine.settled) throw new AdapterViolation(`${description}: accepted, then neither connected nor closed within 3 s`);
    judgeError(mine.error, `${description}: accepted, then the ${role}`, false);
    return `${description}: accepted, ${mine.connected ? 'connected' : `error ${mine.error?.message.slice(0, 60) ?? 'closed'}`}`;
  } finally {
    client.destroy();
    serverSocket.destroy();
  }
}

/** Runs `count` cases of `run` from `seed`; the outcomes, and the first violation (rethrown). */
export async function runCases(run: (input: Uint8Array) => Promise<string>, seed: number, count: number, deadline = Infinity): Promise<string[]> {
  const prng = new Prng(seed);
  const outcomes: string[] = [];
  for (let i = 0; i < count && performance.now() < deadline; i++) outcomes.push(await run(prng.bytes(8 + prng.below(24))));
  return outcomes;
}
