// The handshakes `tls13 demo` and the lab can show. Each scenario makes its certificates in-process from the seed and
// returns the two configs; adding a scenario is adding one entry to SCENARIOS.
import { seededRandom } from '../crypto/random.js';
import { makeIdentity, TEST_NOW, type Identity } from '../testing/certs.js';
import { describeExpected, MUTUAL_TLS_SCENARIOS, type ExpectedOutcome } from './mutual-tls.js';
import { FEATURE_SCENARIOS, type FeatureSetup } from './tls13-features.js';
import { RAW_PUBLIC_KEYS_SCENARIO } from './raw-public-keys.js';
import { EXTERNAL_PSK_SCENARIO } from './external-psk.js';

export interface DemoSetup extends FeatureSetup {
  /**
   * How the handshake must end: connected (the default) or one fatal alert. A scenario that shows a refusal
   * succeeds when the refusal happens (`meetsExpectation(expected, outcomeOf(pair))` in src/scenarios).
   */
  expected?: ExpectedOutcome;
}

export interface Scenario {
  summary: string;
  setup(seed: string): DemoSetup;
}

const SERVER_NAME = 'demo.tls13-lab.test';

/** A CA and a server certificate it issued for SERVER_NAME, all from the seed. */
function webPki(seed: string): { ca: Identity; server: Identity } {
  const random = seededRandom(`${seed}/certificates`);
  const ca = makeIdentity({ subject: { O: 'tls13-lab', CN: 'Demo Root CA' }, isCA: true, keyUsage: ['keyCertSign', 'cRLSign'] }, random);
  const server = makeIdentity(
    { subject: { CN: SERVER_NAME }, issuer: ca, serial: 2n, sans: { dns: [SERVER_NAME] }, extKeyUsage: ['serverAuth'], keyType: 'p256' },
    random,
  );
  return { ca, server };
}

/** Both sides run on the fixed test clock, each with its own seeded random stream. */
function common(seed: string, side: 'client' | 'server') {
  return { now: () => TEST_NOW, random: seededRandom(`${seed}/${side}`) };
}

export const SCENARIOS: Record<string, Scenario> = {
  'mutual-tls': {
    summary: 'the server pins one self-signed client certificate; the client checks the server against a CA',
    setup(seed) {
      const { ca, server } = webPki(seed);
      const alice = makeIdentity(
        { subject: { CN: 'alice' }, serial: 7n, sans: { uri: ['spiffe://tls13-lab.test/alice'] }, extKeyUsage: ['clientAuth'] },
        seededRandom(`${seed}/alice`),
      );
      return {
        client: { ...common(seed, 'client'), serverName: SERVER_NAME, trust: { kind: 'ca', anchors: [ca.der] }, certificate: alice },
        server: {
          ...common(seed, 'server'),
          certificate: server,
          clientAuth: 'require',
          trust: { kind: 'pinned-certificate', certificates: [alice.der] },
        },
        story: [
          `The server (${SERVER_NAME}, certificate issued by "Demo Root CA") requires a client certificate and`,
          'trusts exactly one: alice\'s self-signed certificate, pinned by its bytes. No CA vouches for alice;',
          'the pin is the trust. The certificate alone proves nothing (it is public): alice proves she holds its',
          'key with CertificateVerify, a signature over the transcript hash of this very handshake.',
        ],
        clientMessage: 'hello from alice',
        serverReply: 'hello alice, you are pinned',
      };
    },
  },
  '1rtt': {
    summary: 'a plain 1-RTT handshake: the client checks the server against a CA; no client certificate; ALPN',
    setup(seed) {
      const { ca, server } = webPki(seed);
      return {
        client: { ...common(seed, 'client'), serverName: SERVER_NAME, trust: { kind: 'ca', anchors: [ca.der] }, alpnProtocols: ['h2', 'http/1.1'] },
        server: { ...common(seed, 'server'), certificate: server, alpnProtocols: ['http/1.1'] },
        story: [
          `The full TLS 1.3 handshake of RFC 8446 §2: one round trip, the server (${SERVER_NAME}) authenticates`,
          'with a certificate issued by "Demo Root CA", the client stays anonymous, and ALPN picks http/1.1.',
        ],
        clientMessage: 'GET / HTTP/1.1',
        serverReply: 'HTTP/1.1 204 No Content',
      };
    },
  },
  'raw-public-keys': {
    summary: RAW_PUBLIC_KEYS_SCENARIO.summary,
    setup(seed) {
      const { client, server, story, question, expected } = RAW_PUBLIC_KEYS_SCENARIO.setup(seed);
      return {
        client,
        server,
        story: [question, ...story, `Expected: ${describeExpected(expected)}.`],
        clientMessage: 'hello from a pinned raw key',
        serverReply: 'hello, your key is pinned',
        expected,
      };
    },
  },
  'external-psk': {
    summary: EXTERNAL_PSK_SCENARIO.summary,
    setup(seed) {
      const { client, server, story, question, expected } = EXTERNAL_PSK_SCENARIO.setup(seed);
      return {
        client,
        server,
        story: [question, ...story, `Expected: ${describeExpected(expected)}.`],
        clientMessage: 'hello from the holder of the PSK',
        serverReply: 'hello, you hold the PSK',
        expected,
      };
    },
  },
  ...Object.fromEntries(
    Object.entries(MUTUAL_TLS_SCENARIOS).map(([name, scenario]): [string, Scenario] => [
      name,
      {
        summary: scenario.summary,
        setup(seed) {
          const { client, server, story, question, expected } = scenario.setup(seed);
          return {
            client,
            server,
            story: [question, ...story, `Expected: ${describeExpected(expected)}.`],
            clientMessage: 'hello from the client',
            serverReply: 'hello, authenticated client',
            expected,
          };
        },
      },
    ]),
  ),
  ...FEATURE_SCENARIOS,
};
