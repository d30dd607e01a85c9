// Differential conformance: the same scripted client (scripted-client.ts, tlsfuzzer's way of driving a server)
// plays the same script against our server in memory and, over loopback, against `openssl s_server` (OpenSSL
// 3.0), `gnutls-serv` and node:tls of Node 26 (OpenSSL 3.5, test/peers/node26). Each run comes down to one
// outcome: the first alert the server sent (or, with none, the last handshake message it sent other than a
// ticket, or 'silent'), and whether it closed the connection. A case lists the outcome it expects of ours and,
// where another implementation differs, of that one, with the verdict on who is right (docs/security.md, "Red
// team, session 17"). One server process per implementation serves every case of a file; ports are free ones.
// A missing peer skips loudly (fails with REQUIRE_INTEROP=1).
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodePkcs8 } from '../../src/auth/keys.js';
import { toPem } from '../../src/auth/pem.js';
import { nobleProvider } from '../../src/crypto/noble.js';
import type { ServerConfig } from '../../src/handshake/config.js';
import { type BoundedChild, findBinary, freePort, missingPeer, scratchDirectory, spawnBounded } from '../../src/testing/interop.js';
import { ExtensionType, NamedGroup } from '../../src/wire/enums.js';
import type { Extension } from '../../src/wire/types.js';
import { NODE26, node26Server } from '../interop/node26-peer.js';
import { certPem, serverCertificates } from '../node/fixtures.js';
import { type Answer, codePointList, ScriptedClient } from './scripted-client.js';
import { stallProcess, TcpEnd } from './tcp-end.js';

export type Implementation = 'ours' | (typeof REMOTE)[number];
/** OpenSSL 3.0 (the system's s_server), GnuTLS 3.7 (gnutls-serv), OpenSSL 3.5 (node:tls of Node 26, test/peers/node26). */
const REMOTE = ['openssl', 'gnutls', 'openssl35'] as const;

/** The one certificate every server proves itself with: ECDSA P-256, so all three sign alike. */
const identity = serverCertificates['ECDSA P-256'];
const OUR_SERVER: Partial<ServerConfig> = { certificate: identity, now: Date.now };
/** Its key in PKCS#8 with the public point, which GnuTLS 3.7 requires (OpenSSL reads it too). */
const keyPem = () => toPem('PRIVATE KEY', encodePkcs8(identity.privateKey, nobleProvider.publicKeyOf(identity.privateKey)));

/** How long a server that sent a fatal alert gets to close the connection. */
const CLOSE_MS = 500;

/** How many times a step reads on while the server's flight has begun and not ended. */
const MAX_READS = 5;

/** The server began a flight (ServerHello) and has not reached its Finished, with no alert. */
function midFlight(answer: Answer): boolean {
  const last = answer.messages.at(-1)?.kind;
  return answer.alerts.length === 0 && last !== undefined && last !== 'finished' && last !== 'hello_retry_request' && last !== 'new_session_ticket';
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
