// Demo scenarios for the parts of TLS 1.3 beyond one full handshake: HelloRetryRequest, resumption, 0-RTT,
// KeyUpdate and post-handshake authentication. Each returns the configs of the connection it shows; where
// that connection needs a ticket, a first (untold) handshake made with the same seed issues it, and where
// the story happens after the handshake, `afterConnected` acts on the connected pair.
import { seededRandom } from '../crypto/random.js';
import type { ClientConfig, ServerConfig } from '../handshake/config.js';
import type { SessionTicket } from '../handshake/events.js';
import { InMemoryPair } from '../handshake/pair.js';
import { SingleUseTickets } from '../handshake/tickets.js';
import { makeIdentity, TEST_NOW, type Identity } from '../testing/certs.js';
import { utf8 } from '../wire/bytes.js';
import { NamedGroup } from '../wire/enums.js';
import { SHARE_LAYOUTS, type SharePart } from '../wire/key-share-layout.js';

export interface FeatureScenario {
  summary: string;
  setup(seed: string): FeatureSetup;
}

/** One demo connection: its two configs, the story told before it, and what each side says. */
export interface FeatureSetup {
  client: ClientConfig;
  server: ServerConfig;
  /** What the scenario shows, printed before the trace. */
  story: string[];
  /** The application data each side sends once connected. */
  clientMessage: string;
  serverReply: string;
  /** What happens once both sides are connected (a KeyUpdate, a post-handshake CertificateRequest). */
  afterConnected?: (pair: InMemoryPair) => void;
}

const SERVER_NAME = 'features.tls13-lab.test';

interface Cast {
  alice: Identity;
  client: ClientConfig;
  server: ServerConfig;
}

/** A server pinned by the client, alice's certificate pinned by the server, and a ticket key they share. */
function cast(seed: string): Cast {
  const identity = makeIdentity({ subject: { CN: SERVER_NAME }, sans: { dns: [SERVER_NAME] }, keyType: 'p256' }, seededRandom(`${seed}/server-cert`));
  const alice = makeIdentity({ subject: { CN: 'alice' }, extKeyUsage: ['clientAuth'] }, seededRandom(`${seed}/alice`));
  return {
    alice,
    client: { serverName: SERVER_NAME, now: () => TEST_NOW, random: seededRandom(`${seed}/client`), trust: { kind: 'pinned-certificate', certificates: [identity.der] } },
    server: {
      certificate: identity,
      now: () => TEST_NOW,
      random: seededRandom(`${seed}/server`),
      tickets: { count: 1, key: seededRandom(`${seed}/ticket-key`)(32), maxEarlyDataSize: 16_384, antiReplay: new SingleUseTickets() },
    },
  };
}

/** The ticket a first full handshake between the same two parties leaves with the client. */
function firstTicket(seed: string): SessionTicket {
  const { client, server } = cast(seed);
  const pair = new InMemoryPair({ ...client, random: seededRandom(`${seed}/first-client`) }, { ...server, random: seededRandom(`${seed}/first-server`) }).run();
  const event = pair.events('client').find((e) => e.type === 'session-ticket');
  if (event?.type !== 'session-ticket') throw new Error('the first handshake issued no ticket');
  return event.ticket;
}

/** "1216 bytes: 1184 ML-KEM-768 encapsulation key + 32 X25519 public key", from the layout table. */
function sizes(parts: readonly SharePart[]): string {
  const total = parts.reduce((sum, part) => sum + part.length, 0);
  return `${total} bytes: ${parts.map((part) => `${part.length} ${part.meaning.slice(0, part.meaning.indexOf(' ('))}`).join(' + ')}`;
}

const HYBRID = SHARE_LAYOUTS.get(NamedGroup.X25519MLKEM768)!;

