// A node:tls endpoint run under Node 26 (OpenSSL 3.5) as a post-quantum interop peer: one TLS 1.3 connection
// as client or as server on 127.0.0.1, then exit. Node 26 runs this file directly (type stripping), so it
// uses only erasable TypeScript and imports nothing from the repository.
// Input: one JSON argument (PeerOptions). Output on stdout, one JSON object per line: 'listening' (server),
// 'keylog' (each NSS key-log line), 'secure' (what was negotiated), 'data' (the reply, client), 'error'.
// OpenSSL's own handshake trace (enableTrace) goes to stderr: it names the group of every ServerHello and
// HelloRetryRequest, which node:tls's API does not say on the server side.
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import * as tls from 'node:tls';

interface PeerOptions {
  role: 'client' | 'server';
  /** OpenSSL group list (node:tls `ecdhCurve`), e.g. 'X25519MLKEM768:X25519'; OpenSSL's defaults without it. */
  groups?: string;
  certFile?: string;
  keyFile?: string;
  caFile?: string;
  /** OpenSSL's signature algorithm list (node:tls `sigalgs`), e.g. 'ed25519:ecdsa_secp256r1_sha256'. */
  sigalgs?: string;
  /** Server: ask for a client certificate, and refuse a client without one that `caFile` vouches for. */
  requestCert?: boolean;
  /** Client: the port to connect to; the text to send. */
  port?: number;
  servername?: string;
  send?: string;
  /**
   * Server: serve connection after connection, untraced, a failed handshake reported and not fatal (the
   * differential tests' peer, test/conformance/differential-harness.ts).
   */
  keepServing?: boolean;
  /**
   * Client: a connection to each port read from stdin (one a line), untraced, a failed handshake closing that
   * connection only (the client-side differential tests' peer, test/conformance/client-differential-harness.ts).
   */
  keepConnecting?: boolean;
}

const options = JSON.parse(process.argv[2] ?? '{}') as PeerOptions;
const say = (event: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(event)}\n`);
const fail = (error: Error) => {
  say({ event: 'error', message: error.message });
  process.exit(1);
};
const tlsOptions = {
  minVersion: 'TLSv1.3' as const,
  enableTrace: !options.keepServing && !options.keepConnecting,
  ...(options.groups ? { ecdhCurve: options.groups } : {}),
  ...(options.sigalgs ? { sigalgs: options.sigalgs } : {}),
  ...(options.certFile ? { cert: readFileSync(options.certFile) } : {}),
  ...(options.keyFile ? { key: readFileSync(options.keyFile) } : {}),
  ...(options.caFile ? { ca: readFileSync(options.caFile) } : {}),
  ...(options.requestCert ? { requestCert: true, rejectUnauthorized: true } : {}),
};

function secure(socket: tls.TLSSocket): void {
  say({
    event: 'secure',
    protocol: socket.getProtocol(),
    cipher: socket.getCipher().standardName,
    // Client side only: OpenSSL tells the server nothing here (the trace on stderr does).
    ephemeral: socket.getEphemeralKeyInfo(),
    // The key type of the certificate the other side authenticated with (e.g. 'ml-dsa-65'), if it sent one.
    peerKeyType: socket.getPeerX509Certificate()?.publicKey.asymmetricKeyType ?? null,
    authorized: socket.authorized,
  });
}

if (options.role === 'server') {
  const server = tls.createServer(tlsOptions, (socket) => {
    secure(socket);
    socket.once('data', (chunk: Buffer) => socket.end(`pong: ${chunk.toString('utf8')}`));
    socket.on('error', options.keepServing ? () => socket.destroy() : fail);
    if (!options.keepServing) socket.on('close', () => server.close());
  });
  server.on('keylog', (line: Buffer) => say({ event: 'keylog', line: line.toString('latin1').trim() }));
  server.on('tlsClientError', options.keepServing ? (error: Error) => say({ event: 'tlsClientError', message: error.message }) : fail);
  server.listen(0, '127.0.0.1', () => say({ event: 'listening', port: (server.address() as { port: number }).port }));
} else if (options.keepConnecting) {
  createInterface({ input: process.stdin }).on('line', (port) => {
    const socket = tls.connect({ ...tlsOptions, host: '127.0.0.1', port: Number(port), servername: options.servername ?? 'localhost' });
    socket.on('error', () => socket.destroy());
  });
  say({ event: 'ready' });
} else {
  const socket = tls.connect({ ...tlsOptions, host: '127.0.0.1', port: options.port ?? 0, servername: options.servername ?? 'localhost' }, () => {
    secure(socket);
    socket.write(options.send ?? 'ping');
  });
  socket.on('keylog', (line: Buffer) => say({ event: 'keylog', line: line.toString('latin1').trim() }));
  let reply = '';
  socket.on('data', (chunk: Buffer) => (reply += chunk.toString('utf8')));
  socket.on('end', () => say({ event: 'data', text: reply }));
  socket.on('error', fail);
}
