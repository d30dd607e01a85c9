// Attacker: a CA excluded from a namespace by its parent, where the parent spelt the excluded subtree in a way the
// comparison never matches: an rfc822Name or URI host with a trailing dot, a whole URI where §4.2.1.10 wants a
// host, a space. Such a subtree matched no name at all, so the exclusion excluded nothing and the CA issued inside
// it. A constraint that is no domain is malformed and fails closed, as a dNSName one already did (Go's
// domainToReverseLabels refuses a trailing dot or a space too); the spellings §4.2.1.10 gives keep their meaning.
import { describe, it } from 'vitest';
import type { GeneralNameSpec } from '../../src/auth/builder.js';
import { issue } from '../auth/helpers.js';
import { accepted, ca, leafKey, refused, root } from './path-helpers.js';

const client = (issuer: ReturnType<typeof ca>, sans: { email?: string[]; uri?: string[] }) => issue({ CN: 'c' }, leafKey, issuer, { extKeyUsage: ['clientAuth'], sans });
const judged = (excluded: GeneralNameSpec, sans: { email?: string[]; uri?: string[] }) => {
  const int = ca({ nameConstraints: { excluded: [excluded] } });
  return { leaf: client(int, sans), intermediates: [int], anchors: [root], purpose: 'clientAuth' as const };
};

describe('an excluded subtree spelt as no domain does not exclude nothing (RFC 5280 §4.2.1.10)', () => {
  it('rfc822Name: a host with a trailing dot, or with a space, is malformed', () => {
    for (const host of ['victim.example.', '.victim.example.', 'victim .example', '.']) {
      refused(judged({ email: host }, { email: ['ceo@victim.example'] }), 'BadCertificate', /rfc822Name constraint .* is not a domain/);
    }
  });

  it('uniformResourceIdentifier: a whole URI, a host with a trailing dot or a port is malformed', () => {
    for (const host of ['https://victim.example', 'victim.example.', 'victim.example:443', '[::1]']) {
      refused(judged({ uri: host }, { uri: ['https://victim.example/x'] }), 'BadCertificate', /uniformResourceIdentifier constraint .* is not a domain/);
    }
  });

  it('the spellings §4.2.1.10 gives keep their meaning: a host, `.domain`, and an empty base for every name', () => {
    refused(judged({ email: 'Victim.Example' }, { email: ['ceo@victim.example'] }), 'BadCertificate', /excluded/);
    refused(judged({ email: '.victim.example' }, { email: ['ceo@mail.victim.example'] }), 'BadCertificate', /excluded/);
    accepted(judged({ email: '.victim.example' }, { email: ['ceo@victim.example'] }));
    refused(judged({ uri: 'VICTIM.example' }, { uri: ['https://victim.example/x'] }), 'BadCertificate', /excluded/);
    accepted(judged({ uri: 'victim.example' }, { uri: ['https://www.victim.example/x'] }));
    refused(judged({ uri: '' }, { uri: ['https://anything.example/x'] }), 'BadCertificate', /excluded/);
    refused(judged({ email: '' }, { email: ['a@anything.example'] }), 'BadCertificate', /excluded/);
    accepted(judged({ email: 'victim.example' }, { uri: ['https://victim.example/x'] }));
  });
});
