// An in-memory client and server wired back to back: the backbone of scenario tests, negative tests,
// fuzzing and narrated demos. Bytes move one flight at a time; a tamper hook sees each flight first.
import type { ClientConfig, ServerConfig } from './config.js';
import { Connection } from './connection.js';
import type { TlsEvent } from './events.js';

export interface Flight {
  from: 'client' | 'server';
  bytes: Uint8Array;
}

export interface PairOptions {
  /** Sees each flight before delivery; returns the bytes to deliver instead (or undefined to drop them). */
  tamper?: (flight: Flight) => Uint8Array | undefined;
  /** Deliver bytes in chunks of at most this size (1 = one byte at a time). */
  chunkSize?: number;
}

export class InMemoryPair {
  readonly client: Connection;
  readonly server: Connection;
  /** Every event of both sides in the order they happened. */
  readonly log: Array<{ side: 'client' | 'server'; event: TlsEvent }> = [];

  constructor(
    clientConfig: ClientConfig,
    serverConfig: ServerConfig,
    private readonly options: PairOptions = {},
  ) {
    this.server = Connection.server(serverConfig);
    this.client = Connection.client(clientConfig);
    this.collect();
  }

  /** Moves one flight from `from` to its peer. Returns false when `from` had nothing to send. */
  step(from: 'client' | 'server'): boolean {
    const sender = from === 'client' ? this.client : this.server;
    const receiver = from === 'client' ? this.server : this.client;
    const output = sender.takeOutput();
    if (output.length === 0) return false;
    const delivered = this.options.tamper ? this.options.tamper({ from, bytes: output }) : output;
    if (delivered) {
      const chunk = this.options.chunkSize ?? delivered.length;
      for (let i = 0; i < delivered.length; i += Math.max(chunk, 1)) receiver.receive(delivered.subarray(i, i + chunk));
    }
    this.collect();
    return true;
  }

  /** Moves flights back and forth until neither side has anything to send. */
  run(maxFlights = 100): this {
    for (let i = 0; i < maxFlights; i++) {
      const moved = this.step('client') || this.step('server');
      if (!moved) return this;
    }
    throw new Error(`no quiescence after ${maxFlights} flights`);
  }

  /** Events of one side, in order. */
  events(side: 'client' | 'server'): TlsEvent[] {
    return this.log.filter((e) => e.side === side).map((e) => e.event);
  }

  private collect(): void {
    for (const event of this.client.takeEvents()) this.log.push({ side: 'client', event });
    for (const event of this.server.takeEvents()) this.log.push({ side: 'server', event });
  }
}
