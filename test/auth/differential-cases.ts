// The cases of the differential path-validation test (test/auth/differential-openssl.test.ts): each one
// varies one thing of a well-formed chain root → intermediate → leaf. Ids are stable: the allow-lists and
// the known-bug list of the test refer to them.
import { OID } from '../../src/auth/oids.js';
import { DAY_S, HOUR, intermediate, leaf, nameConstraints, root, type ChainCase, type KeyKind, type OpensslCase } from '../../src/testing/chain-corpus.js';

const chain = (id: string, about: string, parts: Partial<OpensslCase> = {}): OpensslCase => ({
  id,
  about,
  root: root(),
  intermediates: [intermediate(1)],
  leaf: leaf(),
  ...parts,
});

const baseline: ChainCase[] = [
  chain('base/server', 'well-formed chain, serverAuth, no name'),
  chain('base/server-host', 'well-formed chain, matching host', { host: 'leaf.example' }),
  chain('base/server-wrong-host', 'host not among the SANs', { host: 'other.example' }),
  chain('base/client', 'well-formed chain, clientAuth', { purpose: 'clientAuth' }),
  chain('base/direct', 'leaf issued by the root', { intermediates: [] }),
  chain('base/two-intermediates', 'root → int → int → leaf', { intermediates: [intermediate(1), intermediate(2)] }),
  chain('base/ip-host', 'iPAddress SAN matches an IP host', { leaf: leaf({ ext: { subjectAltName: 'IP:192.0.2.7' } }), host: '192.0.2.7' }),
  chain('base/ip-host-dns-san', 'IP host against a dNSName SAN spelling it', { leaf: leaf({ ext: { subjectAltName: 'DNS:192.0.2.7' } }), host: '192.0.2.7' }),
  chain('base/ipv6-host', 'IPv6 SAN', { leaf: leaf({ ext: { subjectAltName: 'IP:2001:db8::7' } }), host: '2001:db8::7' }),
];

const keySizes: ChainCase[] = (['rsa1024', 'rsa2048', 'rsa3072', 'rsa4096', 'p256c', 'p384', 'ed25519b'] as KeyKind[]).flatMap((key) => [
  chain(`key/leaf-${key}`, `leaf key ${key}`, { leaf: leaf({ key }) }),
  chain(`key/root-${key}`, `root key ${key} (direct leaf)`, { root: root({ key: key === 'p256c' ? 'p256a' : key }), intermediates: [] }),
]).concat(chain('key/int-rsa1024', 'intermediate key rsa1024', { intermediates: [intermediate(1, { key: 'rsa1024' })] }));

