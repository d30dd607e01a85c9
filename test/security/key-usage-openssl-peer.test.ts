// Attacker's question for the KeyUpdate at the usage limit (RFC 8446 §5.5, key-usage.ts): with the smallest
// budget (keyUpdateAfterRecords: 2, a KeyUpdate after every record of data) and many tiny writes, do we trip
// a peer's flood limit for KeyUpdates without application data between them (BoringSSL's and ours: 32,
// traffic.ts), or confuse a peer that reads a KeyUpdate between every byte? Against the openssl binary (OpenSSL
// 3.0) both ways, and against our own engine, which has the limit. Holds: connection.ts writeApplicationData
// sends a KeyUpdate only where data follows it in the same write.
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { MAX_KEY_UPDATES_WITHOUT_DATA } from '../../src/handshake/traffic.js';
import { seededRandom } from '../../src/crypto/random.js';
import { makeIdentity, TEST_NOW } from '../../src/testing/certs.js';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect, createServer, type Tls13Server, type Tls13Socket } from '../../src/node/adapter.js';
import type { TlsEvent } from '../../src/handshake/events.js';
import { type BoundedChild, freePort, requireBinary, scratchDirectory, spawnBounded } from '../../src/testing/interop.js';
import { ca, certPem, keyPem, listen, serverCertificates } from '../node/fixtures.js';

const scratch = scratchDirectory('tls13-lab-key-usage-');
afterAll(scratch.remove);
const identity = serverCertificates['ECDSA P-256'];
const caFile = join(scratch.dir, 'ca.pem');
const certFile = join(scratch.dir, 'cert.pem');
const keyFile = join(scratch.dir, 'key.pem');
writeFileSync(caFile, certPem(ca));
writeFileSync(certFile, certPem(identity));
writeFileSync(keyFile, keyPem(identity));

const children: BoundedChild[] = [];
const servers: Tls13Server[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill();
  for (const server of servers.splice(0)) server.close();
});
const run = (openssl: string, args: string[]) => {
  const child = spawnBounded(openssl, args, { timeoutMs: 20_000, cwd: scratch.dir });
  children.push(child);
  return child;
};

const keyUpdatesSent = (events: TlsEvent[]) => events.filter((e) => e.type === 'handshake-message' && e.direction === 'out' && e.message.kind === 'key_update').length;
const WRITES = 100;
const letter = (i: number) => String.fromCharCode(0x41 + (i % 26));
/** The letters in order; s_server prints "Read BLOCK" wherever a read ended without data (after each KeyUpdate). */
const expected = new RegExp(Array.from({ length: WRITES }, (_, i) => letter(i)).join('(?:Read BLOCK\\n)*'));

async function ourClient(port: number, keyUpdateAfterRecords?: number): Promise<{ socket: Tls13Socket; events: TlsEvent[] }> {
  const socket = connect({ host: '127.0.0.1', port, serverName: 'localhost', trust: { kind: 'ca', anchors: [ca.der] }, keyUpdateAfterRecords, traceEvents: true });
  const events: TlsEvent[] = [];
  socket.on('tlsEvent', (e: TlsEvent) => events.push(e));
  socket.on('error', () => {});
  await new Promise<void>((resolve, reject) => {
    socket.once('secureConnect', () => resolve());
    socket.once('error', reject);
  });
  return { socket, events };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 2));

