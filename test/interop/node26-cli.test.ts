// The real `tls13` command (node bin/tls13.js, as `npx tls13` runs it) with defaults against node:tls under
// Node 26 (OpenSSL 3.5) with its defaults: both ends negotiate X25519MLKEM768, and their key logs are equal.
// `connect --trace text` shows the hybrid key share annotated field by field.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type BoundedChild, scratchDirectory, spawnBounded } from '../../src/testing/interop.js';
import { NamedGroup } from '../../src/wire/enums.js';
import { ensureBuilt, TLS13_BIN } from '../cli/helpers.js';
import { node26Client, node26Server, peerFiles, requireNode26, type Node26Peer } from './node26-peer.js';

const scratch = scratchDirectory('tls13-lab-node26-cli-');
afterAll(scratch.remove);
const { caFile, certFile, keyFile } = peerFiles(scratch);

const running: Array<BoundedChild | Node26Peer['child']> = [];
afterEach(() => {
  for (const child of running.splice(0)) child.kill();
});
beforeAll(ensureBuilt);

function tls13(args: string[]): BoundedChild {
  const child = spawnBounded(process.execPath, [TLS13_BIN, ...args], { timeoutMs: 20_000, env: { ...process.env, SSLKEYLOGFILE: '' } });
  running.push(child);
  return child;
}

const keylogLines = (text: string) => text.split('\n').filter((line) => line && !line.startsWith('#')).sort();

describe('tls13 and node:tls 26, both with their defaults', () => {
  it('tls13 connect negotiates X25519MLKEM768 with a node:tls 26 server, annotates the hybrid share, and the key logs are equal', async (test) => {
    const node = requireNode26(test);
    const server = await node26Server(node, { certFile, keyFile });
    running.push(server.child);
    const keylogFile = join(scratch.dir, 'connect.keylog');
    const client = tls13(['connect', `127.0.0.1:${server.port}`, '--ca', caFile, '--keylog', keylogFile, '--send', 'ping', '--trace', 'text']);

    expect(await client.exited).toBe(0);
    expect(client.stdout()).toContain('group X25519MLKEM768');
    expect(client.stdout()).toContain('pong: ping');
    expect(client.stdout()).toMatch(/ML-KEM-768 encapsulation key/);
    expect(client.stdout()).toMatch(/ML-KEM-768 ciphertext/);
    await server.child.exited;
    expect(server.serverHellos()).toEqual([{ retry: false, group: NamedGroup.X25519MLKEM768 }]);
    expect(keylogLines(readFileSync(keylogFile, 'latin1'))).toEqual(server.keylog().sort());
  });

  it('a node:tls 26 client negotiates X25519MLKEM768 with tls13 serve, and the key logs are equal', async (test) => {
    const node = requireNode26(test);
    const keylogFile = join(scratch.dir, 'serve.keylog');
    const server = tls13(['serve', '--port', '0', '--cert', certFile, '--key', keyFile, '--keylog', keylogFile]);
    await server.waitFor(/listening on 127\.0\.0\.1:\d+/);
    const port = Number(/listening on 127\.0\.0\.1:(\d+)/.exec(server.stdout())![1]);
    const client = node26Client(node, port, { caFile, send: 'GET / HTTP/1.0\r\nHost: localhost\r\n\r\n' });
    running.push(client.child);

    await client.child.exited;
    expect(client.secure()?.ephemeral?.name).toBe('X25519MLKEM768');
    expect(client.serverHellos()).toEqual([{ retry: false, group: NamedGroup.X25519MLKEM768 }]);
    expect(client.events().find((e) => e.event === 'data')?.text).toMatch(/^HTTP\/1\.1 200 OK/);
    await server.waitFor(/group X25519MLKEM768/);
    expect(keylogLines(readFileSync(keylogFile, 'latin1'))).toEqual(client.keylog().sort());
  });
});