/** [id, constraint (openssl syntax), leaf SAN, purpose, host, extra config sections, leaf subject] */
type Nc = [string, string, string, ('serverAuth' | 'clientAuth')?, string?, string?, string?];
const NC: Nc[] = [
  ['dns-permitted-match', 'permitted;DNS:ok.example', 'DNS:a.ok.example'],
  ['dns-permitted-exact', 'permitted;DNS:ok.example', 'DNS:ok.example'],
  ['dns-permitted-miss', 'permitted;DNS:ok.example', 'DNS:evil.example'],
  ['dns-permitted-suffix-trick', 'permitted;DNS:ok.example', 'DNS:notok.example'],
  ['dns-permitted-one-of-two', 'permitted;DNS:ok.example', 'DNS:a.ok.example,DNS:evil.example'],
  ['dns-excluded-hit', 'excluded;DNS:victim.example', 'DNS:www.victim.example'],
  ['dns-excluded-miss', 'excluded;DNS:victim.example', 'DNS:leaf.example'],
  ['dns-excluded-case', 'excluded;DNS:victim.example', 'DNS:WWW.VICTIM.EXAMPLE'],
  ['dns-permitted-ip-san-only', 'permitted;DNS:ok.example', 'IP:192.0.2.7', 'serverAuth', '192.0.2.7'],
  ['ip4-permitted-match', 'permitted;IP:10.0.0.0/255.0.0.0', 'IP:10.1.2.3', 'serverAuth', '10.1.2.3'],
  ['ip4-permitted-miss', 'permitted;IP:10.0.0.0/255.0.0.0', 'IP:11.1.2.3', 'serverAuth', '11.1.2.3'],
  ['ip4-excluded-hit', 'excluded;IP:192.168.0.0/255.255.0.0', 'IP:192.168.1.1', 'serverAuth', '192.168.1.1'],
  ['ip4-permitted-dns-san', 'permitted;IP:10.0.0.0/255.0.0.0', 'DNS:leaf.example'],
  ['ip6-permitted-match', 'permitted;IP:2001:db8::/ffff:ffff::', 'IP:2001:db8::1', 'serverAuth', '2001:db8::1'],
  ['ip6-permitted-miss', 'permitted;IP:2001:db8::/ffff:ffff::', 'IP:2001:db9::1', 'serverAuth', '2001:db9::1'],
  ['ip6-excluded-hit', 'excluded;IP:fd00::/ff00::', 'IP:fd12::1', 'serverAuth', 'fd12::1'],
  ['email-permitted-match', 'permitted;email:.example.com', 'email:alice@mail.example.com', 'clientAuth'],
  ['email-permitted-miss', 'permitted;email:example.com', 'email:alice@evil.example', 'clientAuth'],
  ['email-excluded-hit', 'excluded;email:mallory@example.com', 'email:mallory@example.com', 'clientAuth'],
  ['uri-permitted-match', 'permitted;URI:.example.com', 'URI:https://svc.example.com/x', 'clientAuth'],
  ['uri-permitted-miss', 'permitted;URI:.example.com', 'URI:https://svc.evil.example/x', 'clientAuth'],
  ['spiffe-permitted-match', 'permitted;URI:prod.example', 'URI:spiffe://prod.example/ns/web', 'clientAuth'],
  ['spiffe-permitted-miss', 'permitted;URI:prod.example', 'URI:spiffe://staging.example/ns/web', 'clientAuth'],
  ['spiffe-excluded-hit', 'excluded;URI:staging.example', 'URI:spiffe://staging.example/ns/web', 'clientAuth'],
  ['dirname-permitted-match', 'permitted;dirName:nc_dir', 'DNS:leaf.example', 'serverAuth', undefined, '[nc_dir]\nO = Lab\n'],
  ['dirname-permitted-miss', 'permitted;dirName:nc_dir', 'DNS:leaf.example', 'serverAuth', undefined, '[nc_dir]\nO = Other\n'],
  ['dirname-excluded-hit', 'excluded;dirName:nc_dir', 'DNS:leaf.example', 'serverAuth', undefined, '[nc_dir]\nO = Lab\n'],
  ['dirname-permitted-empty-subject', 'permitted;dirName:nc_dir', 'DNS:leaf.example', 'serverAuth', undefined, '[nc_dir]\nO = Lab\n', '/'],
];

const nameConstraintCases: ChainCase[] = NC.flatMap(([name, constraint, san, purpose, host, sections, subject]) => {
  const nc = { nameConstraints: `critical,${constraint}` };
  const leafCert = leaf({ ext: { subjectAltName: subject === '/' ? `critical,${san}` : san }, ...(subject ? { subject } : {}) });
  const common = { ...(purpose ? { purpose } : {}), ...(host ? { host } : {}), leaf: leafCert };
  return [
    chain(`nc/root/${name}`, `root nameConstraints ${constraint}, leaf ${san}`, { ...common, root: root({ ext: nc, ...(sections ? { sections } : {}) }) }),
    chain(`nc/int/${name}`, `intermediate nameConstraints ${constraint}, leaf ${san}`, {
      ...common,
      intermediates: [intermediate(1, { ext: nc, ...(sections ? { sections } : {}) })],
    }),
  ];
});

const validity: ChainCase[] = [
  chain('time/leaf-not-yet-valid', 'checked a day before the leaf', { at: -DAY_S }),
  chain('time/leaf-expired', 'checked after the leaf expired', { at: 31 * DAY_S }),
  chain('time/intermediate-expired', 'intermediate of 1 day, checked on day 2', { intermediates: [intermediate(1, { days: 1 })], at: 2 * DAY_S }),
  chain('time/root-expired', 'root of 1 day, checked on day 2', { root: root({ days: 1 }), at: 2 * DAY_S }),
  chain('time/leaf-outlives-root', 'leaf outlives its root, checked while both valid', { root: root({ days: 2 }), at: HOUR }),
];

const ALL_DAY = 86_400_000;

