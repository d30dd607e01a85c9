// The errors a Tls13Socket ends with: a fatal alert either way, or a transport that closed mid-handshake.

/** A fatal alert ended the connection: one we sent (`direction: 'sent'`) or the peer's (`'received'`). */
export class TlsAlertError extends Error {
  constructor(
    readonly alert: string,
    readonly direction: 'sent' | 'received',
    /** For alerts we sent: the protocol reason (a key of REASONS). */
    readonly reason?: string,
    detail?: string,
  ) {
    super(direction === 'sent' ? `TLS alert ${alert} sent${detail ? `: ${detail}` : ''}` : `TLS alert ${alert} received from the peer`);
    this.name = 'TlsAlertError';
  }
}

/** The peer closed the transport (or sent close_notify) before the handshake completed, as node:tls reports it. */
export function handshakeAborted(state: string): Error {
  return Object.assign(new Error(`the peer closed the connection during the TLS handshake (state ${state})`), { code: 'ECONNRESET' });
}
