// Differential conformance: the same scripted client (scripted-client.ts, tlsfuzzer's way of driving a server)
// plays the same script against our server in memory and, over loopback, against `openssl s_server` (OpenSSL
// 3.0), `gnutls-serv` and node:tls of Node 26 (OpenSSL 3.5, test/peers/node26). Each run comes down to one
// outcome: the first alert the server sent (or, with none, the last handshake message it sent other than a
// ticket, or 'silent'), and whether it closed the connection. A case lists the outcome it expects of ours and,
// where another implementation differs, of that one, with the verdict on who is right (docs/security.md, "Red
// team, session 17"). One server process per implementation serves every case of a file; ports are free ones.
// A missing peer skips loudly (fails with REQUIRE_INTEROP=1).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodePkcs8 } from '../../src/auth/keys.js';
import { toPem } from '../../src/auth/pem.js';
import { nobleProvider } from '../../src/crypto/noble.js';
import type { ServerConfig } from '../../src/handshake/config.js';
import { type BoundedChild, findBinary, freePort, missingPeer, scratchDirectory, spawnBounded } from '../../src/testing/interop.js';
import { concat } from '../../src/wire/bytes.js';
import { ExtensionType, NamedGroup } from '../../src/wire/enums.js';
import type { Extension } from '../../src/wire/types.js';
import { NODE26, node26Server } from '../interop/node26-peer.js';
import { certPem, serverCertificates } from '../node/fixtures.js';
import { type Answer, codePointList, ScriptedClient, type ServerEnd } from './scripted-client.js';

export type Implementation = 'ours' | (typeof REMOTE)[number];
/** OpenSSL 3.0 (the system's s_server), GnuTLS 3.7 (gnutls-serv), OpenSSL 3.5 (node:tls of Node 26, test/peers/node26). */
const REMOTE = ['openssl', 'gnutls', 'openssl35'] as const;

/** The one certificate every server proves itself with: ECDSA P-256, so all three sign alike. */
const identity = serverCertificates['ECDSA P-256'];
const OUR_SERVER: Partial<ServerConfig> = { certificate: identity, now: Date.now };
/** Its key in PKCS#8 with the public point, which GnuTLS 3.7 requires (OpenSSL reads it too). */
const keyPem = () => toPem('PRIVATE KEY', encodePkcs8(identity.privateKey, nobleProvider.publicKeyOf(identity.privateKey)));

/**
 * How long a server may stay silent after our bytes before we ask whether it is waiting for more (serverIdle):
 * only an idle server's silence is its answer, so a loaded machine that runs it late makes the run slower, not wrong.
 */
const FIRST_BYTE_MS = 250;
/** How long a server may stay busy without a word before its silence is taken anyway (a server that spins). */
const BUSY_LIMIT_MS = 20_000;
/** Without /proc to ask (not Linux), the silence that counts as an answer, as before the idle check. */
const UNASKED_SILENCE_MS = 800;
/** How long after its last bytes a server's flight counts as complete (loopback writes a flight at once). */
const QUIET_MS = 80;
/** How long a server that sent a fatal alert gets to close the connection. */
const CLOSE_MS = 500;

/** How many times a step reads on while the server's flight has begun and not ended. */
const MAX_READS = 5;

/** The server began a flight (ServerHello) and has not reached its Finished, with no alert. */
function midFlight(answer: Answer): boolean {
  const last = answer.messages.at(-1)?.kind;
  return answer.alerts.length === 0 && last !== undefined && last !== 'finished' && last !== 'hello_retry_request' && last !== 'new_session_ticket';
}

/** A real server over TCP as the scripted client's server end. */
class TcpEnd implements ServerEnd {
  private inbox: Uint8Array = new Uint8Array(0);
  private unread = false;
  closed = false;
  private wake: () => void = () => {};

  private constructor(
    private readonly socket: Socket,
    private readonly serverPid: number,
  ) {
    socket.on('data', (chunk: Buffer) => {
      this.inbox = concat(this.inbox, new Uint8Array(chunk));
      this.unread = true;
      this.wake();
    });
    const close = () => {
      this.closed = true;
      this.wake();
    };
    // A FIN counts as closing: a server that has half-closed will not answer again. An RST (after an alert,
    // with our bytes unread) is a close too.
    socket.on('end', close);
    socket.on('close', close);
    socket.on('error', close);
  }