/** Validity edges at exact instants, made with our builder (openssl's req has no -not_before in 3.0). */
function edge(id: string, about: string, pick: (t: { nb: number; na: number }) => { at: number; intNotBefore?: number; rootNotBefore?: number }): ChainCase {
  return {
    id,
    about,
    make: (kit) => {
      const nb = kit.t0 - ALL_DAY;
      const na = kit.t0 + 10 * ALL_DAY;
      const choice = pick({ nb, na });
      const rootKey = kit.key('p256');
      const intKey = kit.key('ed25519');
      const leafKey = kit.key('p256');
      const ca = { isCA: true, keyUsage: ['keyCertSign', 'cRLSign'] as const };
      const rootCert = kit.issue(
        { ...ca, keyUsage: [...ca.keyUsage], subject: { O: 'Lab', CN: 'Builder Root' }, publicKey: rootKey.publicKey, serial: 1n, notBefore: choice.rootNotBefore ?? nb - ALL_DAY, notAfter: na + 365 * ALL_DAY },
        undefined,
        rootKey.privateKey,
      );
      const intCert = kit.issue(
        { ...ca, keyUsage: [...ca.keyUsage], subject: { O: 'Lab', CN: 'Builder Intermediate' }, publicKey: intKey.publicKey, serial: 2n, notBefore: choice.intNotBefore ?? nb - ALL_DAY, notAfter: na + 100 * ALL_DAY },
        { cert: rootCert, privateKey: rootKey.privateKey },
      );
      const leafCert = kit.issue(
        {
          subject: { CN: 'leaf.example' },
          publicKey: leafKey.publicKey,
          serial: 3n,
          notBefore: nb,
          notAfter: na,
          isCA: false,
          keyUsage: ['digitalSignature'],
          extKeyUsage: ['serverAuth'],
          sans: { dns: ['leaf.example'] },
        },
        { cert: intCert, privateKey: intKey.privateKey },
      );
      return { anchor: rootCert.der, untrusted: [intCert.der], leaf: leafCert.der, atMs: choice.at };
    },
  };
}

const edges: ChainCase[] = [
  edge('edge/at-not-before', 'exactly at the leaf notBefore (inclusive, RFC 5280 §4.1.2.5)', ({ nb }) => ({ at: nb })),
  edge('edge/before-not-before', 'one second before the leaf notBefore', ({ nb }) => ({ at: nb - 1000 })),
  edge('edge/at-not-after', 'exactly at the leaf notAfter (inclusive, RFC 5280 §4.1.2.5)', ({ na }) => ({ at: na })),
  edge('edge/after-not-after', 'one second after the leaf notAfter', ({ na }) => ({ at: na + 1000 })),
  edge('edge/intermediate-not-yet-valid', 'intermediate starts a day after the check', ({ nb }) => ({ at: nb + 1000, intNotBefore: nb + ALL_DAY })),
  edge('edge/root-not-yet-valid', 'root starts a day after the check', ({ nb }) => ({ at: nb + 1000, rootNotBefore: nb + ALL_DAY })),
  edge('edge/builder-well-formed', 'builder-made chain inside every window', ({ nb }) => ({ at: nb + ALL_DAY })),
];

/** Builder-made name constraints (DER from chain-corpus `nameConstraints`): SPIFFE trust domains. */
function builderNc(id: string, about: string, constraint: Parameters<typeof nameConstraints>[0], uri: string): ChainCase {
  return {
    id,
    about,
    purpose: 'clientAuth',
    timeSensitive: false,
    make: (kit) => {
      const t = kit.t0;
      const rootKey = kit.key('ed25519');
      const leafKey = kit.key('ed25519');
      const rootCert = kit.issue(
        {
          subject: { O: 'Lab', CN: 'Builder NC Root' },
          publicKey: rootKey.publicKey,
          serial: 10n,
          notBefore: t - ALL_DAY,
          notAfter: t + 30 * ALL_DAY,
          isCA: true,
          keyUsage: ['keyCertSign'],
          extraExtensions: [{ oid: OID.nameConstraints, critical: true, value: nameConstraints(constraint) }],
        },
        undefined,
        rootKey.privateKey,
      );
      const leafCert = kit.issue(
        { subject: { CN: 'workload' }, publicKey: leafKey.publicKey, serial: 11n, notBefore: t - ALL_DAY, notAfter: t + 10 * ALL_DAY, keyUsage: ['digitalSignature'], extKeyUsage: ['clientAuth'], sans: { uri: [uri] } },
        { cert: rootCert, privateKey: rootKey.privateKey },
      );
      return { anchor: rootCert.der, untrusted: [], leaf: leafCert.der, atMs: t + HOUR * 1000 };
    },
  };
}

