// A client-side session cache: the tickets servers sent ('session' events), kept per server and handed
// out newest first for resumption. Node-side because it reads the real clock by default.
import { parseReferenceIdentity } from '../auth/hostname.js';
import type { SessionTicket } from '../handshake/events.js';
import type { Tls13Socket } from './adapter.js';

export interface TicketStoreOptions {
  /** Milliseconds since the epoch (default Date.now). */
  now?: () => number;
  /** Tickets kept per server; the oldest are dropped first (default 4). */
  perServer?: number;
}

/**
 * The key of a server's tickets: its reference identity as the engine spells it in `SessionTicket.serverName`
 * (a DNS name in ASCII lower case without a trailing dot, RFC 4343; an IP address as RFC 5952 writes it), so
 * each spelling of one server finds its tickets, and no spelling finds another server's: a name that folds
 * beyond ASCII or ends in a number is no server name. Anything else (a label of the caller's) is kept as
 * given, apart from every server name (a canonical spelling is a server name).
 */
function serverKey(server: string): string {
  const identity = parseReferenceIdentity(server);
  return typeof identity === 'string' ? server : identity.text;
}

/**
 * Tickets per server name, in any spelling of it (serverKey). `take()` removes the ticket it returns: RFC 8446 §C.4 asks clients not to use
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
    const key = serverKey(server);
    const kept = this.byServer.get(key) ?? [];
    kept.push(ticket.receivedAt === undefined ? { ...ticket, receivedAt: this.now() } : ticket);
    this.byServer.set(key, kept.slice(-this.perServer));
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
    const key = serverKey(server);
    const kept = (this.byServer.get(key) ?? []).filter((t) => !this.expired(t));
    const newest = kept.pop();
    if (kept.length > 0) this.byServer.set(key, kept);
    else this.byServer.delete(key);
    return newest;
  }

  /** How many unexpired tickets are kept for `server`. */
  count(server: string): number {
    return (this.byServer.get(serverKey(server)) ?? []).filter((t) => !this.expired(t)).length;
  }

  private expired(ticket: SessionTicket): boolean {
    return this.now() >= ticket.receivedAt! + ticket.lifetime * 1000;
  }
}