  static open(port: number, serverPid: number): Promise<TcpEnd> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port }, () => resolve(new TcpEnd(socket, serverPid)));
      socket.once('error', reject);
    });
  }

  receive(bytes: Uint8Array): void {
    if (!this.closed) this.socket.write(bytes);
  }

  takeOutput(): Uint8Array {
    let at = 0;
    while (at + 5 <= this.inbox.length && at + 5 + ((this.inbox[at + 3]! << 8) | this.inbox[at + 4]!) <= this.inbox.length) {
      at += 5 + ((this.inbox[at + 3]! << 8) | this.inbox[at + 4]!);
    }
    const whole = this.inbox.slice(0, at);
    this.inbox = this.inbox.slice(at);
    return whole;
  }

  /**
   * Resolves once the server has closed, or stayed silent `firstMs` (none yet) or `QUIET_MS` after its last bytes
   * and is idle (serverIdle) at two looks then, or stayed busy and silent BUSY_LIMIT_MS (UNASKED_SILENCE_MS where none can say).
   */
  settle(firstMs = FIRST_BYTE_MS): Promise<void> {
    this.unread = false;
    const started = Date.now();
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout;
      const arm = (ms: number) => {
        clearTimeout(timer);
        timer = setTimeout(silence, ms);
      };
      // Idle at two looks QUIET_MS apart: one look reads the threads one after another, and a thread that hands the
      // answer to another can be caught asleep in between.
      let idleBefore = false;
      const silence = () => {
        const idle = serverIdle(this.socket, this.serverPid);
        const waited = Date.now() - started;
        if ((idle === true && idleBefore) || waited > BUSY_LIMIT_MS || (idle === undefined && waited >= UNASKED_SILENCE_MS)) return done();
        idleBefore = idle === true;
        arm(QUIET_MS);
      };
      const done = () => {
        clearTimeout(timer);
        this.wake = () => {};
        resolve();
      };
      this.wake = () => {
        idleBefore = false;
        if (this.closed) done();
        else arm(QUIET_MS);
      };
      if (this.closed) done();
      else arm(this.unread ? QUIET_MS : firstMs);
    });
  }

  dispose(): void {
    this.socket.destroy();
  }
}

/**
 * Whether the server has taken all our bytes and is waiting for more, having written all it will: on Linux, the
 * connection in /proc/net/tcp established with nothing queued either way (the server read our bytes; none of
 * its bytes wait for our event loop), and every thread of the server asleep (not runnable, not stopped). A server
 * that has been given our bytes but not yet the CPU is runnable or has them queued. Without /proc, undefined: a
 * silence of UNASKED_SILENCE_MS is taken.
 */
function serverIdle(socket: Socket, pid: number): boolean | undefined {
  let table: string[];
  try {
    // A server listening on both families may take our IPv4 connection on an IPv6 socket (tcp6).
    table = ['/proc/net/tcp', '/proc/net/tcp6'].flatMap((path) => (existsSync(path) ? readFileSync(path, 'latin1').split('\n') : []));
  } catch {
    return undefined;
  }
  if (table.length === 0) return undefined;
  const port = (n: number | undefined) => (n ?? 0).toString(16).toUpperCase().padStart(4, '0');
  const [ours, theirs] = [[socket.localPort, socket.remotePort], [socket.remotePort, socket.localPort]].map(([local, remote]) => new RegExp(`:${port(local)} [0-9A-F]+:${port(remote)} `));
  // Fields: sl local_address rem_address st tx_queue:rx_queue ...; st 01 is ESTABLISHED.
  const row = (key: RegExp) => table.find((line) => key.test(line))?.trim().split(/\s+/);
  const [ourRow, theirRow] = [row(ours!), row(theirs!)];
  if (!ourRow || !theirRow || ourRow[3] !== '01' || ourRow[4] !== '00000000:00000000' || theirRow[4] !== '00000000:00000000') return false;
  try {
    // The state is the field after the command name's closing parenthesis: S is asleep, R runnable, T stopped.
    return readdirSync(`/proc/${pid}/task`).every((task) => /\) S /.test(readFileSync(`/proc/${pid}/task/${task}/stat`, 'latin1')));
  } catch {
    return false;
  }
}

