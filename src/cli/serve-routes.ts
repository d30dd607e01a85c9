// What `tls13 serve` does for each request path, so that it can stand in as a conformance target for the
// post-handshake messages black-box suites probe (RFC 8446 §4.6):
//   GET /keyupdate  a KeyUpdate with update_requested (§4.6.3) goes out before the reply, so the reply is
//                   protected by our next traffic keys and the client has to answer with its own KeyUpdate;
//   GET /secret     a post-handshake CertificateRequest (§4.6.2), when the client offered post_handshake_auth
//                   (§4.2.6); the reply names the client it proved to be, or says why none was asked for;
//   anything else   the status page.
import type { Tls13Socket } from '../node/adapter.js';
import { describePeer } from './demo.js';
import type { Io } from './io.js';

export interface Reply {
  status: string;
  body: string;
}

/** The path of an HTTP request head ("GET /secret HTTP/1.1" gives "/secret"), or undefined. */
export function requestPath(head: string): string | undefined {
  return /^[A-Z]+ (\S+)/.exec(head)?.[1];
}

export interface RouteContext {
  io: Io;
  /** The status page, rendered once the route's TLS work is done. */
  page: () => string;
  /** Whether the server has client trust flags to judge a certificate with. */
  judgesClients: boolean;
}

/** Answers one request on `socket`. */
export async function route(socket: Tls13Socket, head: string, { io, page, judgesClients }: RouteContext): Promise<Reply> {
  switch (requestPath(head)) {
    case '/keyupdate':
      socket.updateKeys(true);
      log(socket, io, 'KeyUpdate sent (update_requested)');
      return { status: '200 OK', body: `KeyUpdate sent with update_requested before this reply (RFC 8446 §4.6.3)\n\n${page()}` };
    case '/secret': {
      const refused = judgesClients ? await requestClientCertificate(socket, io) : NO_CLIENT_TRUST;
      if (refused) return { status: '403 Forbidden', body: `${refused}\n` };
      const peer = socket.info.peer;
      if (!peer) return { status: '403 Forbidden', body: 'post-handshake CertificateRequest sent; the client presented no trusted certificate\n' };
      return { status: '200 OK', body: `the secret is yours, ${describePeer(peer)}\n\n${page()}` };
    }
    default:
      return { status: '200 OK', body: page() };
  }
}

const NO_CLIENT_TRUST = 'no post-handshake CertificateRequest: the server has no client trust flag (--client-ca, --pin-client-cert or --pin-client-spki) to judge a certificate with';

/**
 * How long /secret waits for the answer to its CertificateRequest. Servers "MUST be prepared for some
 * delay" (RFC 8446 §4.6.2), not for ever: records the client sends meanwhile restart the idle timer, so
 * without a deadline of its own a client that never answers holds the connection as long as it likes.
 */
export const POST_HANDSHAKE_ANSWER_TIMEOUT_MS = 30_000;

/**
 * Post-handshake authentication (RFC 8446 §4.6.2): resolves once the client answered our CertificateRequest;
 * or with the reason for a 403: at once when none can be sent (the client did not offer post_handshake_auth,
 * or the server has no client trust flags to judge an answer), or when no answer came in time.
 */
export function requestClientCertificate(socket: Tls13Socket, io: Io): Promise<string | undefined> {
  try {
    socket.requestClientCertificate();
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    log(socket, io, `no post-handshake authentication: ${reason}`);
    return Promise.resolve(`no post-handshake CertificateRequest: ${reason}`);
  }
  return new Promise((resolve) => {
    const deadline = setTimeout(() => {
      const reason = `no answer to the post-handshake CertificateRequest within ${POST_HANDSHAKE_ANSWER_TIMEOUT_MS / 1000} s`;
      log(socket, io, reason);
      resolve(reason);
    }, POST_HANDSHAKE_ANSWER_TIMEOUT_MS);
    socket.once('close', () => clearTimeout(deadline));
    socket.once('postHandshakeAuth', () => {
      clearTimeout(deadline);
      log(socket, io, `after the handshake, client ${describePeer(socket.info.peer)}`);
      resolve(undefined);
    });
  });
}

function log(socket: Tls13Socket, io: Io, line: string): void {
  io.stdout.write(`${socket.remoteAddress}:${socket.remotePort}: ${line}\n`);
}
