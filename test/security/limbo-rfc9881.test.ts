// x509-limbo's rfc9881.py (ML-DSA in X.509), every case rebuilt with our builder in limbo's shapes
// (limbo-shapes.ts) and answered by verifyChain; docs/x509-limbo.md lists them. The keys are ML-DSA ones made by
// our builder (Node 20 has no ML-DSA KeyObject), signed and verified by our provider (src/crypto/mldsa.ts).
import { describe, it } from 'vitest';
import { generateKeyPair, type GeneratedKeyType } from '../../src/auth/builder.js';
import { der } from '../../src/auth/der-writer.js';
import { OID } from '../../src/auth/oids.js';
import { provider, random, type TestKey } from '../auth/helpers.js';
import { fails, limboLeaf, limboRoot, limboServer, rawExtension, succeeds } from './limbo-shapes.js';

/** An ML-DSA key pair for the limbo shapes, which sign and read keys through our provider only (no `node` side). */
const mlDsaKey = (type: GeneratedKeyType) => generateKeyPair(type, random, provider) as TestKey;

describe('x509-limbo rfc9881 (ML-DSA certificates, RFC 9881 §3-§5)', () => {
  for (const [id, type] of [
    ['rfc9881::ml-dsa-44', 'ml-dsa-44'],
    ['rfc9881::ml-dsa-65', 'ml-dsa-65'],
    ['rfc9881::ml-dsa-87', 'ml-dsa-87'],
  ] as const) {
    it(`${id}: root -> EE, both ${type}, the root signing: SUCCESS`, () => {
      const root = limboRoot({ key: mlDsaKey(type) });
      succeeds(limboServer({ leaf: limboLeaf(root, { key: mlDsaKey(type) }), anchors: [root] }));
    });
  }

  it('rfc9881::ml-dsa-44-bad-signature: the EE names the root (subject and AKI) but an impostor of the same name signed it: FAILURE', () => {
    const root = limboRoot({ key: mlDsaKey('ml-dsa-44') });
    const impostor = limboRoot({ key: mlDsaKey('ml-dsa-44') });
    // limbo overrides the EE's AKI to the root's key identifier, so that the root is the candidate issuer.
    const aki = der.sequence(der.implicit(0, root.cert.subjectKeyIdentifier!));
    const leaf = limboLeaf(impostor, { key: mlDsaKey('ml-dsa-44'), omit: ['authorityKeyIdentifier'], extraExtensions: [rawExtension(OID.authorityKeyIdentifier, aki)] });
    fails(limboServer({ leaf, anchors: [root] }), /signature on "CN=example.com" does not verify with the key of "CN=x509-limbo-root"/);
  });

  // RFC 9881 §5: "the keyUsage extension MUST NOT have any of the following bits set: keyEncipherment,
  // dataEncipherment, keyAgreement, encipherOnly, decipherOnly" (rule ml-dsa-key-usage).
  for (const [id, usage] of [
    ['rfc9881::ml-dsa-44-key-encipherment', 'keyEncipherment'],
    ['rfc9881::ml-dsa-44-key-agreement', 'keyAgreement'],
  ] as const) {
    it(`${id}: an ML-DSA-44 EE asserting digitalSignature and ${usage}: FAILURE`, () => {
      const root = limboRoot({ key: mlDsaKey('ml-dsa-44') });
      const leaf = limboLeaf(root, { key: mlDsaKey('ml-dsa-44'), keyUsage: ['digitalSignature', usage] });
      fails(limboServer({ leaf, anchors: [root] }), new RegExp(`keyUsage \\[${usage}\\] on an ML-DSA-44 key.*rule ml-dsa-key-usage`));
    });
  }
});
