// The node:tls reference of the serve-load row, run as its own process: a node:https server (TLS 1.3 only,
// its SecureContext made once by the server) answering every request with a short text page naming the
// negotiated protocol and cipher, as `tls13 serve` answers with its status page.
// usage: node dist/scripts/bench/node-https-server.js PORT CERT.pem KEY.pem
import { readFileSync } from 'node:fs';
import * as https from 'node:https';
import type { TLSSocket } from 'node:tls';

const [port, certFile, keyFile] = process.argv.slice(2);
if (!port || !certFile || !keyFile) {
  console.error('usage: node-https-server.js PORT CERT.pem KEY.pem');
  process.exit(2);
}

const server = https.createServer({ cert: readFileSync(certFile), key: readFileSync(keyFile), minVersion: 'TLSv1.3' }, (request, response) => {
  const socket = request.socket as TLSSocket;
  const body = `node:https: TLS connection established\n\nversion: ${socket.getProtocol()}\ncipher suite: ${socket.getCipher().standardName}\npath: ${request.url}\n`;
  response.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
  response.end(body);
});
server.listen(Number(port), '127.0.0.1', () => console.log(`listening on 127.0.0.1:${port}`));
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => server.close(() => process.exit(0)));
