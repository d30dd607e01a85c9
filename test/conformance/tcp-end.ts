// A real peer over TCP as one end of a scripted conversation (differential-harness.ts, client-differential-
// harness.ts): what we write goes to the socket, what the peer writes is handed out in whole records, and
// settle() waits until the peer has answered, closed or stayed silent.
import { connect, type Socket } from 'node:net';
import { concat } from '../../src/wire/bytes.js';
import type { PeerEnd } from './harness.js';

/** How long a peer may stay silent after our bytes before we take its silence as its answer. */
const FIRST_BYTE_MS = 800;
/** How long after its last bytes a peer's flight counts as complete (loopback writes a flight at once). */
const QUIET_MS = 80;

export class TcpEnd implements PeerEnd {
  private inbox: Uint8Array = new Uint8Array(0);
  private unread = false;
  closed = false;
  private wake: () => void = () => {};

  constructor(private readonly socket: Socket) {
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

  /** A connection to a server listening on 127.0.0.1:`port`. */
  static open(port: number): Promise<TcpEnd> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port }, () => resolve(new TcpEnd(socket)));
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

  /** Resolves once the peer has closed, or stayed silent `firstMs` (none yet), or `QUIET_MS` after its last bytes. */
  settle(firstMs = FIRST_BYTE_MS): Promise<void> {
    this.unread = false;
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout;
      const arm = (ms: number) => {
        clearTimeout(timer);
        timer = setTimeout(done, ms);
      };
      const done = () => {
        clearTimeout(timer);
        this.wake = () => {};
        resolve();
      };
      this.wake = () => (this.closed ? done() : arm(QUIET_MS));
      if (this.closed) done();
      else arm(this.unread ? QUIET_MS : firstMs);
    });
  }

  dispose(): void {
    this.socket.destroy();
  }
}
