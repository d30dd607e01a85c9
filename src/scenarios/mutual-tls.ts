// Mutual-TLS scenarios that answer the classic questions with running code: can a server trust one
// self-signed client certificate? What stops someone who copied it? Why does CertificateVerify sign the
// transcript and a role-specific context string? Each scenario makes its identities from a seed, runs a
// client and a server back to back on the fixed test clock, and compares what happened with what the
// RFC says must happen. Misbehaving clients misbehave through the `signer` hook of their CertifiedKey,
// which receives the exact CertificateVerify content (RFC 8446 §4.4.3), so every fault is one a real
// client could commit; their provider lets that signature out unverified, as an attacker's copy of the
// engine would (testing/certs.ts sendingWhatItSigns). Core-safe: no node imports.
import type { PeerIdentity, TrustPolicy } from '../auth/trust.js';
import type { PskPeerIdentity } from '../handshake/external-psk.js';
import { nobleProvider } from '../crypto/noble.js';
import type { CryptoProvider } from '../crypto/provider.js';
import { seededRandom } from '../crypto/random.js';
import type { CertifiedKey, ClientConfig, ServerConfig } from '../handshake/config.js';
import type { Role, TlsEvent } from '../handshake/events.js';
import { InMemoryPair, type PairOptions } from '../handshake/pair.js';
import { certificateVerifyContent } from '../handshake/signatures.js';
import { DAY, makeIdentity, sendingWhatItSigns, TEST_NOW, type Identity } from '../testing/certs.js';
import type { AlertName } from '../wire/enums.js';

export const MUTUAL_TLS_SCENARIO_NAMES = [
  'pinned-self-signed',
  'stolen-certificate',
  'replayed-certificate-verify',
  'wrong-context',
  'unpinned-self-signed',
  'unpinned-self-signed-ca-policy',
  'missing-client-auth-eku',
  'expired-client-certificate',
  'ca-leaf',
  'no-certificate-when-required',
  'private-ca',
] as const;
export type MutualTlsScenarioName = (typeof MUTUAL_TLS_SCENARIO_NAMES)[number];

/** What a scenario must end in: a connection (with these client identity fields), or one fatal alert. */
export type ExpectedOutcome =
  | { kind: 'connected'; clientSubject?: string; clientSpiffeId?: string }
  | { kind: 'alert'; alert: AlertName; sentBy: Role };

/** What did happen. */
export type ActualOutcome =
  | { kind: 'connected'; client?: PeerIdentity | PskPeerIdentity }
  | { kind: 'alert'; alert: string; sentBy: Role; reason?: string; detail?: string }
  | { kind: 'stalled'; clientState: string; serverState: string };

export interface ScenarioSetup {
  name: string;
  /** The question the scenario answers, in one line. */
  question: string;
  /** What the scenario shows, printed before its trace. */
  story: string[];
  client: ClientConfig;
  server: ServerConfig;
  expected: ExpectedOutcome;
  /** Tamper hooks, for faults that no signer can produce. */
  pairOptions?: PairOptions;
}

export interface ScenarioResult {
  name: string;
  question: string;
  expected: ExpectedOutcome;
  actual: ActualOutcome;
  asExpected: boolean;
  /** The server's trust decision about the client certificate, when it got that far. */
  serverTrustDecision?: string;
  /** The client as the server sees it (subject, SANs, SPIFFE ID, pins, verdict), when authenticated. */
  clientIdentity?: PeerIdentity | PskPeerIdentity;
  /** The pair, with every event of both sides, for narration. */
  pair: InMemoryPair;
}

export const SERVER_NAME = 'api.example.test';
export const WORKLOAD_SPIFFE_ID = 'spiffe://example.org/workload/a';

/** Every identity the scenarios use, each from its own seeded stream, all valid around TEST_NOW. */
export interface Cast {
  /** The CA that issued the server certificate the clients check. */
  webCa: Identity;
  server: Identity;
  /** A self-signed client certificate (no CA involved), with clientAuth EKU. */
  alice: Identity;
  /** Someone else's self-signed certificate. */
  mallory: Identity;
  /** An organisation's private CA for client certificates. */
  privateCa: Identity;
  /** Issued by the private CA: an X.509-SVID for the workload. */
  workload: Identity;
  /** Issued by the private CA with only serverAuth in its extKeyUsage. */
  serverOnlyLeaf: Identity;
  /** Issued by the private CA, expired 30 days before TEST_NOW. */
  expiredLeaf: Identity;
  /** Issued by the private CA with basicConstraints cA=TRUE. */
  caLeaf: Identity;
}

