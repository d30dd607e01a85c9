// Attacker's view of a V8 startup snapshot (`node --build-snapshot`): the blob holds the heap as it was, and
// every process started from it begins there. systemRandom pools 4 KiB of CSPRNG output; a pool filled while
// the snapshot was built sat in the blob (anyone who reads the file reads it) and its next bytes came out
// the same in every process: the same hello random, the same key share. The node layer (src/node/snapshot.ts)
// empties the pool as the snapshot is written and again as a process starts from it.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { discardPooledRandom, systemRandom } from '../../src/crypto/random.js';

const src = fileURLToPath(new URL('../../src', import.meta.url));

describe('discardPooledRandom', () => {
  it('empties the pool: the next draw comes from the CSPRNG, not from bytes pooled before', () => {
    systemRandom(32); // the pool holds 4 KiB - 32 bytes now
    const csprng = vi.spyOn(globalThis.crypto, 'getRandomValues');
    try {
      systemRandom(32);
      expect(csprng).not.toHaveBeenCalled();
      discardPooledRandom();
      systemRandom(32);
      expect(csprng).toHaveBeenCalledTimes(1);
    } finally {
      csprng.mockRestore();
    }
  });
});

describe('a startup snapshot built by a program that drew random bytes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tls13-snapshot-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('holds none of the pooled bytes, and each process started from it draws its own', async () => {
    // The program records what the CSPRNG gave the pool (its first 32 bytes go out at once), imports the
    // node layer as 'tls13-lab/node' would, and prints 32 fresh bytes in every process started from it.
    writeFileSync(
      join(dir, 'entry.ts'),
      `import { writeFileSync } from 'node:fs';
import { startupSnapshot } from 'node:v8';
import { systemRandom } from ${JSON.stringify(join(src, 'crypto/random.ts'))};
import ${JSON.stringify(join(src, 'node/adapter.ts'))};
const fills: string[] = [];
const getRandomValues = globalThis.crypto.getRandomValues;
globalThis.crypto.getRandomValues = ((array: Uint8Array) => {
  getRandomValues.call(globalThis.crypto, array);
  fills.push(Buffer.from(array.buffer, array.byteOffset, array.byteLength).toString('hex'));
  return array;
}) as typeof getRandomValues;
systemRandom(32);
globalThis.crypto.getRandomValues = getRandomValues;
writeFileSync(${JSON.stringify(join(dir, 'pool.hex'))}, fills.join(''));
startupSnapshot.setDeserializeMainFunction(() => process.stdout.write(Buffer.from(systemRandom(32)).toString('hex')));
`,
    );
    // Node 20 builds a snapshot from one script that requires built-in modules only: bundle it.
    const { build } = await import('esbuild');
    await build({ entryPoints: [join(dir, 'entry.ts')], bundle: true, platform: 'node', format: 'cjs', outfile: join(dir, 'entry.cjs'), logLevel: 'error' });
    const blob = join(dir, 'snapshot.blob');
    const built = spawnSync(process.execPath, ['--snapshot-blob', blob, '--build-snapshot', join(dir, 'entry.cjs')], { encoding: 'utf8' });
    expect(built.stderr).toBe('');
    expect(built.status).toBe(0);

    const pool = Buffer.from(readFileSync(join(dir, 'pool.hex'), 'utf8'), 'hex');
    expect(pool.length).toBe(4096);
    const image = readFileSync(blob);
    const pooledLeft = Array.from({ length: pool.length / 32 - 1 }, (_, i) => pool.subarray(32 * (i + 1), 32 * (i + 2)));
    expect(pooledLeft.filter((bytes) => image.includes(bytes))).toEqual([]);

    const run = () => spawnSync(process.execPath, ['--snapshot-blob', blob], { encoding: 'utf8' }).stdout;
    const [first, second] = [run(), run()];
    expect(first).toMatch(/^[0-9a-f]{64}$/);
    expect(second).toMatch(/^[0-9a-f]{64}$/);
    expect(first).not.toBe(second);
    expect(first).not.toBe(pool.subarray(32, 64).toString('hex'));
  }, 60_000);
});
