// The key-share attacks of key-share-attacks.test.ts against the node provider where its ML-KEM is OpenSSL's
// (Node 24.7+, here the pinned Node 26 of test/peers/node26, on the built dist/): under Node 20 both providers
// run noble's ML-KEM, so nothing else attacks node:crypto's. OpenSSL 3.5 refuses an encapsulation key with a
// coefficient >= q ("Invalid key data") and a ciphertext of the wrong length ("Decapsulation failed") by
// throwing, which the engine would answer with internal_error; the checks in front of it (mlkem.ts: FIPS 203
// §7.2, draft-ietf-tls-mlkem §4) must give illegal_parameter, as under noble (draft-ietf-tls-ecdhe-mlkem §3).
// Each row is one rewritten share, at the server (the client's share) or at the client (the server's); both
// providers must put the same single plaintext alert on the wire and close. Skips loudly without Node 26.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt } from '../cli/helpers.js';
import { NODE26, requireNode26 } from '../interop/node26-peer.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** [victim, group, what is rewritten, edit]: `edit` is a JS expression of the share `k` (see SCRIPT). */
const ATTACKS: Array<[string, string, string, string]> = [
  ['server', 'MLKEM768', 'the first coefficient 4095', 'coefficient(k, 0, 0)'],
  ['server', 'MLKEM1024', 'the last coefficient 4095', 'coefficient(k, 0, 1023)'],
  ['server', 'X25519MLKEM768', 'an odd ML-KEM coefficient 3329 (ML-KEM first)', 'coefficient(k, 0, 1, 3329)'],
  ['server', 'SecP256r1MLKEM768', 'the last ML-KEM coefficient 4095 (after the 65-byte point)', 'coefficient(k, 65, 767)'],
  ['server', 'SecP384r1MLKEM1024', 'the first ML-KEM coefficient 4095 (after the 97-byte point)', 'coefficient(k, 97, 0)'],
  ['server', 'X25519MLKEM768', 'one byte short', 'k.subarray(0, k.length - 1)'],
  ['server', 'X25519MLKEM768', 'one byte long', 'concat(k, [0])'],
  ['server', 'X25519MLKEM768', 'the X25519 half u = 0 (all-zero secret)', 'zeroFrom(k, 1184)'],
  ['server', 'SecP256r1MLKEM768', 'the P-256 half off the curve', 'flip(k, 64)'],
  ['client', 'MLKEM768', 'a ciphertext one byte short', 'k.subarray(0, k.length - 1)'],
  ['client', 'X25519MLKEM768', 'a ciphertext one byte long', 'concat(k, [0])'],
  ['client', 'X25519MLKEM768', 'the X25519 half u = 0 (all-zero secret)', 'zeroFrom(k, 1088)'],
  ['client', 'SecP384r1MLKEM1024', 'the P-384 half off the curve', 'flip(k, 96)'],
];

/** The untouched share, at each side: the control that shows a handshake goes on. */
const CONTROLS: Array<[string, string, string, string]> = [
  ['server', 'X25519MLKEM768', 'nothing', 'k'],
  ['client', 'SecP256r1MLKEM768', 'nothing', 'k'],
];