/** One run of a script against one implementation: the scripted client, and what the server answered. */
export class Run {
  readonly client: ScriptedClient;
  private readonly answers: Answer[] = [];

  constructor(
    private readonly end: TcpEnd | undefined,
    seed: string,
    private readonly stall?: { pid: number; ms: number },
  ) {
    this.client = new ScriptedClient(OUR_SERVER, seed, end);
  }

  /** Whether the server has answered with an alert or closed: the script's later steps are then not played. */
  get ended(): boolean {
    return this.closed || this.answers.some((a) => a.alerts.length > 0);
  }

  private get closed(): boolean {
    return this.end ? this.end.closed : this.client.server.isClosed;
  }

  /** Plays `act` (sends something), waits for the server's answer and keeps it; an empty answer once ended. */
  async step(act: (client: ScriptedClient) => Answer): Promise<Answer> {
    if (this.ended) return { messages: [], alerts: [], applicationData: [], records: [] };
    if (this.end && this.stall) stallProcess(this.stall.pid, this.stall.ms);
    const answer = act(this.client);
    // A flight cut by a pause (a loaded machine) is read on until it ends: at its Finished or
    // HelloRetryRequest, an alert, the close, or a silence.
    for (let reads = 0; this.end && reads < MAX_READS; reads++) {
      await this.end.settle();
      const later = this.client.read();
      for (const key of ['messages', 'alerts', 'applicationData', 'records'] as const) (answer[key] as unknown[]).push(...later[key]);
      if (later.records.length === 0 || !midFlight(answer) || this.end.closed) break;
    }
    this.answers.push(answer);
    return answer;
  }

  /** The outcome: 'alert_name' or the last handshake message kind or 'silent', then ', closed' or ', open'. */
  async outcome(): Promise<string> {
    const alert = this.answers.flatMap((a) => a.alerts)[0];
    if (alert && this.end && !this.end.closed) await this.end.settle(CLOSE_MS);
    const handshake = this.answers.flatMap((a) => a.messages.map((m) => m.kind)).filter((kind) => kind !== 'new_session_ticket');
    return `${alert ?? handshake.at(-1) ?? 'silent'}, ${this.closed ? 'closed' : 'open'}`;
  }

  dispose(): void {
    this.end?.dispose();
  }
}

/** A script: what the client sends, step by step (Run.step), from the ClientHello on. */
export type Script = (run: Run) => Promise<unknown>;

/** A case: its script, the outcome expected of ours, and another's where it differs (with the verdict). */
export interface DifferentialCase {
  name: string;
  script: Script;
  ours: string;
  openssl?: string;
  gnutls?: string;
  /** OpenSSL 3.5's outcome, where it is not OpenSSL 3.0's. */
  openssl35?: string;
  /** Where the outcomes differ: who is right by the RFC, and why. */
  verdict?: string;
  /** A real server is stopped (SIGSTOP) this long after each of our sends: a loaded machine that runs it late. */
  stallServerMs?: number;
}

/** The ClientHello extensions all three servers accept: X25519 share, groups X25519 and P-256, ECDSA and PSS. */
export const helloExtensions = (client: ScriptedClient, share: Extension = client.keyShare(NamedGroup.x25519)): Extension[] => [
  ext(ExtensionType.supported_versions, [2, 3, 4]),
  codePointList(ExtensionType.supported_groups, [NamedGroup.x25519, NamedGroup.secp256r1]),
  codePointList(ExtensionType.signature_algorithms, [0x0403, 0x0804]),
  share,
];
const ext = (type: number, body: number[]): Extension => ({ type, data: Uint8Array.from(body) });

/** A real server kept up for a whole test file. */
interface Peer {
  port?: number;
  missing?: string;
  child?: BoundedChild;
}

/**
 * `binary` serving on a free port, once it prints `ready`: `args` of the port and of the certificate and key
 * files. Neither server sends tickets or asks for a client certificate, so a handshake ends at our Finished.
 */
