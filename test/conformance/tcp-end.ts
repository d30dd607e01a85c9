// A real peer over TCP as one end of a scripted conversation (differential-harness.ts, client-differential-
// harness.ts): what we write goes to the socket, what the peer writes is handed out in whole records, and
// settle() waits until the peer has answered, closed or stayed silent.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { concat } from '../../src/wire/bytes.js';
import type { PeerEnd } from './harness.js';

/**
 * How long a peer may stay silent after our bytes before we ask whether it is waiting for more (peerIdle): only an
 * idle peer's silence is its answer, so a loaded machine that runs it late makes the run slower, not wrong.
 */
const FIRST_BYTE_MS = 250;
/** Without a peer process to ask (no pid, or no /proc: not Linux), the silence that counts as its answer. */
const UNASKED_SILENCE_MS = 800;
/** How long a peer may stay busy without a word before its silence is taken anyway (a peer that spins). */
const BUSY_LIMIT_MS = 20_000;
/** How long after its last bytes a peer's flight counts as complete (loopback writes a flight at once). */
const QUIET_MS = 80;

export class TcpEnd implements PeerEnd {
  private inbox: Uint8Array = new Uint8Array(0);
  private unread = false;
  closed = false;
  private wake: () => void = () => {};

  /** `peerPid`: the peer's process, whose idleness tells its silence from its lateness (peerIdle). */
  constructor(
    private readonly socket: Socket,
    private readonly peerPid?: number,
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
    // A FIN counts as closing: a peer that has half-closed will not answer again. An RST (after an alert,
    // with our bytes unread) is a close too.
    socket.on('end', close);
    socket.on('close', close);
    socket.on('error', close);
  }

  /** Whether the peer's silence is told from its lateness by asking (peerIdle): its process known, and /proc there. */
  get asksPeer(): boolean {
    return this.peerPid !== undefined && existsSync('/proc/net/tcp');
  }

  /** A connection to a server listening on 127.0.0.1:`port`, run by process `serverPid`. */
  static open(port: number, serverPid?: number): Promise<TcpEnd> {
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
   * Resolves once the peer has closed, or stayed silent `firstMs` (none yet) or `QUIET_MS` after its last bytes and
   * is idle (peerIdle) at two looks then, or stayed busy and silent BUSY_LIMIT_MS. Where no peer can be asked, as
   * before: silent `firstMs` (UNASKED_SILENCE_MS by default), or `QUIET_MS` after its last bytes.
   */
  settle(firstMs?: number): Promise<void> {
    let heard = this.unread;
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
        const idle = this.peerPid === undefined ? undefined : peerIdle(this.socket, this.peerPid);
        const waited = Date.now() - started;
        const unasked = idle === undefined && (heard || waited >= (firstMs ?? UNASKED_SILENCE_MS));
        if ((idle === true && idleBefore) || unasked || waited > BUSY_LIMIT_MS) return done();
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
        heard = true;
        if (this.closed) done();
        else arm(QUIET_MS);
      };
      if (this.closed) done();
      else arm(heard ? QUIET_MS : (firstMs ?? FIRST_BYTE_MS));
    });
  }

  dispose(): void {
    this.socket.destroy();
  }
}

/**
 * Whether the peer has taken all our bytes and is waiting for more, having written all it will: on Linux, the
 * connection in /proc/net/tcp (or tcp6: a peer listening on both families may take our IPv4 connection on an IPv6
 * socket) established with nothing queued either way (the peer read our bytes; none of its bytes wait for our event
 * loop), and every thread of the peer asleep (not runnable, not stopped). A peer that has been given our bytes but
 * not yet the CPU is runnable or has them queued. Without /proc, undefined.
 */
function peerIdle(socket: Socket, pid: number): boolean | undefined {
  const table = ['/proc/net/tcp', '/proc/net/tcp6'].flatMap((path) => (existsSync(path) ? readFileSync(path, 'latin1').split('\n') : []));
  if (table.length === 0) return undefined;
  const port = (n: number | undefined) => (n ?? 0).toString(16).toUpperCase().padStart(4, '0');
  const rowOf = (local: number | undefined, remote: number | undefined) => {
    const key = new RegExp(`:${port(local)} [0-9A-F]+:${port(remote)} `);
    return table.find((line) => key.test(line))?.trim().split(/\s+/);
  };
  // Fields: sl local_address rem_address st tx_queue:rx_queue ...; st 01 is ESTABLISHED.
  const ours = rowOf(socket.localPort, socket.remotePort);
  const theirs = rowOf(socket.remotePort, socket.localPort);
  if (!ours || !theirs || ours[3] !== '01' || ours[4] !== '00000000:00000000' || theirs[4] !== '00000000:00000000') return false;
  try {
    // The state is the field after the command name's closing parenthesis: S is asleep, R runnable, T stopped.
    return readdirSync(`/proc/${pid}/task`).every((task) => /\) S /.test(readFileSync(`/proc/${pid}/task/${task}/stat`, 'latin1')));
  } catch {
    return false;
  }
}

/** Stops process `pid` for `ms` (as a scheduler that runs it late would) before our bytes go, then lets it go on. */
export function stallProcess(pid: number, ms: number): void {
  process.kill(pid, 'SIGSTOP');
  setTimeout(() => process.kill(pid, 'SIGCONT'), ms);
}