const builderNameConstraints: ChainCase[] = [
  builderNc('builder-nc/spiffe-match', 'builder root permits URI prod.example; leaf spiffe://prod.example/web', { permitted: [[6, 'prod.example']] }, 'spiffe://prod.example/web'),
  builderNc('builder-nc/spiffe-miss', 'builder root permits URI prod.example; leaf spiffe://dev.example/web', { permitted: [[6, 'prod.example']] }, 'spiffe://dev.example/web'),
  builderNc('builder-nc/spiffe-excluded', 'builder root excludes URI dev.example', { excluded: [[6, 'dev.example']] }, 'spiffe://dev.example/web'),
];

const profile: ChainCase[] = [
  chain('bc/int-missing', 'intermediate without basicConstraints', { intermediates: [intermediate(1, { ext: { basicConstraints: undefined } })] }),
  chain('bc/int-noncritical', 'intermediate with non-critical basicConstraints', { intermediates: [intermediate(1, { ext: { basicConstraints: 'CA:TRUE' } })] }),
  chain('bc/int-ca-false', 'intermediate with cA=FALSE', { intermediates: [intermediate(1, { ext: { basicConstraints: 'critical,CA:FALSE' } })] }),
  chain('bc/root-missing', 'root without basicConstraints', { root: root({ ext: { basicConstraints: undefined } }) }),
  chain('bc/root-noncritical', 'root with non-critical basicConstraints', { root: root({ ext: { basicConstraints: 'CA:TRUE' } }) }),
  chain('bc/leaf-missing', 'leaf without basicConstraints', { leaf: leaf({ ext: { basicConstraints: undefined } }) }),
  chain('bc/leaf-ca', 'leaf with cA=TRUE', { leaf: leaf({ ext: { basicConstraints: 'critical,CA:TRUE' } }) }),
  chain('pathlen/root-0-with-int', 'root pathlen:0 above an intermediate', { root: root({ ext: { basicConstraints: 'critical,CA:TRUE,pathlen:0' } }) }),
  chain('pathlen/int-0', 'intermediate pathlen:0 directly above the leaf', { intermediates: [intermediate(1, { ext: { basicConstraints: 'critical,CA:TRUE,pathlen:0' } })] }),
  chain('pathlen/root-1-two-ints', 'root pathlen:1 above two intermediates', {
    root: root({ ext: { basicConstraints: 'critical,CA:TRUE,pathlen:1' } }),
    intermediates: [intermediate(1), intermediate(2)],
  }),
  chain('pathlen/int-0-above-int', 'first intermediate pathlen:0 above another CA', {
    intermediates: [intermediate(1, { ext: { basicConstraints: 'critical,CA:TRUE,pathlen:0' } }), intermediate(2)],
  }),
  chain('ku/int-no-keycertsign', 'intermediate keyUsage digitalSignature only', { intermediates: [intermediate(1, { ext: { keyUsage: 'critical,digitalSignature' } })] }),
  chain('ku/root-no-keycertsign', 'root keyUsage cRLSign only', { root: root({ ext: { keyUsage: 'critical,cRLSign' } }) }),
  chain('ku/int-missing', 'intermediate without keyUsage', { intermediates: [intermediate(1, { ext: { keyUsage: undefined } })] }),
  chain('ku/leaf-keycertsign', 'leaf keyUsage digitalSignature,keyCertSign', { leaf: leaf({ ext: { keyUsage: 'critical,digitalSignature,keyCertSign' } }) }),
  chain('ku/leaf-missing', 'leaf without keyUsage', { leaf: leaf({ ext: { keyUsage: undefined } }) }),
  chain('ku/leaf-keyencipherment-only', 'ECDSA leaf with keyEncipherment only', { leaf: leaf({ ext: { keyUsage: 'critical,keyEncipherment' } }) }),
  chain('eku/leaf-missing', 'leaf without extKeyUsage', { leaf: leaf({ ext: { extendedKeyUsage: undefined } }) }),
  chain('eku/server-only-as-server', 'EKU serverAuth, used as server', { leaf: leaf({ ext: { extendedKeyUsage: 'serverAuth' } }) }),
  chain('eku/server-only-as-client', 'EKU serverAuth, used as client', { leaf: leaf({ ext: { extendedKeyUsage: 'serverAuth' } }), purpose: 'clientAuth' }),
  chain('eku/client-only-as-server', 'EKU clientAuth, used as server', { leaf: leaf({ ext: { extendedKeyUsage: 'clientAuth' } }) }),
  chain('eku/client-only-as-client', 'EKU clientAuth, used as client', { leaf: leaf({ ext: { extendedKeyUsage: 'clientAuth' } }), purpose: 'clientAuth' }),
  chain('eku/any-only', 'EKU anyExtendedKeyUsage only', { leaf: leaf({ ext: { extendedKeyUsage: 'anyExtendedKeyUsage' } }) }),
  chain('eku/critical', 'critical EKU serverAuth', { leaf: leaf({ ext: { extendedKeyUsage: 'critical,serverAuth' } }) }),
  chain('eku/codesigning-only', 'EKU codeSigning only', { leaf: leaf({ ext: { extendedKeyUsage: 'codeSigning' } }) }),
  chain('eku/int-client-only', 'intermediate EKU clientAuth, leaf used as server', { intermediates: [intermediate(1, { ext: { extendedKeyUsage: 'clientAuth' } })] }),
  chain('eku/int-server', 'intermediate EKU serverAuth', { intermediates: [intermediate(1, { ext: { extendedKeyUsage: 'serverAuth' } })] }),
  chain('eku/root-server', 'root EKU serverAuth', { root: root({ ext: { extendedKeyUsage: 'serverAuth' } }) }),
  chain('eku/root-client-only', 'root EKU clientAuth, leaf used as server', { root: root({ ext: { extendedKeyUsage: 'clientAuth' } }) }),
  chain('crit/leaf-unknown', 'unknown critical extension on the leaf', { leaf: leaf({ ext: { '1.3.6.1.4.1.55555.1': 'critical,DER:05:00' } }) }),
  chain('crit/leaf-unknown-noncritical', 'unknown non-critical extension on the leaf', { leaf: leaf({ ext: { '1.3.6.1.4.1.55555.1': 'DER:05:00' } }) }),
  chain('crit/int-unknown', 'unknown critical extension on the intermediate in the path', { intermediates: [intermediate(1, { ext: { '1.3.6.1.4.1.55555.1': 'critical,DER:05:00' } })] }),
  chain('crit/unused-int-unknown', 'an unused intermediate with an unknown critical extension', {
    unused: [intermediate(9, { subject: '/O=Lab/CN=Unused Intermediate', key: 'ed25519a', ext: { '1.3.6.1.4.1.55555.1': 'critical,DER:05:00' } })],
  }),
  chain('crit/root-unknown', 'unknown critical extension on the root', { root: root({ ext: { '1.3.6.1.4.1.55555.1': 'critical,DER:05:00' } }) }),
  chain('crit/int-policy-constraints', 'critical policyConstraints on the intermediate', {
    intermediates: [intermediate(1, { ext: { policyConstraints: 'critical,requireExplicitPolicy:0' } })],
  }),
  chain('kid/leaf-aki-missing', 'leaf without authorityKeyIdentifier', { leaf: leaf({ ext: { authorityKeyIdentifier: undefined } }) }),
  chain('kid/int-ski-missing', 'intermediate without subjectKeyIdentifier', { intermediates: [intermediate(1, { ext: { subjectKeyIdentifier: undefined } })] }),
  chain('kid/int-aki-missing', 'intermediate without authorityKeyIdentifier', { intermediates: [intermediate(1, { ext: { authorityKeyIdentifier: undefined } })] }),
  chain('kid/root-ski-missing', 'root without subjectKeyIdentifier', { root: root({ ext: { subjectKeyIdentifier: undefined, authorityKeyIdentifier: undefined } }) }),
  chain('kid/leaf-ski-missing', 'leaf without subjectKeyIdentifier', { leaf: leaf({ ext: { subjectKeyIdentifier: undefined } }) }),
  chain('kid/aki-critical', 'critical authorityKeyIdentifier on the leaf', { leaf: leaf({ ext: { authorityKeyIdentifier: 'critical,keyid,issuer' } }) }),
  chain('kid/ski-critical', 'critical subjectKeyIdentifier on the intermediate', { intermediates: [intermediate(1, { ext: { subjectKeyIdentifier: 'critical,hash' } })] }),
  chain('serial/leaf-zero', 'leaf serial 0', { leaf: leaf({ serial: '0' }) }),
  chain('serial/leaf-negative', 'leaf serial -5', { leaf: leaf({ serial: '-5' }) }),
  chain('serial/leaf-21-octets', 'leaf serial of 21 octets', { leaf: leaf({ serial: '0x7f' + '01'.repeat(20) }) }),
  chain('serial/leaf-20-octets', 'leaf serial of 20 octets (the maximum)', { leaf: leaf({ serial: '0x7f' + '01'.repeat(19) }) }),
  chain('serial/int-zero', 'intermediate serial 0', { intermediates: [intermediate(1, { serial: '0' })] }),
  chain('wild/match', '*.example.com for a.example.com', { leaf: leaf({ ext: { subjectAltName: 'DNS:*.example.com' } }), host: 'a.example.com' }),
  chain('wild/two-labels', '*.example.com for a.b.example.com', { leaf: leaf({ ext: { subjectAltName: 'DNS:*.example.com' } }), host: 'a.b.example.com' }),
  chain('wild/bare', '*.example.com for example.com', { leaf: leaf({ ext: { subjectAltName: 'DNS:*.example.com' } }), host: 'example.com' }),
  chain('wild/public-suffix', '*.com for example.com', { leaf: leaf({ ext: { subjectAltName: 'DNS:*.com' } }), host: 'example.com' }),
  chain('wild/partial', 'f*.example.com for foo.example.com', { leaf: leaf({ ext: { subjectAltName: 'DNS:f*.example.com' } }), host: 'foo.example.com' }),
  chain('wild/inner', 'a.*.example.com for a.b.example.com', { leaf: leaf({ ext: { subjectAltName: 'DNS:a.*.example.com' } }), host: 'a.b.example.com' }),
  chain('wild/case', 'host in upper case', { leaf: leaf({ ext: { subjectAltName: 'DNS:*.example.com' } }), host: 'WWW.Example.COM' }),
  chain('name/cn-only', 'no SAN, CN equals the host', { leaf: leaf({ ext: { subjectAltName: undefined } }), host: 'leaf.example' }),
  chain('name/underscore', 'SAN with an underscore', { leaf: leaf({ ext: { subjectAltName: 'DNS:my_host.example' } }), host: 'my_host.example' }),
  chain('name/trailing-dot-host', 'host with a trailing dot', { host: 'leaf.example.' }),
  chain('name/empty-subject-critical-san', 'leaf with an empty subject and a critical SAN', { leaf: leaf({ subject: '/', ext: { subjectAltName: 'critical,DNS:leaf.example' } }), host: 'leaf.example' }),
  chain('name/empty-subject-noncritical-san', 'leaf with an empty subject and a non-critical SAN', { leaf: leaf({ subject: '/' }), host: 'leaf.example' }),
  chain('name/ca-empty-subject', 'intermediate with an empty subject', { intermediates: [intermediate(1, { subject: '/' })] }),
];