/** The certificate and key files all servers read, written once before any starts (a rewrite could be read half done). */
interface KeyFiles {
  certFile: string;
  keyFile: string;
}

async function startPeer(binary: string, ready: RegExp, args: (port: number, cert: string, key: string) => string[], files: KeyFiles): Promise<Peer> {
  const path = findBinary(binary);
  if (!path) return { missing: `${binary} not installed` };
  const port = await freePort();
  const child = spawnBounded(path, args(port, files.certFile, files.keyFile), { timeoutMs: 300_000 });
  await child.waitFor(ready);
  return { port, child };
}

const startOpenSsl = (files: KeyFiles) =>
  startPeer('openssl', /ACCEPT/, (port, cert, key) => ['s_server', '-tls1_3', '-accept', String(port), '-cert', cert, '-key', key, '-no_ticket'], files);
const startGnutls = (files: KeyFiles) =>
  startPeer(
    'gnutls-serv',
    /listening on IPv4 [^\n]*done/,
    (port, cert, key) => ['--port', String(port), '--echo', '--disable-client-cert', '--noticket', '--priority', 'NORMAL:-VERS-ALL:+VERS-TLS1.3', '--x509certfile', cert, '--x509keyfile', key],
    files,
  );

async function startNode26(files: KeyFiles): Promise<Peer> {
  if (!existsSync(NODE26)) return { missing: 'Node 26 (test/peers/node26, `npm ci --prefix test/peers/node26`) not installed' };
  const peer = await node26Server(NODE26, { ...files, keepServing: true }, 300_000);
  return { port: peer.port, child: peer.child };
}

/** Stops process `pid` for `ms` (as a scheduler that runs it late would) before our bytes go, then lets it go on. */
function stallProcess(pid: number, ms: number): void {
  process.kill(pid, 'SIGSTOP');
  setTimeout(() => process.kill(pid, 'SIGCONT'), ms);
}

/** One script played against `implementation`; its outcome. */
async function play(implementation: Implementation, peers: Record<(typeof REMOTE)[number], Peer>, testCase: DifferentialCase): Promise<string> {
  const peer = implementation === 'ours' ? undefined : peers[implementation];
  const stall = peer && testCase.stallServerMs ? { pid: peer.child!.child.pid!, ms: testCase.stallServerMs } : undefined;
  const run = new Run(peer ? await TcpEnd.open(peer.port!, peer.child!.child.pid!) : undefined, `differential ${testCase.name}`, stall);
  try {
    await testCase.script(run);
    return await run.outcome();
  } finally {
    run.dispose();
  }
}

/** The vitest suite of `cases`: each is played against every implementation and its outcomes compared. */
export function differential(title: string, cases: DifferentialCase[]): void {
  describe(title, () => {
    const scratch = scratchDirectory('tls13-lab-differential-');
    const peers = {} as Record<(typeof REMOTE)[number], Peer>;
    beforeAll(async () => {
      const files = { certFile: scratch.file('server.pem', certPem(identity)), keyFile: scratch.file('server.key', keyPem()) };
      [peers.openssl, peers.gnutls, peers.openssl35] = await Promise.all([startOpenSsl(files), startGnutls(files), startNode26(files)]);
    });
    afterAll(() => {
      for (const peer of Object.values(peers)) peer.child?.kill();
      scratch.remove();
    });

    for (const testCase of cases) {
      it(testCase.name, async (test) => {
        const ours = await play('ours', peers, testCase);
        const missing = REMOTE.find((name) => peers[name].missing);
        if (missing) {
          expect(ours).toBe(testCase.ours);
          missingPeer(peers[missing].missing!, test);
        }
        const [openssl, gnutls, openssl35] = await Promise.all(REMOTE.map((name) => play(name, peers, testCase)));
        const expectedOpenssl = testCase.openssl ?? testCase.ours;
        expect({ ours, openssl, gnutls, openssl35 }).toEqual({ ours: testCase.ours, openssl: expectedOpenssl, gnutls: testCase.gnutls ?? testCase.ours, openssl35: testCase.openssl35 ?? expectedOpenssl });
      });
    }
  });
}
