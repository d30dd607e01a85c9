// Attacker: a constrained sub-CA (the party name constraints exist to hold back) or a CA that puts what it likes
// in a distribution point. The verdict's detail is the message of the error an application logs, and `tls13
// serve` prints it; a SAN, a subtree or a cRLDistributionPoints URI with a line feed or ESC in it forged a log
// line or drove the operator's terminal. Peer text in a path verdict is escaped as its UTF-8 octets (RFC 4514
// §2.4 form, as certificate names and host-name mismatches already are).
import { describe, expect, it } from 'vitest';
import { buildCrl } from '../../src/auth/builder.js';
import { verifyChain } from '../../src/auth/chain.js';
import { der } from '../../src/auth/der-writer.js';
import { contextTag } from '../../src/auth/der.js';
import { OID } from '../../src/auth/oids.js';
import { parseCrl } from '../../src/auth/path/revocation.js';
import { seededRandom } from '../../src/crypto/random.js';
import { NOW, provider } from '../auth/helpers.js';
import { ca, leaf, root, verify } from './path-helpers.js';

const FORGED = 'x\n127.0.0.1:9: client CN=admin\x1b[2J';
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f\n]/;
const ia5 = (tag: number, text: string) => der.implicit(tag, Uint8Array.from(text, (c) => c.charCodeAt(0)));
const detailOf = (verdict: ReturnType<typeof verify>) => (verdict.ok ? '' : verdict.detail);
/** `listed`: the name is one of a list of names, where a space is escaped too (x509.ts escapeListedName). */
const escaped = (detail: string, listed = false) => {
  // Subtrees are read lowercase.
  const space = listed ? '\\20' : ' ';
  expect(detail.toLowerCase()).toContain(`\\0a127.0.0.1:9:${space}client${space}cn=admin\\1b[2j`);
  expect(detail).not.toMatch(CONTROL);
};

describe("peer text in a path verdict's detail is escaped", () => {
  it('a subjectAltName that cannot be checked against a constraint', () => {
    const sub = ca({ nameConstraints: { permitted: [{ dns: 'ok.example' }, { email: 'ok.example' }, { uri: 'ok.example' }] } });
    for (const sans of [{ dns: [`${FORGED}.ok.example`] }, { email: [`${FORGED}@@ok.example`] }, { uri: [`https://${FORGED}/`] }]) {
      escaped(detailOf(verify({ leaf: leaf(sub, sans), intermediates: [sub], anchors: [root] })));
    }
  });

  it("a leaf dNSName the webpki profile refuses: any client can send one, no CA's help needed (rule dns-name-syntax)", () => {
    const client = leaf(root, { dns: [`${FORGED}.example`] }, { extKeyUsage: ['clientAuth'] });
    escaped(detailOf(verify({ leaf: client, anchors: [root], purpose: 'clientAuth', profile: 'webpki' })));
  });

  it('a subtree that is malformed', () => {
    for (const raw of [ia5(2, FORGED), ia5(1, FORGED), ia5(1, `${FORGED}@a@b`), ia5(6, FORGED)]) {
      const sub = ca({ nameConstraints: { excluded: [{ raw }] } });
      escaped(detailOf(verify({ leaf: leaf(sub, { dns: ['a.example'] }), intermediates: [sub], anchors: [root] })));
    }
  });

  it("a certificate's cRLDistributionPoints URI against a partitioned CRL", () => {
    const fullName = (text: string) => der.explicit(0, der.tlv(contextTag(0, true), ia5(6, text)));
    const sub = ca();
    const victim = leaf(sub, { dns: ['a.example'] }, { extraExtensions: [{ oid: OID.crlDistributionPoints, value: der.sequence(der.sequence(fullName(`http://${FORGED}/`))) }] });
    const idp = { oid: OID.issuingDistributionPoint, critical: true, value: der.sequence(fullName('http://crl.example/1.crl')) };
    const crl = parseCrl(buildCrl({ issuer: sub.cert, signingKey: sub.key.privateKey, thisUpdate: NOW - 1000, nextUpdate: NOW + 1000, revoked: [], extraExtensions: [idp] }, provider, seededRandom('verdict-text')));
    escaped(detailOf(verifyChain({ leaf: victim.cert, intermediates: [sub.cert], anchors: [root.cert], now: NOW, purpose: 'serverAuth', provider, crls: [crl] })), true);
  });
});
