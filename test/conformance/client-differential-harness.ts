// Differential conformance, client side: the same scripted server (anvil-server.ts, TLS-Attacker's way of
// playing a server) answers the ClientHello of our client in memory and, over loopback, of `openssl s_client`
// (OpenSSL 3.0), `gnutls-cli` (GnuTLS 3.7) and node:tls of Node 26 (OpenSSL 3.5, test/peers/node26) with the
// same crafted flights. Each run comes down to one outcome: the first alert the client sent (or, with none,
// 'finished' once it sent its Finished, else 'silent'), and whether it closed the connection. A case lists the
// outcome it expects of ours and, where another client differs, of that one, with the verdict on who is right
// (docs/security.md, "Red team, session 17: client-side differential conformance"). Every client offers the same:
// TLS 1.3 only, groups X25519, P-256 and P-384, the signature schemes SCHEMES, and trusts the interop CA
// (test/node/fixtures.ts) that issued the server's certificate. One client process per run, on a free port.
// A missing client skips loudly (fails with REQUIRE_INTEROP=1).
import { existsSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CertifiedKey } from '../../src/handshake/config.js';
import { findBinary, missingPeer, scratchDirectory, spawnBounded } from '../../src/testing/interop.js';
import { NamedGroup, SignatureScheme } from '../../src/wire/enums.js';
import { NODE26, node26Connector } from '../interop/node26-peer.js';
import { ca, certPem, serverCertificates } from '../node/fixtures.js';
import { ScriptedServer } from './anvil-server.js';
import { stallProcess, TcpEnd } from './tcp-end.js';

const REMOTE = ['openssl', 'gnutls', 'openssl35'] as const;
type Remote = (typeof REMOTE)[number];

/** The server's certificate unless a case names another: Ed25519, which every client verifies. */
const ED25519 = serverCertificates.Ed25519;
/** The server's certificate of the cases about RSA signatures. */
export const RSA = serverCertificates['RSA-2048'];

/** The signature schemes every client offers (RFC 8446 §4.2.3), in each one's own spelling below. */
export const SCHEMES = [SignatureScheme.ed25519, SignatureScheme.ecdsa_secp256r1_sha256, SignatureScheme.rsa_pss_rsae_sha256, SignatureScheme.rsa_pkcs1_sha256];

/** Our client as the others are told to be: TLS 1.3, the same groups and schemes, the interop CA, 'localhost'. */
const OUR_CLIENT = {
  trust: { kind: 'ca' as const, anchors: [ca.der] },
  serverName: 'localhost',
  now: Date.now,
  groups: [NamedGroup.x25519, NamedGroup.secp256r1, NamedGroup.secp384r1],
  keyShareGroups: [NamedGroup.x25519],
  signatureSchemes: SCHEMES,
};

/** How long a client process may take to start and send its ClientHello. */
const HELLO_MS = 15_000;
/**
 * Where the client's process cannot be asked whether it is idle (tcp-end.ts peerIdle: no /proc), how long it may stay
 * silent after our flight before we take its silence as its answer: longer than a server's, as a client checks a
 * certificate chain first, and each run starts a process. Where it can, its silence counts once it is idle, as a
 * server's does: a loaded machine makes the run slower, not wrong, and a quiet one does not wait these out.
 */
const ANSWER_MS = 1500;
/** Unasked, how long a client gets, after its last answer, to close the connection (or to send a late alert). */
const CLOSE_MS = 1500;
/** Unasked, how long a client that sent an alert gets to close: it is expected to, so waiting costs nothing when it does. */
const CLOSE_AFTER_ALERT_MS = 5000;
/** How many times a step reads on while the client's answer has begun (a CCS) and not ended. */
const MAX_READS = 5;

/** A client that connects to a port on demand; `connect` returns what stops that connection's process, if any, and the process that connects. */
interface Launcher {
  connect(port: number): { stop: () => void; pid: number | undefined };
  stop(): void;
}

/** s_client or gnutls-cli, one process per connection: `args` of the port. */
function processPerConnection(binary: string, args: (port: number) => string[]): Launcher | string {
  const path = findBinary(binary);
  if (!path) return `${binary} not installed`;
  return {
    connect: (port) => {
      const child = spawnBounded(path, args(port), { timeoutMs: 30_000 });
      return { stop: () => child.kill(), pid: child.child.pid };
    },
    stop: () => {},
  };
}