export const FEATURE_SCENARIOS: Record<'hrr' | 'post-quantum' | 'resumption' | '0rtt' | 'key-update' | 'post-handshake-auth', FeatureScenario> = {
  hrr: {
    summary: 'HelloRetryRequest: the client guesses x25519, the server wants secp256r1 and asks again',
    setup(seed) {
      const { client, server } = cast(seed);
      return {
        client: { ...client, keyShareGroups: [NamedGroup.x25519] },
        server: { ...server, groups: [NamedGroup.secp256r1, NamedGroup.x25519], helloRetryForPreferredGroup: true },
        story: [
          'The client sends a key share for x25519 only (it lists secp256r1 as supported). The server prefers',
          'secp256r1, so it answers with a HelloRetryRequest naming that group (RFC 8446 §4.1.4). The client',
          'sends a second ClientHello with a secp256r1 share, and the transcript restarts with a message_hash',
          'standing for the first ClientHello (§4.4.1).',
        ],
        clientMessage: 'hello after a retry',
        serverReply: 'hello on secp256r1',
      };
    },
  },
  'post-quantum': {
    summary: 'post-quantum key exchange: the hybrid X25519MLKEM768 (ML-KEM-768 and X25519 together), as browsers send it',
    setup(seed) {
      const { client, server } = cast(seed);
      return {
        client: { ...client, groups: [NamedGroup.X25519MLKEM768, NamedGroup.x25519], keyShareGroups: [NamedGroup.X25519MLKEM768, NamedGroup.x25519] },
        server: { ...server, groups: [NamedGroup.X25519MLKEM768, NamedGroup.x25519] },
        story: [
          'The client sends two key shares, as browsers do: X25519MLKEM768 first, x25519 next to it for servers',
          `without post-quantum support. The hybrid share is ${sizes(HYBRID.client)}.`,
          `The server picks the hybrid and answers with ${sizes(HYBRID.server)}.`,
          'It encapsulated a fresh secret to the client\'s ML-KEM key and did an X25519 exchange; the key schedule',
          `gets both secrets concatenated (draft-ietf-tls-ecdhe-mlkem): ${HYBRID.protection}.`,
          'A recording of this handshake stays secret even from a future quantum computer, unless ML-KEM fails too.',
        ],
        clientMessage: 'hello, post-quantum',
        serverReply: 'hello, from both halves of the hybrid',
      };
    },
  },
  resumption: {
    summary: 'PSK resumption: a ticket from an earlier handshake, no certificates this time',
    setup(seed) {
      const { client, server } = cast(seed);
      return {
        client: { ...client, resumption: { ticket: firstTicket(seed) } },
        server,
        story: [
          'An earlier full handshake left the client a NewSessionTicket. Now it offers that ticket as a PSK',
          '(pre_shared_key, with a binder proving it knows the PSK, RFC 8446 §4.2.11) together with fresh key',
          'shares (psk_dhe_ke). The server opens the ticket, checks the binder and resumes: no Certificate, no',
          'CertificateVerify; the Finished messages, keyed from the PSK, prove both sides know it.',
        ],
        clientMessage: 'hello again',
        serverReply: 'welcome back',
      };
    },
  },
  '0rtt': {
    summary: '0-RTT: the client sends early data with its ClientHello, under a key from the ticket',
    setup(seed) {
      const { client, server } = cast(seed);
      return {
        client: { ...client, resumption: { ticket: firstTicket(seed), earlyData: utf8.encode('GET /index.html (sent as 0-RTT data)') } },
        server,
        story: [
          'Resuming with a ticket that allows early data, the client sends application data right after its',
          'ClientHello, protected with client_early_traffic_secret (RFC 8446 §2.3). The server accepts it: the',
          'ticket is used for the first time (single-use tickets are the replay defence here, §8.1). The client',
          'closes the early data with EndOfEarlyData before its Finished.',
        ],
        clientMessage: 'and this after the handshake',
        serverReply: 'got your early data',
      };
    },
  },
  'key-update': {
    summary: 'KeyUpdate: the client moves to new traffic keys and asks the server to do the same',
    setup(seed) {
      const { client, server } = cast(seed);
      return {
        client,
        server,
        story: [
          'After the handshake the client sends KeyUpdate with update_requested (RFC 8446 §4.6.3): its next',
          'records use application_traffic_secret_1. The server updates its receiving keys, then answers with',
          'its own KeyUpdate (update_not_requested) and switches its sending keys too.',
        ],
        clientMessage: 'hello under new keys',
        serverReply: 'and back under new keys',
        afterConnected: (pair) => pair.client.updateKeys(true),
      };
    },
  },
  'post-handshake-auth': {
    summary: 'post-handshake authentication: the server asks for a client certificate after the handshake',
    setup(seed) {
      const { client, server, alice } = cast(seed);
      return {
        client: { ...client, postHandshakeAuth: true, certificate: alice },
        server: { ...server, trust: { kind: 'pinned-certificate', certificates: [alice.der] } },
        story: [
          'The client offered post_handshake_auth (RFC 8446 §4.2.6). After the handshake the server sends a',
          'CertificateRequest with a fresh context; the client answers with Certificate, CertificateVerify and',
          'Finished over the handshake transcript plus this request (§4.6.2), and the server now knows alice.',
        ],
        clientMessage: 'hello, anonymous so far',
        serverReply: 'hello alice',
        afterConnected: (pair) => pair.server.requestClientCertificate(),
      };
    },
  },
};
