// Attacker: holds a version 1 certificate a trusted CA issued (an old end entity: v1 has no basicConstraints
// to say it is not a CA) and its key, and signs a leaf for any name with it, presenting the v1 certificate as
// the intermediate. Only an anchor is exempt from saying it is a CA (chain.ts checkIssuer, RFC 5280
// §4.2.1.9, §6.1.4(k)); a v1 certificate anywhere else in the path may not issue.
import { describe, it } from 'vitest';
import { issue } from '../auth/helpers.js';
import { caKey, leaf, refused, root, type Case } from './path-helpers.js';

const v1 = { version: 1 as const, extKeyUsage: [], omit: ['subjectKeyIdentifier', 'authorityKeyIdentifier'] as never };
const BOTH = ['rfc5280', 'webpki'] as const;

describe('a version 1 certificate as an intermediate CA', () => {
  it('issued by a trusted root, signing a leaf: refused under both profiles', () => {
    const oldEntity = issue({ CN: 'old.example' }, caKey, root, v1);
    const forged = leaf(oldEntity, { dns: ['bank.example'] });
    for (const profile of BOTH) {
      const c: Case = { leaf: forged, intermediates: [oldEntity], anchors: [root], hostname: 'bank.example', profile };
      refused(c, 'BadCertificate', /issuer "CN=old.example" is not a CA/);
    }
  });
});