const SCRIPT = (rows: typeof ATTACKS) => `
const src = ${JSON.stringify(`${root}dist/src/`)};
const { nodeCryptoProvider, NODE_PROVIDER_ML_KEM } = await import(src + 'node/crypto.js');
const { nobleProvider } = await import(src + 'crypto/noble.js');
const { seededRandom } = await import(src + 'crypto/random.js');
const { Connection } = await import(src + 'handshake/connection.js');
const { makeIdentity, TEST_NOW } = await import(src + 'testing/certs.js');
const { editPlaintextHandshake, editServerHello } = await import(src + 'testing/tamper.js');
const X = await import(src + 'wire/extensions.js');
const { ExtensionType, NamedGroup } = await import(src + 'wire/enums.js');
const concat = (k, tail) => Uint8Array.from([...k, ...tail]);
const flip = (k, at) => { const o = k.slice(); o[at] ^= 1; return o; };
const zeroFrom = (k, at) => { const o = k.slice(); o.fill(0, at); return o; };
// Coefficient i of the encapsulation key at 'offset' set to c (12 bits little-endian, FIPS 203 Algorithm 5).
const coefficient = (k, offset, i, c = 4095) => {
  const o = k.slice(), b = offset + Math.floor(i / 2) * 3;
  if (i % 2 === 0) { o[b] = c & 0xff; o[b + 1] = (o[b + 1] & 0xf0) | (c >> 8); } else { o[b + 1] = (o[b + 1] & 0x0f) | ((c & 0x0f) << 4); o[b + 2] = c >> 4; }
  return o;
};
const identity = makeIdentity({ subject: { CN: 'native ML-KEM' } }, seededRandom('native ML-KEM'));
const config = (group, provider) => ({ now: () => TEST_NOW, groups: [group], provider });
const client = (group, provider) => Connection.client({ ...config(group, provider), trust: { kind: 'pinned-certificate', certificates: [identity.der] }, keyShareGroups: [group], random: seededRandom('client') });
const server = (group, provider) => Connection.server({ ...config(group, provider), certificate: identity, random: seededRandom('server') });
const editOf = (edit) => {
  const f = new Function('k', 'concat', 'flip', 'zeroFrom', 'coefficient', 'return ' + edit);
  return (k) => f(k, concat, flip, zeroFrom, coefficient);
};
const rewrite = (share, edit) => share.map((s) => ({ group: s.group, keyExchange: edit(s.keyExchange) }));
function atServer(group, provider, edit) {
  const flight = editPlaintextHandshake(client(group, provider).takeOutput(), (ms) => ms.map((m) => m.kind !== 'client_hello' ? m : { ...m,
    extensions: m.extensions.map((e) => e.type !== ExtensionType.key_share ? e : X.ext(e.type, X.keyShareClientHello.encode(rewrite(X.keyShareClientHello.parse(e.data), edit)))) }));
  const victim = server(group, provider);
  victim.receive(flight);
  return victim;
}
function atClient(group, provider, edit) {
  const victim = client(group, provider);
  const peer = server(group, provider);
  peer.receive(victim.takeOutput());
  victim.takeEvents();
  victim.receive(editServerHello(peer.takeOutput(), (sh) => ({ ...sh, extensions: sh.extensions.map((e) => e.type !== ExtensionType.key_share ? e
    : X.ext(e.type, X.keyShareServerHello.encode(rewrite([X.keyShareServerHello.parse(e.data)], edit)[0]))) })));
  return victim;
}
const rows = ${JSON.stringify(rows)}.map(([side, group, what, edit]) => {
  const outcome = (provider) => {
    const victim = (side === 'server' ? atServer : atClient)(NamedGroup[group], provider, editOf(edit));
    const alerts = victim.takeEvents().filter((e) => e.type === 'alert' && e.direction === 'out').map((e) => e.description);
    const output = Buffer.from(victim.takeOutput()).toString('hex');
    return { alerts, output: alerts.length ? output : output.slice(0, 2), state: victim.state };
  };
  return { side, group, what, noble: outcome(nobleProvider), node: outcome(nodeCryptoProvider) };
});
console.log(JSON.stringify({ version: process.version, mlKem: NODE_PROVIDER_ML_KEM, rows }));
`;

interface Outcome {
  alerts: string[];
  output: string;
  state: string;
}

function run(rows: typeof ATTACKS, node26: string) {
  const report = JSON.parse(execFileSync(node26, ['--input-type=module', '-e', SCRIPT(rows)], { encoding: 'utf8', timeout: 120_000 })) as {
    version: string;
    mlKem: string;
    rows: Array<{ side: string; group: string; what: string; noble: Outcome; node: Outcome }>;
  };
  expect(report.version).toMatch(/^v26\./);
  expect(report.mlKem).toBe('node:crypto');
  return report.rows;
}

describe("rewritten key shares against node:crypto's own ML-KEM (Node 26, OpenSSL 3.5)", () => {
  // A build of dist/ when it is stale: minutes on a loaded machine.
  beforeAll(() => {
    if (existsSync(NODE26)) ensureBuilt();
  }, 600_000);

  it('every rewritten share is one plaintext illegal_parameter alert and CLOSED, from both providers', (test) => {
    const node26 = requireNode26(test);
    const refused: Outcome = { alerts: ['illegal_parameter'], output: '1503030002022f', state: 'CLOSED' };
    expect(run(ATTACKS, node26)).toEqual(ATTACKS.map(([side, group, what]) => ({ side, group, what, noble: refused, node: refused })));
  });

  it('the untouched shares go on (the control: the rewriting alone is refused)', (test) => {
    const node26 = requireNode26(test);
    for (const row of run(CONTROLS, node26)) {
      for (const outcome of [row.noble, row.node]) {
        expect(outcome.alerts).toEqual([]);
        expect(outcome.state).not.toBe('CLOSED');
      }
    }
  });
});