const selfSignedLeaf = (over: Parameters<typeof leaf>[0] = {}) => leaf({ key: 'p256c', subject: '/CN=pinned.example', ...over, ext: { subjectAltName: 'DNS:pinned.example', ...over.ext } });
const anchors: ChainCase[] = [
  { id: 'anchor/self-signed-leaf', about: 'self-signed end-entity certificate as its own anchor', root: selfSignedLeaf(), leaf: 'anchor' },
  { id: 'anchor/self-signed-leaf-host', about: 'self-signed leaf as anchor, matching host', root: selfSignedLeaf(), leaf: 'anchor', host: 'pinned.example' },
  { id: 'anchor/self-signed-leaf-wrong-host', about: 'self-signed leaf as anchor, other host', root: selfSignedLeaf(), leaf: 'anchor', host: 'other.example' },
  { id: 'anchor/self-signed-leaf-expired', about: 'self-signed leaf as anchor, expired', root: selfSignedLeaf(), leaf: 'anchor', at: 31 * DAY_S },
  { id: 'anchor/self-signed-ca-as-leaf', about: 'self-signed CA certificate presented as the leaf', root: root(), leaf: 'anchor' },
  { id: 'anchor/self-signed-leaf-client-eku', about: 'self-signed leaf as anchor, EKU clientAuth only, used as server', root: selfSignedLeaf({ ext: { extendedKeyUsage: 'clientAuth' } }), leaf: 'anchor' },
];

