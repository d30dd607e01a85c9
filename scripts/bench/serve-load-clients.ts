// The clients of the serve-load row, in a worker thread of their own (so they never share a thread with
// the bench's bookkeeping): node:tls clients, the SecureContext made once, offering only
// TLS_AES_128_GCM_SHA256 and X25519 so that every server negotiates the same. Each client opens a TCP
// connection, does a full handshake (no session resumption), sends one GET with `Connection: close`, reads
// the response until the server closes, and starts over, until the slice's time is up.
import { parentPort, workerData } from 'node:worker_threads';
import * as tls from 'node:tls';
import { performance } from 'node:perf_hooks';

export interface ClientSetup {
  /** PEM of the certificate the clients trust (the servers' self-signed certificate). */
  ca: string;
  serverName: string;
}

export interface SliceRequest {
  port: number;
  concurrency: number;
  /** Clients start no new connection after this many milliseconds; those in flight finish. */
  durationMs: number;
}

export interface SliceResult {
  /** Requests that got a response beginning with an HTTP status line. */
  completed: number;
  failed: number;
  /** The first failure's message, for the report. */
  firstError?: string;
  /** From the first connection to the last response of the slice. */
  elapsedMs: number;
}

/** A response must arrive within this time, or the request counts as failed (the slice stays bounded). */
export const REQUEST_TIMEOUT_MS = 10_000;

function request(context: tls.SecureContext, setup: ClientSetup, port: number, head: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port, secureContext: context, servername: setup.serverName });
    let statusLine = '';
    socket.setTimeout(REQUEST_TIMEOUT_MS, () => socket.destroy(new Error('timed out')));
    // The servers close after their response (`Connection: close`); the client's side then ends too.
    socket.once('secureConnect', () => socket.write(head));
    socket.on('data', (chunk: Buffer) => {
      if (statusLine.length < 8) statusLine += chunk.toString('latin1', 0, 8);
    });
    socket.once('error', reject);
    socket.once('close', () => (statusLine.startsWith('HTTP/1.') ? resolve() : reject(new Error(`no HTTP response (got ${JSON.stringify(statusLine)})`))));
  });
}

async function runSlice(context: tls.SecureContext, setup: ClientSetup, { port, concurrency, durationMs }: SliceRequest): Promise<SliceResult> {
  const head = Buffer.from(`GET / HTTP/1.1\r\nHost: ${setup.serverName}\r\nConnection: close\r\n\r\n`);
  const result: SliceResult = { completed: 0, failed: 0, elapsedMs: 0 };
  const start = performance.now();
  const client = async () => {
    while (performance.now() - start < durationMs) {
      try {
        await request(context, setup, port, head);
        result.completed++;
      } catch (e) {
        result.failed++;
        result.firstError ??= (e as Error).message;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, client));
  result.elapsedMs = performance.now() - start;
  return result;
}

if (parentPort && (workerData as { serveLoadClients?: ClientSetup } | undefined)?.serveLoadClients) {
  const setup = (workerData as { serveLoadClients: ClientSetup }).serveLoadClients;
  const context = tls.createSecureContext({ ca: setup.ca, minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3', ciphers: 'TLS_AES_128_GCM_SHA256', ecdhCurve: 'X25519' });
  const port = parentPort;
  port.on('message', (slice: SliceRequest) => {
    void runSlice(context, setup, slice).then((result) => port.postMessage(result));
  });
}
