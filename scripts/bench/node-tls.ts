// The node:tls (OpenSSL) reference, as fast as node:tls can honestly be for the same work: a server
// TLSSocket and a client tls.connect({ socket }) over an in-memory Duplex pair, SecureContexts made once, with
// the same protocol choices as our rows (TLS 1.3 only, TLS_AES_128_GCM_SHA256, X25519 or the row's group)
// and the same certificates. node:tls cannot turn TLS 1.3 session tickets off (it exposes no SSL_CTX_set_num_tickets,
// and SSL_OP_NO_TICKET only makes them stateful), so its server makes two tickets per handshake; ours none.
import { once } from 'node:events';
import { duplexPair } from 'node:stream';
import * as tls from 'node:tls';
import { SERVER_NAME, nodeCredentials, X25519, type HandshakeCase } from './cases.js';
import { withDeadline } from './deadline.js';

const PROTOCOL = {
  minVersion: 'TLSv1.3',
  maxVersion: 'TLSv1.3',
  ciphers: 'TLS_AES_128_GCM_SHA256',
} as const;

const ecdhCurve = (c: HandshakeCase) => (c.group ?? X25519).openssl;

/**
 * Whether the running node:tls can use the case's group: the OpenSSL 3.0 of Node 20 has no ML-KEM, so no
 * X25519MLKEM768 (OpenSSL 3.5, in Node 24.5+ and 26, has it).
 */
export function nodeTlsHasGroup(c: HandshakeCase): boolean {
  try {
    tls.createSecureContext({ ...PROTOCOL, ecdhCurve: ecdhCurve(c) });
    return true;
  } catch {
    return false;
  }
}

/** Both sides' SecureContexts, made once per case and shared by every connection. */
export interface Endpoints {
  serverContext: tls.SecureContext;
  clientContext: tls.SecureContext;
}

/** The server's options: a tls.Server takes them whole (it makes its SecureContext from them, once). */
export function serverContextOptions(c: HandshakeCase, ciphers: string = PROTOCOL.ciphers): tls.SecureContextOptions {
  return {
    ...PROTOCOL,
    ecdhCurve: ecdhCurve(c),
    ciphers,
    ...nodeCredentials(c.serverIdentity),
    ...(c.clientIdentity ? { ca: nodeCredentials(c.clientIdentity).cert } : {}),
  };
}

export function endpoints(c: HandshakeCase, ciphers: string = PROTOCOL.ciphers): Endpoints {
  const serverContext = tls.createSecureContext(serverContextOptions(c, ciphers));
  // The client trusts exactly the anchor of the case: the pinned self-signed certificate or the CA.
  // OpenSSL does not check the signature of a trust anchor, so a self-signed anchor costs no verify.
  const clientContext = tls.createSecureContext({
    ...PROTOCOL,
    ecdhCurve: ecdhCurve(c),
    ciphers,
    ca: nodeCredentials(c.trust.anchor).cert,
    ...(c.clientIdentity ? nodeCredentials(c.clientIdentity) : {}),
  });
  return { serverContext, clientContext };
}

/**
 * Whether `socket`'s peer passes the check our engine makes: for a pinned certificate, its leaf is the
 * pinned DER (as our `pinned-certificate` policy compares it); for a CA, OpenSSL's chain validation; for a
 * resumed session, the PSK itself (RFC 8446 §2.2: no certificate is sent).
 */
export function peerAccepted(socket: tls.TLSSocket, pinned: Uint8Array | undefined): boolean {
  if (socket.isSessionReused()) return true;
  return pinned ? socket.getPeerX509Certificate()?.raw.equals(pinned) === true : socket.authorized;
}

/**
 * One connection over a fresh Duplex pair: a server TLSSocket and a client `tls.connect({ socket })`, no
 * tls.Server in between (it adds nothing to the handshake but event-loop work), and both sides once connected.
 */
function openPair({ serverContext, clientContext }: Endpoints, c: HandshakeCase, session?: Buffer) {
  const [serverSide, clientSide] = duplexPair();
  const mutual = c.clientIdentity !== undefined;
  const server = new tls.TLSSocket(serverSide, { isServer: true, secureContext: serverContext, requestCert: mutual, rejectUnauthorized: false });
  const pinned = c.trust.kind === 'pinned-certificate' ? c.trust.anchor.der : undefined;
  const client = tls.connect({
    socket: clientSide,
    secureContext: clientContext,
    servername: SERVER_NAME,
    // A pinned certificate is checked by its DER, below, as ours is; a CA by OpenSSL's chain validation.
    rejectUnauthorized: pinned === undefined,
    ...(session ? { session } : {}),
  });
  // `once` rejects on an 'error' event, so a failed handshake stops the bench instead of hanging it.
  const connected = Promise.all([once(server, 'secure'), once(client, 'secureConnect')]).then((): [tls.TLSSocket, tls.TLSSocket] => {
    if (!peerAccepted(client, pinned)) throw new Error(`node:tls client did not accept the server: ${client.authorizationError}`);
    if (mutual && !peerAccepted(server, c.clientIdentity!.der)) throw new Error(`node:tls server did not accept the client: ${server.authorizationError}`);
    return [client, server];
  });
  return { client, connected };
}

/** A TLS 1.3 session (its ticket) from one full handshake; TLS 1.3 tickets arrive after the handshake. */
async function firstSession(ends: Endpoints, c: HandshakeCase): Promise<Buffer> {
  const { client, connected } = openPair(ends, c);
  const session = once(client, 'session') as Promise<[Buffer]>;
  const [, serverSocket] = await withDeadline(connected, `node:tls reference, ${c.name}: the first handshake (for its session)`);
  const [ticket] = await withDeadline(session, `node:tls reference, ${c.name}: the first handshake's session ticket`);
  client.destroy();
  serverSocket.destroy();
  return ticket;
}

/**
 * A function doing one full handshake (or, for the resumption case, one resumed from the session of a
 * first handshake): it resolves when the client has verified the server's Finished (`secureConnect`) and
 * the server the client's (`secure`), each peer accepted as ours would accept it.
 */
export function nodeTlsHandshake(c: HandshakeCase): () => Promise<void> {
  const ends = endpoints(c);
  let session: Promise<Buffer> | undefined;
  if (c.variant === 'resumption') session = firstSession(ends, c);
  return async () => {
    const [client, serverSocket] = await openPair(ends, c, session && (await session)).connected;
    const resumed = client.isSessionReused();
    client.destroy();
    serverSocket.destroy();
    if (resumed !== (session !== undefined)) throw new Error(`node:tls resumed: ${resumed}`);
  };
}

/**
 * A function sending `records` full 16 KiB writes from client to server of one connected pair under
 * `suite` (an OpenSSL TLS 1.3 suite name), resolving when the server has read them all.
 */
export async function nodeTlsTransfer(c: HandshakeCase, suite: string, recordPayload: number, records: number): Promise<() => Promise<void>> {
  const ends = endpoints(c, suite);
  const [client, serverSocket] = await withDeadline(openPair(ends, c).connected, `node:tls bulk reference, ${suite}: its handshake`);
  const payload = Buffer.alloc(recordPayload, 0x61);
  let pending = 0;
  let done: (() => void) | undefined;
  serverSocket.on('data', (chunk: Buffer) => {
    pending -= chunk.length;
    if (pending === 0) done?.();
  });
  return () =>
    new Promise<void>((resolve) => {
      pending = recordPayload * records;
      done = resolve;
      for (let i = 0; i < records; i++) client.write(payload);
    });
}
