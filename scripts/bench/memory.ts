// Retained memory per established, idle connection: open many connected pairs at once, collect garbage,
// and compare process.memoryUsage() before, with all of them open, and with only the servers left.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { CryptoProvider, RandomSource } from '../../src/crypto/provider.js';
import type { Connection } from '../../src/handshake/connection.js';
import { engineConfigs, type HandshakeCase } from './cases.js';
import { connectedPair } from './engine.js';

export interface Retained {
  /** V8 heap (process.memoryUsage().heapUsed) per connection, in bytes. */
  heapBytes: number;
  /** Backing stores of ArrayBuffers outside the V8 heap (memoryUsage().arrayBuffers) per connection. */
  arrayBufferBytes: number;
}

export interface MemoryReport {
  connections: number;
  provider: string;
  case: string;
  client: Retained;
  server: Retained;
}

/** global.gc under `node --expose-gc`; otherwise the same function, exposed at run time. */
export function garbageCollector(): () => void {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (exposed) return exposed;
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

function settledUsage(gc: () => void): NodeJS.MemoryUsage {
  // Twice: the first collection can leave objects that only the second finds unreachable (weak maps).
  gc();
  gc();
  return process.memoryUsage();
}

function perConnection(after: NodeJS.MemoryUsage, before: NodeJS.MemoryUsage, count: number): Retained {
  return { heapBytes: (after.heapUsed - before.heapUsed) / count, arrayBufferBytes: (after.arrayBuffers - before.arrayBuffers) / count };
}

/**
 * `count` client and `count` server connections, connected and idle. Clients and servers are told apart by
 * releasing the clients first.
 */
export function retainedPerConnection(c: HandshakeCase, provider: CryptoProvider, random: RandomSource, count: number): MemoryReport {
  const gc = garbageCollector();
  const { client, server } = engineConfigs(c, provider, random);
  const clients: Connection[] = [];
  const servers: Connection[] = [];
  const before = settledUsage(gc);
  for (let i = 0; i < count; i++) {
    const [clientSide, serverSide] = connectedPair(client, server);
    clients.push(clientSide);
    servers.push(serverSide);
  }
  const allOpen = settledUsage(gc);
  // Truncate in place: an optimized frame may still hold the array itself, never its old elements.
  clients.length = 0;
  const serversOnly = settledUsage(gc);
  const report = {
    connections: count,
    provider: provider.name,
    case: c.name,
    client: perConnection(allOpen, serversOnly, count),
    server: perConnection(serversOnly, before, count),
  };
  // Keep the servers reachable until the last measurement.
  if (servers.length !== count || clients.length !== 0) throw new Error('unexpected connection count');
  return report;
}
