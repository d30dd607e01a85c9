// Attacker: clients that stall `tls13 serve` mid-handshake (part of a ClientHello; a ClientHello and then
// silence) and after it (a connected client that sends half a request head and goes silent). serve takes the
// adapter's default handshakeTimeout (10 s) and its own deadline for a request head (30 s, serve.ts
// IDLE_TIMEOUT_MS); an honest client must be served meanwhile, each stalled handshake must be closed by the
// server and logged as one line. Waits for events, not for a time: the closes come when the server's timers
// fire, however slow the machine.
import * as net from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCertifiedKey } from '../../src/cli/credentials.js';
import { Connection } from '../../src/handshake/connection.js';
import { DEFAULT_HANDSHAKE_TIMEOUT_MS } from '../../src/node/adapter.js';
import { runCli, startServe } from '../cli/helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'tls13-serve-stalls-'));
const file = (name: string) => join(dir, name);
let pin: Uint8Array;
beforeAll(async () => {
  await runCli(['cert', '--out-cert', file('server.pem'), '--out-key', file('server.key'), '--type', 'p256', '--dns', 'localhost']);
  pin = loadCertifiedKey('--cert', file('server.pem'), '--key', file('server.key')).chain[0]!;
}, 30_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const client = () => Connection.client({ serverName: 'localhost', trust: { kind: 'pinned-certificate', certificates: [pin] }, now: Date.now });

/** A raw TCP client that sends `bytes` and then nothing; resolves when the server closes the connection. */
function staller(port: number, bytes: Uint8Array): Promise<void> {
  const socket = net.connect(port, '127.0.0.1');
  socket.on('error', () => {});
  socket.write(bytes);
  socket.resume();
  // Not events.once: it rejects on the 'error' (a reset) that may come before 'close'.
  return new Promise<void>((resolve) => socket.once('close', () => resolve()));
}

/** An honest client's whole exchange over TCP: the reply it read. */
async function honestRequest(port: number): Promise<string> {
  const tls = client();
  const socket = net.connect(port, '127.0.0.1');
  let reply = '';
  socket.on('data', (bytes: Buffer) => {
    tls.receive(new Uint8Array(bytes));
    for (const e of tls.takeEvents()) {
      if (e.type === 'connected') tls.write(new TextEncoder().encode('GET / HTTP/1.1\r\n\r\n'));
      if (e.type === 'data') reply += Buffer.from(e.data).toString('utf8');
    }
    socket.write(tls.takeOutput());
  });
  socket.on('error', () => {});
  socket.write(tls.takeOutput());
  await new Promise<void>((resolve) => socket.once('close', () => resolve()));
  return reply;
}

describe('tls13 serve under stalled clients', () => {
  it(`20 stalled handshakes: an honest client is served, and each staller is closed by the server (handshake timeout ${DEFAULT_HANDSHAKE_TIMEOUT_MS / 1000} s) and logged once`, async () => {
    const serve = await startServe(['--cert', file('server.pem'), '--key', file('server.key')]);
    try {
      const stalls = Array.from({ length: 20 }, (_, i) => staller(serve.port, i % 2 === 0 ? Uint8Array.of(22, 3, 1, 2, 0, 1, 0, 1, 252) : client().takeOutput()));
      let closed = 0;
      for (const s of stalls) void s.then(() => closed++);
      expect(await honestRequest(serve.port)).toMatch(/^HTTP\/1.1 200 OK/);
      // Served while every staller still held its connection.
      expect(closed).toBe(0);
      await Promise.all(stalls);
      const lines = serve.stderr.text.split('\n').filter((l) => l.includes('handshake failed'));
      expect(lines).toHaveLength(20);
      for (const line of lines) expect(line).toMatch(new RegExp(`handshake failed: TLS handshake timed out after ${DEFAULT_HANDSHAKE_TIMEOUT_MS} ms \\(state (START|WAIT_[A-Z0-9_]+)\\)$`));
    } finally {
      await serve.stop();
    }
  }, 60_000);
});