export function makeCast(seed: string): Cast {
  const stream = (who: string) => seededRandom(`${seed}/${who}`);
  const webCa = makeIdentity({ subject: { O: 'Example Web', CN: 'Example Web Root' }, isCA: true, keyUsage: ['keyCertSign'] }, stream('web-ca'));
  const server = makeIdentity(
    { subject: { CN: SERVER_NAME }, issuer: webCa, serial: 2n, sans: { dns: [SERVER_NAME] }, extKeyUsage: ['serverAuth'], keyType: 'p256' },
    stream('server'),
  );
  const selfSigned = (cn: string, serial: bigint) => makeIdentity({ subject: { CN: cn }, serial, extKeyUsage: ['clientAuth'] }, stream(cn));
  const privateCa = makeIdentity(
    { subject: { O: 'Example Org', CN: 'Example Org Private CA' }, isCA: true, keyUsage: ['keyCertSign', 'cRLSign'], keyType: 'p256' },
    stream('private-ca'),
  );
  const issued = (cn: string, serial: bigint, extra: Parameters<typeof makeIdentity>[0]) =>
    makeIdentity({ subject: { O: 'Example Org', CN: cn }, serial, issuer: privateCa, keyUsage: ['digitalSignature'], extKeyUsage: ['clientAuth'], ...extra }, stream(cn));
  return {
    webCa,
    server,
    alice: selfSigned('alice', 7n),
    mallory: selfSigned('mallory', 666n),
    privateCa,
    workload: issued('workload-a', 100n, { sans: { uri: [WORKLOAD_SPIFFE_ID] } }),
    serverOnlyLeaf: issued('bob', 101n, { extKeyUsage: ['serverAuth'] }),
    expiredLeaf: issued('carol', 102n, { notBefore: TEST_NOW - 400 * DAY, notAfter: TEST_NOW - 30 * DAY }),
    caLeaf: issued('dave', 103n, { isCA: true, keyUsage: ['digitalSignature', 'keyCertSign'] }),
  };
}

/** Both sides on the fixed test clock, each with its own random stream. */
function configs(cast: Cast, seed: string, client: Pick<ClientConfig, 'certificate' | 'provider'>, server: Pick<ServerConfig, 'trust' | 'clientAuth'>) {
  const clientConfig: ClientConfig = {
    now: () => TEST_NOW,
    random: seededRandom(`${seed}/client-connection`),
    serverName: SERVER_NAME,
    trust: { kind: 'ca', anchors: [cast.webCa.der] },
    ...client,
  };
  const serverConfig: ServerConfig = {
    now: () => TEST_NOW,
    random: seededRandom(`${seed}/server-connection`),
    certificate: cast.server,
    clientAuth: 'require',
    ...server,
  };
  return { client: clientConfig, server: serverConfig };
}

const ED25519 = { kind: 'ed25519' } as const;
const pinAlice = (cast: Cast): TrustPolicy => ({ kind: 'pinned-certificate', certificates: [cast.alice.der] });
const privateCaPolicy = (cast: Cast): TrustPolicy => ({ kind: 'ca', anchors: [cast.privateCa.der] });
const refusedBy = (alert: AlertName): ExpectedOutcome => ({ kind: 'alert', alert, sentBy: 'server' });

/** The length of the CertificateVerify content before the transcript hash: 64 spaces, context string, 0x00. */
const CLIENT_CONTENT_PREFIX = certificateVerifyContent('client', new Uint8Array(0)).length;

/**
 * Alice's certificate with a signer of our choosing: what a client can do when it controls its own
 * CertificateVerify (it always does), running a copy of the engine that sends its signature unverified.
 */
function aliceSigningWith(cast: Cast, sign: (content: Uint8Array) => Uint8Array): { certificate: CertifiedKey; provider: CryptoProvider } {
  return sendingWhatItSigns({ chain: cast.alice.chain, signer: (_scheme, content) => sign(content) });
}

/** The CertificateVerify signature a client sent in a finished pair. */
function sentCertificateVerify(pair: InMemoryPair): Uint8Array {
  for (const event of pair.events('client')) {
    if (event.type === 'handshake-message' && event.direction === 'out' && event.message.kind === 'certificate_verify') return event.message.signature;
  }
  throw new Error('the client sent no CertificateVerify');
}

