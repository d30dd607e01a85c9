// Red team, session 18 (issue 16: the TCP adapter batches writes, reuses record memory, churns fewer Buffers).
// Attacker's script at the node adapter's surface, over real loopback TCP (the path where records are sealed into
// the shared record pool and handed to the kernel): an application that keeps every 'data' chunk it is given
// without copying it, and writes back the very Buffer it received (an echo, a proxy), while two connections of
// different suites run at once and key updates happen in between. Every chunk either side keeps must still hold
// what was sent when the exchange is over: a chunk that is a view of memory the adapter or the engine writes again
// (a reused read or decrypt buffer, a pool slot handed back while a chunk still points into it, a batch buffer
// assembled in place) would show other bytes, another connection's, or ciphertext.
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { connect, createServer, type Tls13Socket } from '../../src/node/adapter.js';
import { CipherSuite } from '../../src/wire/enums.js';
import { ca, listen, serverCertificates } from '../node/fixtures.js';

const cleanups: Array<() => void> = [];
afterEach(() => cleanups.splice(0).forEach((cleanup) => cleanup()));

/** Our server: keeps each chunk as given and writes that same Buffer back; updates its keys every 8 chunks. */
async function keepingEchoServer(kept: Buffer[][]): Promise<number> {
  const server = createServer({ certificate: serverCertificates.Ed25519, tickets: { count: 0 } }, (socket: Tls13Socket) => {
    socket.on('error', () => {});
    const mine: Buffer[] = [];
    kept.push(mine);
    let chunks = 0;
    socket.on('data', (chunk: Buffer) => {
      mine.push(chunk);
      socket.write(chunk);
      if (++chunks % 8 === 0) socket.updateKeys(true);
    });
    socket.on('end', () => socket.end());
  });
  cleanups.push(() => server.close());
  return listen(server);
}

/** One client of `suite`: writes `sent` in turn, keeps every chunk it reads, until the server ends. */
async function exchange(port: number, suite: number, sent: Buffer[]): Promise<Buffer[]> {
  const client = connect({ host: '127.0.0.1', port, serverName: 'localhost', trust: { kind: 'ca', anchors: [ca.der] }, cipherSuites: [suite] });
  cleanups.push(() => client.destroy());
  const kept: Buffer[] = [];
  client.on('data', (chunk: Buffer) => kept.push(chunk));
  // A connection that fails (a record the peer cannot open) ends the wait at once, with its reason.
  let ended = false;
  client.on('end', () => (ended = true));
  const failed = new Promise<never>((_, reject) => {
    client.on('error', reject);
    client.on('close', () => ended || reject(new Error(`the connection closed before its end (${kept.length} chunks read)`)));
  });
  failed.catch(() => {}); // settled by the race below; a rejection after the end is nobody's
  const until = (event: string) => Promise.race([once(client, event), failed]);
  await until('secureConnect');
  for (const [i, chunk] of sent.entries()) {
    if (!client.write(chunk)) await until('drain');
    if (i % 5 === 0) client.updateKeys(i % 10 === 0);
    // A turn of the event loop now and then, so that reads and writes interleave with the other connection's.
    if (i % 3 === 0) await new Promise((resolve) => setImmediate(resolve));
  }
  client.end();
  await until('end');
  return kept;
}

/** Where two byte strings first differ (-1: equal). */
function firstDifference(a: Buffer, b: Buffer): number {
  if (a.equals(b)) return -1;
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return i;
  return Math.min(a.length, b.length);
}

describe('chunks an application keeps, over TCP, two connections at once', () => {
  it('hold what was sent, on both sides, after every record of both connections was read and written', async () => {
    const serverKept: Buffer[][] = [];
    const port = await keepingEchoServer(serverKept);
    // Sizes around a record (2^14), below the pool's smallest slot user and well above one record.
    const sizes = [1, 100, 2 ** 14 - 1, 2 ** 14, 2 ** 14 + 1, 8200, 40_000, 3, 2 ** 15, 600];
    const sent = [CipherSuite.TLS_AES_128_GCM_SHA256, CipherSuite.TLS_CHACHA20_POLY1305_SHA256].map(() => Array.from({ length: 40 }, (_, i) => randomBytes(sizes[i % sizes.length]!)));
    const [first, second] = await Promise.all([exchange(port, CipherSuite.TLS_AES_128_GCM_SHA256, sent[0]!), exchange(port, CipherSuite.TLS_CHACHA20_POLY1305_SHA256, sent[1]!)]);
    expect(firstDifference(Buffer.concat(first!), Buffer.concat(sent[0]!))).toBe(-1);
    expect(firstDifference(Buffer.concat(second!), Buffer.concat(sent[1]!))).toBe(-1);
    // The server's connections, in the order it accepted them: each kept exactly one client's bytes.
    const serverStreams = serverKept.map((chunks) => Buffer.concat(chunks));
    expect(serverStreams).toHaveLength(2);
    const sentStreams = sent.map((chunks) => Buffer.concat(chunks));
    const order = serverStreams[0]!.equals(sentStreams[0]!) ? [0, 1] : [1, 0];
    serverStreams.forEach((stream, n) => expect(firstDifference(stream, sentStreams[order[n]!]!)).toBe(-1));
  });
});