describe('the smallest key budget against the openssl binary (OpenSSL 3.0)', () => {
  it(`our client, a KeyUpdate after each of ${WRITES} one-byte writes: s_server reads every byte`, async (test) => {
    const openssl = requireBinary('openssl', test);
    const port = await freePort();
    const server = run(openssl, ['s_server', '-tls1_3', '-accept', String(port), '-cert', certFile, '-key', keyFile]);
    await server.waitFor(/ACCEPT/);
    const { socket, events } = await ourClient(port, 2);
    for (let i = 0; i < WRITES; i++) {
      socket.write(letter(i));
      await tick();
    }
    socket.write('\n');
    await server.waitFor(expected);
    expect(server.stderr()).not.toMatch(/error|alert/i);
    expect(keyUpdatesSent(events)).toBeGreaterThanOrEqual(WRITES);
    socket.destroy();
  });

  it(`our server, a KeyUpdate after each of ${WRITES} one-byte writes: s_client reads every byte`, async (test) => {
    const openssl = requireBinary('openssl', test);
    const events: TlsEvent[] = [];
    const server = createServer({ certificate: identity, keyUpdateAfterRecords: 2, traceEvents: true }, async (socket) => {
      socket.on('error', () => {});
      socket.on('tlsEvent', (e: TlsEvent) => events.push(e));
      for (let i = 0; i < WRITES; i++) {
        socket.write(letter(i));
        await tick();
      }
      socket.write('\n');
    });
    servers.push(server);
    const port = await listen(server);
    const client = run(openssl, ['s_client', '-tls1_3', '-connect', `127.0.0.1:${port}`, '-servername', 'localhost', '-CAfile', caFile, '-verify_return_error', '-ign_eof']);
    await client.waitFor(expected);
    expect(client.stderr() + client.stdout()).not.toMatch(/:error:|alert/i);
    expect(keyUpdatesSent(events)).toBeGreaterThanOrEqual(WRITES - 1);
  });
});

describe('the smallest key budget against our own engine (MAX_KEY_UPDATES_WITHOUT_DATA)', () => {
  it(`${WRITES} one-byte writes, each pair of them a KeyUpdate apart, all taken in one read: every byte arrives, no alert`, () => {
    const server = makeIdentity({ subject: { CN: 'server' } }, seededRandom('usage-storm-cert'));
    const pair = new InMemoryPair(
      { trust: { kind: 'pinned-certificate', certificates: [server.der] }, now: () => TEST_NOW, random: seededRandom('usage-storm-c'), keyUpdateAfterRecords: 2 },
      { certificate: server, random: seededRandom('usage-storm-s'), tickets: { count: 0 } },
    ).run();
    for (let i = 0; i < WRITES; i++) pair.client.write(Uint8Array.of(0x41 + (i % 26)));
    pair.run();
    const events = pair.events('server');
    const updates = events.filter((e) => e.type === 'handshake-message' && e.direction === 'in' && e.message.kind === 'key_update').length;
    expect(updates).toBeGreaterThan(MAX_KEY_UPDATES_WITHOUT_DATA);
    expect(events.filter((e) => e.type === 'alert' || (e.type === 'closed' && e.error))).toEqual([]);
    const data = events.flatMap((e) => (e.type === 'data' ? [...e.data] : []));
    expect(String.fromCharCode(...data)).toBe(Array.from({ length: WRITES }, (_, i) => letter(i)).join(''));
  });

  it('a peer that sets record_size_limit 64 (RFC 8449) with a padding policy: 4000 bytes in 64 keys of one 63-byte record each, all arrive', () => {
    const server = makeIdentity({ subject: { CN: 'server' } }, seededRandom('usage-tiny-cert'));
    const pair = new InMemoryPair(
      { trust: { kind: 'pinned-certificate', certificates: [server.der] }, now: () => TEST_NOW, random: seededRandom('usage-tiny-c'), keyUpdateAfterRecords: 2, recordPadding: () => 1000, clientHello: { recordSizeLimit: 2 ** 14 + 1 } },
      { certificate: server, random: seededRandom('usage-tiny-s'), tickets: { count: 0 }, recordSizeLimit: 64 },
    ).run();
    const data = new Uint8Array(4000).map((_, i) => i);
    pair.client.write(data);
    pair.run();
    const events = pair.events('server');
    const updates = events.filter((e) => e.type === 'handshake-message' && e.direction === 'in' && e.message.kind === 'key_update').length;
    expect(updates).toBe(Math.ceil(4000 / 63) - 1);
    expect(events.filter((e) => e.type === 'alert' || (e.type === 'closed' && e.error))).toEqual([]);
    expect(Buffer.concat(events.flatMap((e) => (e.type === 'data' ? [e.data] : []))).equals(Buffer.from(data))).toBe(true);
  });
});