interface ScenarioDefinition {
  summary: string;
  setup(seed: string): ScenarioSetup;
}

export const MUTUAL_TLS_SCENARIOS: Record<MutualTlsScenarioName, ScenarioDefinition> = {
  'pinned-self-signed': {
    summary: 'the server trusts exactly one self-signed client certificate, pinned by its bytes: connected',
    setup(seed) {
      const cast = makeCast(seed);
      return {
        name: 'pinned-self-signed',
        question: 'Can a server trust one specific self-signed client certificate?',
        story: [
          'The server requires a client certificate and trusts exactly one: alice\'s self-signed certificate,',
          'pinned by its DER bytes. No CA is involved; the pin is the trust. Alice proves she holds the',
          'certificate\'s key with CertificateVerify, a signature over this handshake\'s transcript hash.',
        ],
        ...configs(cast, seed, { certificate: cast.alice }, { trust: pinAlice(cast) }),
        expected: { kind: 'connected', clientSubject: 'CN=alice' },
      };
    },
  },
  'stolen-certificate': {
    summary: 'a client presents the pinned certificate but signs with another key: decrypt_error',
    setup(seed) {
      const cast = makeCast(seed);
      const random = seededRandom(`${seed}/mallory-signs`);
      const misbehaving = aliceSigningWith(cast, (content) => nobleProvider.sign(ED25519, cast.mallory.privateKey, content, random));
      return {
        name: 'stolen-certificate',
        question: 'What stops someone who copied the pinned certificate?',
        story: [
          'Mallory copied alice\'s certificate (it is public: it crosses the wire in every handshake) and',
          'presents it. The pin matches, so the trust policy says "trusted". But mallory does not hold alice\'s',
          'private key and signs CertificateVerify with her own: the signature does not verify with the key in',
          'the certificate, and the server ends the handshake with decrypt_error (RFC 8446 §4.4.3).',
        ],
        ...configs(cast, seed, misbehaving, { trust: pinAlice(cast) }),
        expected: refusedBy('decrypt_error'),
      };
    },
  },
  'replayed-certificate-verify': {
    summary: 'a CertificateVerify recorded from an earlier handshake is replayed: decrypt_error',
    setup(seed) {
      const cast = makeCast(seed);
      // An earlier, honest handshake by alice, recorded by an eavesdropper with the session keys.
      const earlier = configs(cast, `${seed}/earlier`, { certificate: cast.alice }, { trust: pinAlice(cast) });
      const recorded = sentCertificateVerify(new InMemoryPair(earlier.client, earlier.server).run());
      const misbehaving = aliceSigningWith(cast, () => recorded);
      return {
        name: 'replayed-certificate-verify',
        question: 'Can a CertificateVerify seen once be used again?',
        story: [
          'An attacker recorded alice\'s CertificateVerify from an earlier handshake (a valid signature by',
          'alice\'s key) and replays it in a new one, with alice\'s certificate. The signature covers the',
          'transcript hash, which includes both hello randoms and key shares: this handshake\'s transcript is',
          'different, the signature does not verify, and the server sends decrypt_error.',
        ],
        ...configs(cast, seed, misbehaving, { trust: pinAlice(cast) }),
        expected: refusedBy('decrypt_error'),
      };
    },
  },
  'wrong-context': {
    summary: 'a CertificateVerify signed with the server context string: decrypt_error',
    setup(seed) {
      const cast = makeCast(seed);
      const random = seededRandom(`${seed}/wrong-context`);
      const misbehaving = aliceSigningWith(cast, (content) => {
        const transcriptHash = content.subarray(CLIENT_CONTENT_PREFIX);
        return nobleProvider.sign(ED25519, cast.alice.privateKey, certificateVerifyContent('server', transcriptHash), random);
      });
      return {
        name: 'wrong-context',
        question: 'Why does CertificateVerify sign a context string naming the role?',
        story: [
          'Alice holds her key and signs this very transcript, but with the context string',
          '"TLS 1.3, server CertificateVerify". The server checks a client signature against',
          '"TLS 1.3, client CertificateVerify", so the signature does not verify: decrypt_error. The role in',
          'the signed content is what keeps a signature made as one role from being accepted as the other.',
        ],
        ...configs(cast, seed, misbehaving, { trust: pinAlice(cast) }),
        expected: refusedBy('decrypt_error'),
      };
    },
  },
  'unpinned-self-signed': {
    summary: 'a different self-signed certificate under the pin policy: bad_certificate',
    setup(seed) {
      const cast = makeCast(seed);
      return {
        name: 'unpinned-self-signed',
        question: 'What happens to a self-signed certificate that is not pinned?',
        story: [
          'Mallory presents her own self-signed certificate and holds its key, so her CertificateVerify is',
          'valid. The server pins only alice\'s certificate: mallory\'s is refused with bad_certificate before',
          'her CertificateVerify is even read.',
        ],
        ...configs(cast, seed, { certificate: cast.mallory }, { trust: pinAlice(cast) }),
        expected: refusedBy('bad_certificate'),
      };
    },
  },
  'unpinned-self-signed-ca-policy': {
    summary: 'a self-signed certificate under a CA policy (private CA anchor): unknown_ca',
    setup(seed) {
      const cast = makeCast(seed);
      return {
        name: 'unpinned-self-signed-ca-policy',
        question: 'What does a CA policy say about a self-signed certificate it does not anchor?',
        story: [
          'The server trusts certificates issued by "Example Org Private CA". Mallory\'s self-signed',
          'certificate is its own issuer, and no trust anchor issued it: unknown_ca.',
        ],
        ...configs(cast, seed, { certificate: cast.mallory }, { trust: privateCaPolicy(cast) }),
        expected: refusedBy('unknown_ca'),
      };
    },
  },
  'missing-client-auth-eku': {
    summary: 'a client leaf from the private CA whose extKeyUsage lists only serverAuth: unsupported_certificate',
    setup(seed) {
      const cast = makeCast(seed);
      return {
        name: 'missing-client-auth-eku',
        question: 'Does the extended key usage matter for a client certificate?',
        story: [
          'Bob\'s certificate chains to the private CA the server trusts, but its extKeyUsage allows only',
          'serverAuth. A client certificate must allow clientAuth (RFC 5280 §4.2.1.12): unsupported_certificate.',
        ],
        ...configs(cast, seed, { certificate: cast.serverOnlyLeaf }, { trust: privateCaPolicy(cast) }),
        expected: refusedBy('unsupported_certificate'),
      };
    },
  },
  'expired-client-certificate': {
    summary: 'a client leaf from the private CA that expired 30 days ago: certificate_expired',
    setup(seed) {
      const cast = makeCast(seed);
      return {
        name: 'expired-client-certificate',
        question: 'Is the validity period checked for client certificates?',
        story: [
          'Carol\'s certificate was issued by the private CA the server trusts, but expired 30 days before',
          'the (injected) clock says now: certificate_expired.',
        ],
        ...configs(cast, seed, { certificate: cast.expiredLeaf }, { trust: privateCaPolicy(cast) }),
        expected: refusedBy('certificate_expired'),
      };
    },
  },
  'ca-leaf': {
    summary: 'a client leaf that carries basicConstraints cA=TRUE, under a CA policy: bad_certificate',
    setup(seed) {
      const cast = makeCast(seed);
      return {
        name: 'ca-leaf',
        question: 'May a CA certificate authenticate a client?',
        story: [
          'Dave\'s certificate was issued by the private CA, but says it is itself a CA (cA=TRUE). Under a CA',
          'policy an end-entity certificate must not be a CA certificate: bad_certificate.',
        ],
        ...configs(cast, seed, { certificate: cast.caLeaf }, { trust: privateCaPolicy(cast) }),
        expected: refusedBy('bad_certificate'),
      };
    },
  },
  'no-certificate-when-required': {
    summary: 'the client has no certificate and the server requires one: certificate_required',
    setup(seed) {
      const cast = makeCast(seed);
      return {
        name: 'no-certificate-when-required',
        question: 'What happens when a client without a certificate meets a server that requires one?',
        story: [
          'The client has no certificate, so it answers CertificateRequest with an empty Certificate and no',
          'CertificateVerify (RFC 8446 §4.4.2). The server requires one: certificate_required (§4.4.2.4).',
        ],
        ...configs(cast, seed, {}, { trust: pinAlice(cast) }),
        expected: refusedBy('certificate_required'),
      };
    },
  },
  'private-ca': {
    summary: 'a client certificate issued by a private CA, with a SPIFFE ID the server reads: connected',
    setup(seed) {
      const cast = makeCast(seed);
      return {
        name: 'private-ca',
        question: 'How does a private CA with SPIFFE IDs identify workloads?',
        story: [
          'The server trusts "Example Org Private CA" and names it in CertificateRequest.certificate_authorities.',
          `Workload a presents an X.509-SVID issued by that CA: one URI SAN, ${WORKLOAD_SPIFFE_ID}, not a CA.`,
          'The chain validates, CertificateVerify proves the key, and the server reads the SPIFFE ID as the',
          'workload\'s identity (what the application authorizes against).',
        ],
        ...configs(cast, seed, { certificate: cast.workload }, { trust: privateCaPolicy(cast) }),
        expected: { kind: 'connected', clientSpiffeId: WORKLOAD_SPIFFE_ID },
      };
    },
  },
};

