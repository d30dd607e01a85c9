// The node provider's own ML-KEM, which only a Node with OpenSSL 3.5 has (24.7+; Node 20 uses noble's and is
// covered by crypto-provider.test.ts): run under the pinned Node 26 of test/peers/node26 on the built dist/,
// every group's key pair equals noble's from the same seed, and each side decapsulates what the other
// encapsulated. Skips loudly without that binary; REQUIRE_INTEROP=1 makes its absence a failure.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt } from '../cli/helpers.js';
import { NODE26, requireNode26 } from '../interop/node26-peer.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const GROUPS = ['x25519', 'x448', 'secp521r1', 'ffdhe2048', 'X25519MLKEM768', 'SecP256r1MLKEM768', 'SecP384r1MLKEM1024', 'MLKEM768', 'MLKEM1024'];

const SCRIPT = `
const root = ${JSON.stringify(root)};
const { nodeCryptoProvider: node, NODE_PROVIDER_ML_KEM } = await import(root + 'dist/src/node/crypto.js');
const { nobleProvider: noble } = await import(root + 'dist/src/crypto/noble.js');
const { seededRandom } = await import(root + 'dist/src/crypto/random.js');
const equal = (a, b) => a !== null && b !== null && Buffer.from(a).equals(Buffer.from(b));
const rows = ${JSON.stringify(GROUPS)}.map((group) => {
  const [ours, theirs] = [node.keyExchange(group), noble.keyExchange(group)];
  const client = ours.generate(seededRandom('client ' + group));
  const nobleClient = theirs.generate(seededRandom('client ' + group));
  const toNode = theirs.encapsulate(client.share, seededRandom('server ' + group));
  const fromNode = ours.encapsulate(nobleClient.share, seededRandom('server ' + group));
  return {
    group,
    sameShare: equal(client.share, nobleClient.share),
    nodeDecapsulates: equal(ours.decapsulate(client.privateKey, toNode.share), toNode.sharedSecret),
    nobleDecapsulates: equal(theirs.decapsulate(nobleClient.privateKey, fromNode.share), fromNode.sharedSecret),
  };
});
// Every private value drawn (ML-KEM seeds, X25519 and X448 keys), searched for in the ArrayBuffer behind a small
// Buffer of the application's: Node's shared pool (test/security/node-pool-secrets for Node 20).
const pool = () => Buffer.from(Buffer.from('the application’s own text').buffer);
const secretsInPool = ${JSON.stringify(GROUPS)}.flatMap((group) => {
  const exchange = node.keyExchange(group);
  const drawn = [];
  const recording = (length) => { const bytes = seededRandom('pool ' + group + drawn.length)(length); drawn.push(bytes.slice()); return bytes; };
  const client = exchange.generate(recording);
  exchange.encapsulate(client.share, seededRandom('server ' + group));
  return drawn.filter((d) => pool().indexOf(Buffer.from(d.buffer, d.byteOffset, d.byteLength)) >= 0).map((d) => group + ' ' + d.length);
});
console.log(JSON.stringify({ mlKem: NODE_PROVIDER_ML_KEM, version: process.version, rows, secretsInPool }));
`;

describe('the node provider on Node 26 (OpenSSL 3.5)', () => {
  beforeAll(() => {
    if (existsSync(NODE26)) ensureBuilt();
  });

  it("runs node:crypto's ML-KEM, interchangeable with noble's in every group", (test) => {
    const node26 = requireNode26(test);
    const report = JSON.parse(execFileSync(node26, ['--input-type=module', '-e', SCRIPT], { encoding: 'utf8', timeout: 60_000 })) as {
      mlKem: string;
      version: string;
      rows: { group: string; sameShare: boolean; nodeDecapsulates: boolean; nobleDecapsulates: boolean }[];
      secretsInPool: string[];
    };
    expect(report.version).toMatch(/^v26\./);
    expect(report.mlKem).toBe('node:crypto');
    expect(report.rows).toEqual(GROUPS.map((group) => ({ group, sameShare: true, nodeDecapsulates: true, nobleDecapsulates: true })));
    // The client's drawn private value never passed through Node's shared Buffer pool (an ML-KEM seed did).
    expect(report.secretsInPool).toEqual([]);
  });
});
