// The node:tls (OpenSSL) reference: a tls.Server and a client TLSSocket over an in-memory Duplex pair, with
// the same protocol choices as our rows (TLS 1.3 only, TLS_AES_128_GCM_SHA256, X25519) and the same
// certificates. node:tls cannot turn TLS 1.3 session tickets off (it exposes no SSL_CTX_set_num_tickets,
// and SSL_OP_NO_TICKET only makes them stateful), so its server makes two tickets per handshake; ours none.
import { once } from 'node:events';
import { duplexPair } from 'node:stream';
import * as tls from 'node:tls';
import { SERVER_NAME, nodeCredentials, type HandshakeCase } from './cases.js';

const PROTOCOL = {
  minVersion: 'TLSv1.3',
  maxVersion: 'TLSv1.3',
  ciphers: 'TLS_AES_128_GCM_SHA256',
  ecdhCurve: 'X25519',
} as const;

/**
 * A function doing one full handshake: it resolves when the client has verified the server's Finished
 * (`secureConnect`) and the server the client's (`secureConnection`), both peers authorized.
 */
export function nodeTlsHandshake(c: HandshakeCase): () => Promise<void> {
  const server = tls.createServer({
    ...PROTOCOL,
    ...nodeCredentials(c.serverIdentity),
    ...(c.clientIdentity ? { ca: nodeCredentials(c.clientIdentity).cert, requestCert: true, rejectUnauthorized: true } : {}),
  });
  // The client trusts exactly the anchor of the case: the pinned self-signed certificate or the CA.
  // OpenSSL does not check the signature of a trust anchor, so a self-signed anchor costs no verify.
  const clientContext = tls.createSecureContext({
    ...PROTOCOL,
    ca: nodeCredentials(c.trust.anchor).cert,
    ...(c.clientIdentity ? nodeCredentials(c.clientIdentity) : {}),
  });

  return async () => {
    const [serverSide, clientSide] = duplexPair();
    const accepted = once(server, 'secureConnection') as Promise<[tls.TLSSocket]>;
    // A tls.Server takes any Duplex handed to it as a new connection.
    server.emit('connection', serverSide);
    const client = tls.connect({ socket: clientSide, secureContext: clientContext, servername: SERVER_NAME });
    // `once` rejects on an 'error' event, so a failed handshake stops the bench instead of hanging it.
    const [[serverSocket]] = await Promise.all([accepted, once(client, 'secureConnect')]);
    client.destroy();
    serverSocket.destroy();
    if (!client.authorized) throw new Error(`node:tls client did not authorize the server: ${client.authorizationError}`);
    if (c.clientIdentity && !serverSocket.authorized) throw new Error(`node:tls server did not authorize the client: ${serverSocket.authorizationError}`);
  };
}