/** The outcome recorded in a pair's events: both sides connected, or the first fatal alert and its sender. */
export function outcomeOf(pair: InMemoryPair): ActualOutcome {
  const sent = pair.log.find((e): e is { side: Role; event: Extract<TlsEvent, { type: 'alert' }> } => e.event.type === 'alert' && e.event.direction === 'out' && e.event.level === 'fatal');
  if (sent) {
    const { description, reason, detail } = sent.event;
    return { kind: 'alert', alert: description, sentBy: sent.side, ...(reason ? { reason } : {}), ...(detail ? { detail } : {}) };
  }
  // Both completed the handshake (they may have closed cleanly since).
  if (['client', 'server'].every((side) => pair.log.some((e) => e.side === side && e.event.type === 'connected'))) {
    const client = pair.server.info.peer;
    return { kind: 'connected', ...(client ? { client } : {}) };
  }
  return { kind: 'stalled', clientState: pair.client.state, serverState: pair.server.state };
}

export function meetsExpectation(expected: ExpectedOutcome, actual: ActualOutcome): boolean {
  if (expected.kind === 'alert') return actual.kind === 'alert' && actual.alert === expected.alert && actual.sentBy === expected.sentBy;
  if (actual.kind !== 'connected') return false;
  if (expected.clientSubject !== undefined && actual.client?.subject !== expected.clientSubject) return false;
  if (expected.clientSpiffeId !== undefined && actual.client?.spiffeId !== expected.clientSpiffeId) return false;
  return true;
}