/**
 * Revocation (RFC 5280 §5, §6.3) with CRLs made by our builder: root → [intermediate →] leaf, and one CRL of the
 * leaf's issuer (openssl verify -crl_check checks exactly that one).
 */
function crlCase(
  id: string,
  about: string,
  options: { viaIntermediate?: boolean; revokeLeaf?: boolean; /** days from the reference instant */ thisUpdate?: number; nextUpdate?: number; foreignSigner?: boolean; criticalUnknown?: boolean },
): ChainCase {
  return {
    id,
    about,
    // CRL times are relative to the reference instant, which is the real clock certtool uses, give or take an hour.
    timeSensitive: false,
    make: (kit) => {
      const t = kit.t0;
      const rootKey = kit.key('p256');
      const intKey = kit.key('p256');
      const leafKey = kit.key('ed25519');
      const ca = (cn: string, serial: bigint) => ({ subject: { O: 'Lab', CN: cn }, serial, notBefore: t - 10 * ALL_DAY, notAfter: t + 100 * ALL_DAY, isCA: true, keyUsage: ['keyCertSign', 'cRLSign'] as ('keyCertSign' | 'cRLSign')[] });
      const rootCert = kit.issue({ ...ca('CRL Root', 20n), publicKey: rootKey.publicKey }, undefined, rootKey.privateKey);
      const intCert = kit.issue({ ...ca('CRL Intermediate', 21n), publicKey: intKey.publicKey }, { cert: rootCert, privateKey: rootKey.privateKey });
      const issuer = options.viaIntermediate ? { cert: intCert, privateKey: intKey.privateKey } : { cert: rootCert, privateKey: rootKey.privateKey };
      const leafCert = kit.issue(
        { subject: { CN: 'leaf.example' }, publicKey: leafKey.publicKey, serial: 0x4242n, notBefore: t - ALL_DAY, notAfter: t + 30 * ALL_DAY, keyUsage: ['digitalSignature'], extKeyUsage: ['serverAuth'], sans: { dns: ['leaf.example'] } },
        issuer,
      );
      const crl = kit.crl({
        issuer: issuer.cert,
        signingKey: options.foreignSigner ? kit.key('p256').privateKey : issuer.privateKey,
        thisUpdate: t + (options.thisUpdate ?? -1) * ALL_DAY,
        nextUpdate: t + (options.nextUpdate ?? 7) * ALL_DAY,
        revoked: [{ serial: 7n }, ...(options.revokeLeaf ? [{ serial: 0x4242n }] : [])],
        ...(options.criticalUnknown ? { extraExtensions: [{ oid: '1.3.6.1.4.1.55555.2', critical: true, value: Uint8Array.of(5, 0) }] } : {}),
      });
      return { anchor: rootCert.der, untrusted: options.viaIntermediate ? [intCert.der] : [], leaf: leafCert.der, atMs: t + HOUR * 1000, crls: [crl] };
    },
  };
}

const revocation: ChainCase[] = [
  crlCase('crl/leaf-revoked', 'root CRL lists the leaf', { revokeLeaf: true }),
  crlCase('crl/leaf-not-revoked', 'root CRL lists another serial', {}),
  crlCase('crl/int-leaf-revoked', 'intermediate CRL lists the leaf', { viaIntermediate: true, revokeLeaf: true }),
  crlCase('crl/int-leaf-not-revoked', 'intermediate CRL lists another serial', { viaIntermediate: true }),
  crlCase('crl/stale', 'CRL nextUpdate has passed', { thisUpdate: -8, nextUpdate: -1 }),
  crlCase('crl/not-yet-valid', 'CRL thisUpdate in the future', { thisUpdate: 1, nextUpdate: 2 }),
  crlCase('crl/foreign-signer', 'CRL with the issuer name signed by another key', { foreignSigner: true, revokeLeaf: true }),
  crlCase('crl/critical-unknown-extension', 'CRL with an unknown critical extension', { criticalUnknown: true }),
];

export const CASES: ChainCase[] = [...baseline, ...keySizes, ...nameConstraintCases, ...validity, ...edges, ...builderNameConstraints, ...profile, ...anchors, ...revocation];
