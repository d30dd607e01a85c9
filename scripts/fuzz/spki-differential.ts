// node dist/scripts/fuzz/spki-differential.js [--seconds N] [--seed S]
// Odd public keys against both providers: SubjectPublicKeyInfos of the x509: corpus (P-256, P-384, Ed25519,
// RSA-2048, RSA-8192) mutated by element (der-tree.ts); each one parseSpki takes goes to checkCertificateVerify
// of noble and of node:crypto under 14 schemes, with random signatures of 64 to 1,024 bytes and the unmutated
// key's real signature. Neither may throw (an exception would be internal_error in the engine), and both must
// give the same verdict. Prints each distinct disagreement once, with the key's hex.
import { parseArgs } from 'node:util';
import { parseSpki } from '../../src/auth/keys.js';
import { nobleProvider } from '../../src/crypto/noble.js';
import type { PublicKey } from '../../src/crypto/provider.js';
import { checkCertificateVerify, signCertificateVerify } from '../../src/handshake/signatures.js';
import { nodeCryptoProvider } from '../../src/node/crypto.js';
import { mutateDer } from '../../src/testing/fuzz/der-tree.js';
import { Choices, Prng } from '../../src/testing/fuzz/input.js';
import { corpus } from '../../src/testing/fuzz/x509.js';
import { hex } from '../../src/wire/bytes.js';

const SCHEMES = [0x0403, 0x0503, 0x0603, 0x0804, 0x0805, 0x0806, 0x0807, 0x0808, 0x0809, 0x080a, 0x080b, 0x0401, 0x0501, 0x0601];
const TRANSCRIPT_HASH = new Uint8Array(32).fill(7);

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '60' }, seed: { type: 'string', default: '1' } } });
const m = corpus(nobleProvider);
const identities = [...m.leaves, m.root, m.intermediate];
const realSignatures = new Map<string, Uint8Array>();
for (const [i, id] of identities.entries()) {
  for (const scheme of SCHEMES) {
    try {
      realSignatures.set(`${i}:${scheme}`, signCertificateVerify(nobleProvider, scheme, { chain: [id.der], privateKey: id.privateKey }, 'server', TRANSCRIPT_HASH, (n) => new Uint8Array(n).fill(3)));
    } catch {
      // a scheme this key cannot sign with, or an RSA leaf nobody holds the private half of
    }
  }
}

const verdict = (provider: typeof nobleProvider, scheme: number, key: PublicKey, signature: Uint8Array) => {
  try {
    return checkCertificateVerify(provider, scheme, key, 'server', TRANSCRIPT_HASH, signature);
  } catch (e) {
    return `threw ${e instanceof Error ? `${e.name}: ${e.message.split('\n')[0]}` : String(e)}`;
  }
};

const prng = new Prng(Number(values.seed));
const seen = new Set<string>();
const started = Date.now();
let tried = 0;
let parsed = 0;
while (Date.now() - started < Number(values.seconds) * 1000) {
  tried++;
  const c = new Choices(prng.bytes(40));
  const which = c.below(identities.length);
  const mutated = mutateDer(identities[which]!.certificate.spki, c, m.donors, 4096).bytes;
  let key: PublicKey;
  try {
    key = parseSpki(mutated);
  } catch {
    continue;
  }
  parsed++;
  for (const scheme of SCHEMES) {
    const real = realSignatures.get(`${which}:${scheme}`);
    for (const signature of [...(real ? [real] : []), ...[64, 96, 104, 132, 256, 512, 1024].map((n) => prng.bytes(n))]) {
      const noble = verdict(nobleProvider, scheme, key, signature);
      const node = verdict(nodeCryptoProvider, scheme, key, signature);
      if (noble === node && !noble.startsWith('threw')) continue;
      const what = `${key.kind} 0x${scheme.toString(16)}: noble ${noble}, node:crypto ${node}`;
      if (seen.has(what.replace(/\d+/g, '#'))) continue;
      seen.add(what.replace(/\d+/g, '#'));
      console.log(`DIFF ${what}\n  spki ${hex(mutated)}`);
    }
  }
}
console.log(`${tried} mutated keys, ${parsed} parsed, ${seen.size} distinct disagreements or exceptions`);
process.exitCode = seen.size === 0 ? 0 : 1;