/** Runs a scenario's handshake to its end and says whether it ended as expected. */
export function runScenario(setup: ScenarioSetup, options: { trace?: boolean } = {}): ScenarioResult {
  const trace = options.trace ?? false;
  const pair = new InMemoryPair({ ...setup.client, trace }, { ...setup.server, trace }, setup.pairOptions).run();
  const actual = outcomeOf(pair);
  const trustDecision = pair.events('server').find((e) => e.type === 'decision' && e.topic === 'trust');
  const clientIdentity = pair.server.info.peer;
  return {
    name: setup.name,
    question: setup.question,
    expected: setup.expected,
    actual,
    asExpected: meetsExpectation(setup.expected, actual),
    ...(trustDecision?.type === 'decision' ? { serverTrustDecision: `${trustDecision.value}: ${trustDecision.reason}` } : {}),
    ...(clientIdentity ? { clientIdentity } : {}),
    pair,
  };
}

/** Sets up and runs the named scenario. */
export function runMutualTlsScenario(name: MutualTlsScenarioName, seed = 'tls13-lab', options: { trace?: boolean } = {}): ScenarioResult {
  return runScenario(MUTUAL_TLS_SCENARIOS[name].setup(seed), options);
}

/** The expectation in one line, for people. */
export function describeExpected(expected: ExpectedOutcome): string {
  if (expected.kind === 'alert') return `${expected.sentBy} sends ${expected.alert}`;
  const who = [expected.clientSubject, expected.clientSpiffeId].filter((f) => f !== undefined);
  return `connected${who.length ? ` (client ${who.join(', ')})` : ''}`;
}

/** What happened in one line, for people. */
export function describeActual(actual: ActualOutcome): string {
  switch (actual.kind) {
    case 'connected': {
      const who = [actual.client?.subject, actual.client?.spiffeId].filter((f) => f !== undefined && f !== '');
      return `connected${who.length ? ` (client ${who.join(', ')})` : ' (client anonymous)'}`;
    }
    case 'alert':
      return `${actual.sentBy} sends ${actual.alert}${actual.detail ? `: ${actual.detail}` : ''}`;
    case 'stalled':
      return `stalled (client ${actual.clientState}, server ${actual.serverState})`;
  }
}
