// A client-side session cache: the tickets servers sent ('session' events), kept per server and handed
// out newest first for resumption. Node-side because it reads the real clock by default.
import type { SessionTicket } from '../handshake/events.js';
import type { Tls13Socket } from './adapter.js';

export interface TicketStoreOptions {
  /** Milliseconds since the epoch (default Date.now). */
  now?: () => number;
  /** Tickets kept per server; the oldest are dropped first (default 4). */
  perServer?: number;
}

/**
 * Tickets per server name. `take()` removes the ticket it returns: RFC 8446 §C.4 asks clients not to use
 * a ticket for more than one connection (a server issues several for that), and a server that accepts
 * 0-RTT refuses a ticket's second use anyway.
 */
export class TicketStore {
  private readonly byServer = new Map<string, SessionTicket[]>();
  private readonly now: () => number;
  private readonly perServer: number;

  constructor(options: TicketStoreOptions = {}) {
    this.now = options.now ?? (() => Date.now());
    this.perServer = options.perServer ?? 4;
  }

  /** Keeps a ticket under `server` (default: the server name it was issued for). */
  add(ticket: SessionTicket, server = ticket.serverName ?? ''): void {
    const kept = this.byServer.get(server) ?? [];
    kept.push(ticket.receivedAt === undefined ? { ...ticket, receivedAt: this.now() } : ticket);
    this.byServer.set(server, kept.slice(-this.perServer));
  }

  /**
   * Collects every ticket `socket` receives, under `server` (default: the name each ticket was issued for,
   * the DNS name or IP address the connection checked the certificate against; the socket's `servername`
   * is only the SNI, undefined for an IP address).
   */
  collect(socket: Tls13Socket, server?: string): void {
    socket.on('session', (ticket: SessionTicket) => this.add(ticket, server));
  }

  /** The newest ticket for `server` still within its lifetime (RFC 8446 §4.6.1), removed from the store. */
  take(server: string): SessionTicket | undefined {
    const kept = (this.byServer.get(server) ?? []).filter((t) => !this.expired(t));
    const newest = kept.pop();
    if (kept.length > 0) this.byServer.set(server, kept);
    else this.byServer.delete(server);
    return newest;
  }

  /** How many unexpired tickets are kept for `server`. */
  count(server: string): number {
    return (this.byServer.get(server) ?? []).filter((t) => !this.expired(t)).length;
  }

  private expired(ticket: SessionTicket): boolean {
    return this.now() >= ticket.receivedAt! + ticket.lifetime * 1000;
  }
}