/** Each client, told to offer what ours offers (OUR_CLIENT); a string says why it is missing. */
async function startClients(caFile: string): Promise<Record<Remote, Launcher | string>> {
  const openssl = processPerConnection('openssl', (port) => [
    's_client', '-connect', `127.0.0.1:${port}`, '-tls1_3', '-CAfile', caFile, '-servername', 'localhost', '-verify_hostname', 'localhost',
    '-verify_return_error', '-groups', 'X25519:P-256:P-384', '-sigalgs', 'ed25519:ECDSA+SHA256:rsa_pss_rsae_sha256:RSA+SHA256',
  ]);
  const gnutls = processPerConnection('gnutls-cli', (port) => [
    '--port', String(port), '--x509cafile', caFile,
    '--priority', 'NORMAL:-VERS-ALL:+VERS-TLS1.3:-GROUP-ALL:+GROUP-X25519:+GROUP-SECP256R1:+GROUP-SECP384R1:-SIGN-ALL:+SIGN-EDDSA-ED25519:+SIGN-ECDSA-SECP256R1-SHA256:+SIGN-RSA-PSS-RSAE-SHA256:+SIGN-RSA-SHA256',
    '127.0.0.1',
  ]);
  // node:tls 26 starts slowly: one process makes every connection of the file.
  let openssl35: Launcher | string = 'Node 26 (test/peers/node26, `npm ci --prefix test/peers/node26`) not installed';
  if (existsSync(NODE26)) {
    const options = { caFile, servername: 'localhost', groups: 'X25519:P-256:P-384', sigalgs: 'ed25519:ecdsa_secp256r1_sha256:rsa_pss_rsae_sha256:rsa_pkcs1_sha256' };
    const peer = await node26Connector(NODE26, options, 300_000);
    openssl35 = { connect: (port) => (peer.connect(port), { stop: () => {}, pid: peer.child.child.pid }), stop: () => peer.child.kill() };
  }
  return { openssl, gnutls, openssl35 };
}

/** One run of a script against one client: the scripted server, and the client's socket if it is remote. */
export class ClientRun {
  /** The client wrote a protected record the server cannot open: it went on under keys of its own making. */
  private otherKeys = false;

  constructor(
    readonly server: ScriptedServer,
    private readonly end?: TcpEnd,
    /** The client's process, stopped `ms` after each of the server's steps (client-differential-stall.test.ts). */
    private readonly stall?: { pid: number; ms: number },
  ) {}

  /** Whether the client has sent an alert or closed: the script's later steps are then not played. */
  get ended(): boolean {
    return this.closed || this.alert !== undefined || this.otherKeys;
  }

  private get closed(): boolean {
    return this.end ? this.end.closed : this.server.client.isClosed;
  }

  /** The first alert the client sent: read off the wire, or from our client's events (it is in memory). */
  private get alert(): string | undefined {
    if (this.end) return this.server.clientAlerts[0];
    const sent = this.server.events.find((e) => e.type === 'alert' && e.direction === 'out');
    return sent?.type === 'alert' ? sent.description : undefined;
  }

  /**
   * Plays `act` (the server writes: it returns records, or delivers them itself as helloRetryRequest() does), then
   * reads the client's answer until it ends: an alert, the close, its Finished or ClientHello, or a silence.
   */
  async step(act: (server: ScriptedServer) => Uint8Array[] | void): Promise<void> {
    if (this.ended) return;
    if (this.end && this.stall) stallProcess(this.stall.pid, this.stall.ms);
    const records = act(this.server);
    if (records) this.read(records);
    for (let reads = 0; this.end && reads < MAX_READS && !this.otherKeys; reads++) {
      const before = this.server.clientRecords.length;
      const hellos = this.server.clientHellos.length;
      await this.settle(ANSWER_MS);
      this.read([]);
      const answered = this.server.clientHellos.length > hellos || this.server.clientMessages.some((m) => m.kind === 'finished');
      if (this.server.clientRecords.length === before || answered || this.ended) break;
    }
  }

  /** Waits for the client: until it is idle where it can be asked (tcp-end.ts), else `unaskedMs` of silence. */
  private settle(unaskedMs: number): Promise<void> {
    return this.end!.settle(this.end!.asksPeer ? undefined : unaskedMs);
  }

  /** Delivers `records`, reads the client's answer; notes a record that does not open under the server's keys. */
  private read(records: Uint8Array[]): void {
    try {
      this.server.deliver(...records);
    } catch (error) {
      if (!(error instanceof Error && /did not open/.test(error.message))) throw error;
      this.otherKeys = true;
    }
  }

