// Memory an idle TLS server connection over loopback TCP keeps: tls13-lab/node's Tls13Server (node provider,
// two tickets, as `tls13 serve`) against node:tls's tls.Server, with the same Ed25519 certificate. node:tls
// clients in a child process (so their memory is not counted) open N connections and hold them; the server
// process reads its V8 heap + ArrayBuffer backing stores after two forced collections, before and with all
// N open. node:tls's OpenSSL objects live in malloc'd memory this does not see: its number is the JavaScript
// side only.
// usage: node --expose-gc dist/scripts/bench/idle-sockets.js [--connections N]
import { fork } from 'node:child_process';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { loadavg } from 'node:os';
import * as tls from 'node:tls';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { nodeCryptoProvider } from '../../src/node/crypto.js';
import { createServer } from '../../src/node/adapter.js';
import { makeCases, nodeCredentials, SERVER_NAME } from './cases.js';
import { runMain, withDeadline } from './deadline.js';
import { garbageCollector } from './memory.js';

/** The child: opens `count` node:tls connections to `port` trusting `cert`, says so, holds them until told to stop. */
function holdClients(port: number, count: number, cert: string): void {
  const sockets: tls.TLSSocket[] = [];
  let secure = 0;
  for (let i = 0; i < count; i++) {
    const socket = tls.connect({ host: '127.0.0.1', port, ca: cert, servername: SERVER_NAME, minVersion: 'TLSv1.3' }, () => ++secure === count && process.send!('held'));
    socket.on('error', (e) => process.send!(`error: ${e.message}`));
    sockets.push(socket);
  }
  process.once('message', () => process.exit(0));
}

/** Bytes retained per idle server connection of `server`, `count` connections at once. */
async function retainedPerConnection(server: tls.Server | ReturnType<typeof createServer>, count: number, cert: string): Promise<number> {
  const gc = garbageCollector();
  const held: unknown[] = [];
  server.on('secureConnection', (socket: { on(event: 'data', listener: () => void): void }) => {
    held.push(socket);
    socket.on('data', () => {});
  });
  server.listen(0, '127.0.0.1');
  await withDeadline(once(server, 'listening'), 'idle sockets: a server listening');
  const port = (server.address() as AddressInfo).port;
  const retained = () => {
    gc();
    gc();
    const m = process.memoryUsage();
    return m.heapUsed + m.arrayBuffers;
  };
  let perConnection = 0;
  // A small batch first: code compiled and caches filled before the counted batch.
  for (const batch of [Math.min(50, count), count]) {
    held.length = 0;
    const before = retained();
    const child = fork(fileURLToPath(import.meta.url), ['--hold', String(port), String(batch), cert]);
    const [message] = (await withDeadline(once(child, 'message'), `idle sockets: ${batch} clients connecting`)) as [string];
    if (message !== 'held') throw new Error(`idle sockets: ${message}`);
    await withDeadline(
      (async () => {
        while (held.length < batch) await new Promise((resolve) => setTimeout(resolve, 10));
      })(),
      `idle sockets: ${batch} server connections secure`,
    );
    perConnection = (retained() - before) / batch;
    child.send('stop');
    await withDeadline(once(child, 'exit'), 'idle sockets: the clients exiting');
  }
  server.close();
  return perConnection;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { connections: { type: 'string', default: '500' } } });
  const count = Number(values.connections);
  if (!(Number.isInteger(count) && count > 0)) {
    console.error('usage: node --expose-gc dist/scripts/bench/idle-sockets.js [--connections N]');
    process.exitCode = 2;
    return;
  }
  const c = makeCases().find((x) => x.name === 'ed25519 pinned')!;
  const { cert, key } = nodeCredentials(c.serverIdentity);
  const ours = await retainedPerConnection(createServer({ certificate: c.serverIdentity, provider: nodeCryptoProvider, allowHalfOpen: true, noDelay: true }), count, cert);
  const node = await retainedPerConnection(tls.createServer({ cert, key, minVersion: 'TLSv1.3' }), count, cert);
  const kib = (bytes: number) => `${(bytes / 1024).toFixed(2)} KiB`;
  console.log(`${count} idle server connections over loopback TCP, heap + array buffers each (load ${loadavg()[0]!.toFixed(2)}):`);
  console.log(`  tls13-lab/node Tls13Server: ${kib(ours)}; node:tls tls.Server (JavaScript side only): ${kib(node)}`);
}

if (process.argv[2] === '--hold') holdClients(Number(process.argv[3]), Number(process.argv[4]), process.argv[5]!);
else await runMain(main);
