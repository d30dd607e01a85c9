// Attacker's script against info.peer.spiffeId, "what the application authorizes" (docs/mutual-tls.md). A CA
// whose URI name constraints hold it to the trust domain prod.example can still write URIs that pass them but
// are no SPIFFE ID (SPIFFE-ID §2: trust domain of [a-z0-9.-_], no userinfo or port, path segments of
// [a-zA-Z0-9.-_] without "." or "..", no query or fragment, no percent-encoding). Read as one, they spell
// another trust domain or path to a prefix check ("spiffe://victim.example@prod.example/...",
// "spiffe://prod.example/ns/a/../admin"). go-spiffe refuses such an X.509-SVID; we expose no SPIFFE ID for it.
import { describe, expect, it } from 'vitest';
import { evaluateTrust } from '../../src/auth/trust.js';
import { issue, NOW, provider } from '../auth/helpers.js';
import { ca, leafKey, root } from './path-helpers.js';

const constrained = ca({ nameConstraints: { permitted: [{ uri: 'prod.example' }] } });
const identityOf = (uris: string[]) => {
  const svid = issue({ CN: 'workload' }, leafKey, constrained, { extKeyUsage: ['clientAuth'], sans: { uri: uris } });
  const { verdict, leaf } = evaluateTrust({ kind: 'ca', anchors: [root.der] }, [svid.der, constrained.der], { provider, now: () => NOW, purpose: 'clientAuth' });
  return { verdict, identity: leaf.identity };
};

describe('spiffeId: only a URI that is a SPIFFE ID', () => {
  for (const uri of [
    'spiffe://victim.example@prod.example/ns/admin',
    'spiffe://prod.example:8443/ns/a',
    'spiffe://prod.example/ns/a/../admin',
    'spiffe://prod.example/ns/./a',
    'spiffe://prod.example/ns//a',
    'spiffe://prod.example/ns/a/',
    'spiffe://prod.example/ns/%61dmin',
    'spiffe://prod.example/ns/a?role=admin',
    'spiffe://prod.example/ns/a#admin',
    'SPIFFE://prod.example/ns/a',
  ]) {
    it(`the chain is trusted, but ${uri} is no SPIFFE ID: spiffeId is absent`, () => {
      const { verdict, identity } = identityOf([uri]);
      expect(verdict.trusted).toBe(true);
      expect(identity.uris).toEqual([uri]);
      expect(identity.spiffeId).toBeUndefined();
    });
  }

  it('a well-formed SPIFFE ID is exposed (control), and the trust domain alone is one too', () => {
    for (const uri of ['spiffe://prod.example/ns/a_b-c.d/sa/web', 'spiffe://prod.example']) expect(identityOf([uri]).identity.spiffeId).toBe(uri);
  });
});