  /**
   * The outcome: 'alert_name', or the client's last handshake message ('finished', or 'client_hello' for a
   * second one), or 'other keys' (the client went on under keys the server does not hold), or 'silent'; then
   * ', closed' or ', open'.
   */
  async outcome(): Promise<string> {
    if (this.end && !this.end.closed) {
      await this.settle(this.alert ? CLOSE_AFTER_ALERT_MS : CLOSE_MS);
      this.read([]);
    }
    const last = this.otherKeys ? 'other keys' : (this.server.clientMessages.at(-1)?.kind ?? (this.server.clientHellos.length > 1 ? 'client_hello' : 'silent'));
    return `${this.alert ?? last}, ${this.closed ? 'closed' : 'open'}`;
  }
}

/** A script: what the server sends, step by step (ClientRun.step), after the client's ClientHello. */
export type ClientScript = (run: ClientRun) => Promise<unknown>;

/** A case: its script, the outcome expected of ours, and another's where it differs (with the verdict). */
export interface ClientCase {
  name: string;
  script: ClientScript;
  /** The server's certificate, ED25519 unless named. */
  identity?: CertifiedKey;
  ours: string;
  openssl?: string;
  gnutls?: string;
  /** OpenSSL 3.5's outcome (node:tls 26), where it is not OpenSSL 3.0's. */
  openssl35?: string;
  /** Where the outcomes differ: who is right by the RFC, and why. */
  verdict?: string;
  /** Each other client's process is stopped this long as each server step starts (a loaded machine). */
  stallClientMs?: number;
}

/** A listener on a free port; resolves with the first connection to it. */
async function listenOnce(): Promise<{ server: Server; port: number; accepted: Promise<Socket> }> {
  const server = createServer();
  const accepted = new Promise<Socket>((resolve) => server.once('connection', resolve));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as { port: number }).port, accepted };
}

/** The script played against the client `launcher` starts; its outcome. */
async function playRemote(launcher: Launcher, testCase: ClientCase): Promise<string> {
  const { server: listener, port, accepted } = await listenOnce();
  let stop = () => {};
  let end: TcpEnd | undefined;
  try {
    const client = launcher.connect(port);
    stop = client.stop;
    end = new TcpEnd(await accepted, client.pid);
    const server = new ScriptedServer({}, testCase.identity ?? ED25519, end);
    const deadline = Date.now() + HELLO_MS;
    while (server.clientHellos.length === 0 && !end.closed && Date.now() < deadline) {
      await end.settle(end.asksPeer ? undefined : ANSWER_MS);
      server.deliver();
    }
    if (server.clientHellos.length === 0) throw new Error('the client sent no ClientHello');
    const stall = testCase.stallClientMs && client.pid !== undefined ? { pid: client.pid, ms: testCase.stallClientMs } : undefined;
    const run = new ClientRun(server, end, stall);
    await testCase.script(run);
    return await run.outcome();
  } finally {
    end?.dispose();
    stop();
    listener.close();
  }
}

/** The script played against our client in memory; its outcome. */
async function playOurs(testCase: ClientCase): Promise<string> {
  const run = new ClientRun(new ScriptedServer(OUR_CLIENT, testCase.identity ?? ED25519));
  await testCase.script(run);
  return run.outcome();
}

/** The vitest suite of `cases`: each is played against every client and the outcomes compared. */
export function clientDifferential(title: string, cases: ClientCase[]): void {
  describe.concurrent(title, () => {
    const scratch = scratchDirectory('tls13-lab-client-differential-');
    // The other clients' outcomes do not depend on our crypto provider: they are played in one project.
    const remote = process.env.EXPECTED_DEFAULT_PROVIDER === 'noble';
    let clients: Record<Remote, Launcher | string> | undefined;
    beforeAll(async () => {
      if (remote) clients = await startClients(scratch.file('ca.pem', certPem(ca)));
    });
    afterAll(() => {
      for (const client of Object.values(clients ?? {})) if (typeof client !== 'string') client.stop();
      scratch.remove();
    });

    for (const testCase of cases) {
      it(testCase.name, async (test) => {
        const ours = await playOurs(testCase);
        expect(ours).toBe(testCase.ours);
        if (!clients) return;
        const launchers = REMOTE.map((name) => clients![name]);
        const missing = launchers.find((client) => typeof client === 'string');
        if (missing) missingPeer(missing, test);
        const [openssl, gnutls, openssl35] = await Promise.all(launchers.map((launcher) => playRemote(launcher as Launcher, testCase)));
        const expectedOpenssl = testCase.openssl ?? testCase.ours;
        expect({ ours, openssl, gnutls, openssl35 }).toEqual({ ours: testCase.ours, openssl: expectedOpenssl, gnutls: testCase.gnutls ?? testCase.ours, openssl35: testCase.openssl35 ?? expectedOpenssl });
      });
    }
  });
}
