// Walkthroughs: narrated handshakes of every variant, each made from an actual, deterministic run (seeded
// randomness, fixed clock) and rendered as Markdown with an annotated hex dump of each message. A pure
// function: `scripts/walkthrough.ts` writes the pages to docs/walkthrough/, and a test regenerates them in
// memory and fails when the committed pages no longer match what the code produces.
import { generateKeyPair } from '../auth/builder.js';
import { encodeSpki } from '../auth/keys.js';
import { nobleProvider } from '../crypto/noble.js';
import type { PrivateKey } from '../crypto/provider.js';
import { seededRandom } from '../crypto/random.js';
import type { ClientConfig, ServerConfig } from '../handshake/config.js';
import type { Role, SessionTicket } from '../handshake/events.js';
import { InMemoryPair } from '../handshake/pair.js';
import { SingleUseTickets } from '../handshake/tickets.js';
import { makeIdentity, sendingWhatItSigns, signingWithAnotherKey, TEST_NOW, type Identity } from '../testing/certs.js';
import { hex, utf8 } from '../wire/bytes.js';
import { cipherSuiteName, NamedGroup } from '../wire/enums.js';
import type { HandshakeMessage } from '../wire/types.js';
import { groupProtection } from '../wire/key-share-layout.js';
import { helloSizeTable, measureHelloSizes } from './hello-sizes.js';
import { describeNegotiated, hexDump, messageHeading, messageSummary, TextNarrator } from './text.js';

export interface WalkthroughSession {
  /** The handshake the page tells. */
  pair: InMemoryPair;
  /** An earlier connection it builds on (the full handshake that issued a resumption ticket). */
  earlier?: InMemoryPair;
}

export interface Walkthrough {
  /** File name without extension, e.g. `1-rtt`. */
  slug: string;
  title: string;
  /** Paragraphs before the trace: what the scenario shows and how it is set up. */
  intro: string[];
  run(): WalkthroughSession;
  /** Sections after the outcome, made from further runs (the post-quantum page's size table). */
  appendix?(): string[];
}

const SEED = 'tls13-lab walkthrough';
const SERVER_NAME = 'server.tls13-lab.test';
/** A whole HTTP/1.1 exchange, so a decrypted capture shows it as HTTP. */
const REQUEST = `GET / HTTP/1.1\r\nHost: ${SERVER_NAME}\r\n\r\n`;
const RESPONSE = 'HTTP/1.1 204 No Content\r\n\r\n';

/** Both ends on the fixed clock, each with its own seeded random stream. */
function common(stream: string) {
  return { now: () => TEST_NOW, random: seededRandom(`${SEED}/${stream}`), trace: true };
}

/** A CA, a server certificate it issued, and three self-signed client identities. */
function identities() {
  const random = seededRandom(`${SEED}/certificates`);
  const ca = makeIdentity({ subject: { O: 'tls13-lab', CN: 'Walkthrough Root CA' }, isCA: true, keyUsage: ['keyCertSign', 'cRLSign'] }, random);
  const server = makeIdentity(
    { subject: { CN: SERVER_NAME }, issuer: ca, serial: 2n, sans: { dns: [SERVER_NAME] }, extKeyUsage: ['serverAuth'], keyType: 'p256' },
    random,
  );
  const client = (name: string, serial: bigint): Identity =>
    makeIdentity({ subject: { CN: name }, serial, sans: { uri: [`spiffe://tls13-lab.test/${name}`] }, extKeyUsage: ['clientAuth'] }, random);
  return { ca, server, alice: client('alice', 7n), mallory: client('mallory', 8n) };
}

/** Handshake, one message each way, then close_notify both ways (when the handshake succeeded). */
function converse(pair: InMemoryPair, clientMessage: string, serverReply: string): InMemoryPair {
  pair.run();
  if (!pair.client.isConnected || !pair.server.isConnected) return pair;
  pair.client.write(utf8.encode(clientMessage));
  pair.run();
  pair.server.write(utf8.encode(serverReply));
  pair.run();
  pair.client.close();
  pair.run();
  pair.server.close();
  pair.run();
  return pair;
}

function clientTrustingCa(ca: Identity, stream: string, extra: Partial<ClientConfig> = {}): ClientConfig {
  return { ...common(stream), serverName: SERVER_NAME, trust: { kind: 'ca', anchors: [ca.der] }, ...extra };
}

function ticketFrom(pair: InMemoryPair): SessionTicket {
  const event = pair.events('client').find((e) => e.type === 'session-ticket');
  if (event?.type !== 'session-ticket') throw new Error('the first connection received no session ticket');
  return event.ticket;
}

/** A server that issues tickets (one key for both connections) and accepts up to 1 KiB of 0-RTT data. */
function ticketServer(server: Identity, stream: string): ServerConfig {
  return {
    ...common(stream),
    certificate: server,
    tickets: { count: 1, key: seededRandom(`${SEED}/ticket key`)(32), maxEarlyDataSize: 1024, antiReplay: new SingleUseTickets() },
  };
}

export const WALKTHROUGHS: readonly Walkthrough[] = [
  {
    slug: '1-rtt',
    title: 'A full 1-RTT handshake',
    intro: [
      'The handshake of RFC 8446 §2: one round trip. The client offers key shares for X25519MLKEM768 and x25519 (its ' +
        'defaults, what browsers send; [post-quantum.md](post-quantum.md) takes the hybrid share apart); the server ' +
        `(${SERVER_NAME}) answers with its own share for the hybrid, and from then on everything is encrypted. The server ` +
        'proves its identity with a ' +
        'certificate issued by "Walkthrough Root CA" and a CertificateVerify signature over the transcript; the client ' +
        'stays anonymous. ALPN picks http/1.1.',
    ],
    run() {
      const { ca, server } = identities();
      return {
        pair: converse(
          new InMemoryPair(
            clientTrustingCa(ca, '1-rtt/client', { alpnProtocols: ['h2', 'http/1.1'] }),
            { ...common('1-rtt/server'), certificate: server, alpnProtocols: ['http/1.1'] },
          ),
          REQUEST,
          RESPONSE,
        ),
      };
    },
  },
  {
    slug: 'hello-retry-request',
    title: 'HelloRetryRequest: the server asks for another key share',
    intro: [
      'The client sends a key share for x25519 only, but this server accepts secp256r1 alone. Rather than fail, it ' +
        'answers with a HelloRetryRequest (RFC 8446 §4.1.4): a ServerHello with a special random that names the group ' +
        'it wants and carries a cookie the client must echo. The client sends a second ClientHello with a secp256r1 ' +
        'share. In the transcript the first ClientHello is replaced by a message_hash of it (§4.4.1), which is why the ' +
        'server can keep no state between the two hellos.',
    ],
    run() {
      const { ca, server } = identities();
      return {
        pair: converse(
          new InMemoryPair(clientTrustingCa(ca, 'hrr/client', { keyShareGroups: [NamedGroup.x25519] }), {
            ...common('hrr/server'),
            certificate: server,
            groups: [NamedGroup.secp256r1],
            helloRetryCookie: () => utf8.encode('walkthrough cookie'),
          }),
          REQUEST,
          RESPONSE,
        ),
      };
    },
  },
  {
    slug: 'post-quantum',
    title: 'Post-quantum key exchange: the hybrid X25519MLKEM768',
    intro: [
      'The client sends two key shares, as browsers do in 2026: X25519MLKEM768 (0x11EC, draft-ietf-tls-ecdhe-mlkem) ' +
        'first, and x25519 next to it for servers without post-quantum support. The hybrid share is an ML-KEM-768 ' +
        'encapsulation key (FIPS 203) followed by an X25519 public key. The server picks the hybrid and answers with an ' +
        'ML-KEM-768 ciphertext (a fresh secret encapsulated to the client\'s key) followed by its own X25519 public key. ' +
        'Both sides feed the two shared secrets, concatenated, into the key schedule as the (EC)DHE input of RFC 8446 §7.1: ' +
        `${groupProtection(NamedGroup.X25519MLKEM768)}. A recording of this handshake cannot be decrypted later by a ` +
        'quantum computer that breaks X25519, nor today by anyone who finds a flaw in ML-KEM alone.',
    ],
    run() {
      const { ca, server } = identities();
      const groups = [NamedGroup.X25519MLKEM768, NamedGroup.x25519];
      return {
        pair: converse(
          new InMemoryPair(clientTrustingCa(ca, 'pq/client', { groups, keyShareGroups: groups }), { ...common('pq/server'), certificate: server, groups }),
          REQUEST,
          RESPONSE,
        ),
      };
    },
    appendix() {
      const { ca, server } = identities();
      const rows = measureHelloSizes(clientTrustingCa(ca, 'pq/sizes-client'), { ...common('pq/sizes-server'), certificate: server }, [
        [NamedGroup.x25519],
        [NamedGroup.X25519MLKEM768],
        [NamedGroup.X25519MLKEM768, NamedGroup.x25519],
        [NamedGroup.secp256r1],
        [NamedGroup.SecP256r1MLKEM768],
        [NamedGroup.SecP384r1MLKEM1024],
        [NamedGroup.MLKEM768],
        [NamedGroup.MLKEM1024],
      ]);
      return [
        '## The size cost',
        '',
        'Measured from real handshakes like the one above that differ only in the key shares the client sends (the ' +
          'server accepts exactly those groups). Sizes are whole handshake messages, header included; the difference ' +
          'is to the first row, a classical x25519 handshake.',
        '',
        ...helloSizeTable(rows),
        '',
      ];
    },
  },
  {
    slug: 'resumption',
    title: 'Resumption with a session ticket (PSK with (EC)DHE)',
    intro: [
      'A first, full handshake ends with a NewSessionTicket from the server (RFC 8446 §4.6.1): an opaque ticket and ' +
        'a nonce from which both sides derive a pre-shared key. This page shows the second connection: the client ' +
        'offers that PSK in a pre_shared_key extension with a binder (an HMAC over the ClientHello proving it holds ' +
        'the PSK, §4.2.11.2), together with a fresh key share (psk_dhe_ke, for forward secrecy). The server accepts: ' +
        'no Certificate, no CertificateVerify; the PSK stands for the identity proven in the first handshake.',
    ],
    run() {
      const { ca, server } = identities();
      const earlier = converse(new InMemoryPair(clientTrustingCa(ca, 'resumption/client-1'), ticketServer(server, 'resumption/server-1')), 'first', 'ticket sent');
      const pair = converse(
        new InMemoryPair(clientTrustingCa(ca, 'resumption/client-2', { resumption: { ticket: ticketFrom(earlier) } }), ticketServer(server, 'resumption/server-2')),
        REQUEST,
        RESPONSE,
      );
      return { pair, earlier };
    },
  },
  {
    slug: '0-rtt',
    title: '0-RTT: early data with a resumed session',
    intro: [
      'With a ticket that allows early data (max_early_data_size in the NewSessionTicket), the client sends ' +
        'application data in its first flight, encrypted under client_early_traffic_secret, before any reply ' +
        '(RFC 8446 §2.3). The server accepts it (early_data in EncryptedExtensions), the client ends its early data ' +
        'with EndOfEarlyData, and the handshake finishes as a resumption. 0-RTT data has no forward secrecy and can ' +
        'be replayed: this server remembers each ticket it accepted once (single-use tickets, §8.1).',
    ],
    run() {
      const { ca, server } = identities();
      const earlier = converse(new InMemoryPair(clientTrustingCa(ca, '0-rtt/client-1'), ticketServer(server, '0-rtt/server-1')), 'first', 'ticket sent');
      const resumption = { ticket: ticketFrom(earlier), earlyData: utf8.encode('GET /early HTTP/1.1') };
      const pair = converse(
        new InMemoryPair(clientTrustingCa(ca, '0-rtt/client-2', { resumption }), ticketServer(server, '0-rtt/server-2')),
        'GET /after HTTP/1.1',
        'HTTP/1.1 204 No Content',
      );
      return { pair, earlier };
    },
  },
  {
    slug: 'mutual-tls-pinned',
    title: 'Mutual TLS with a pinned self-signed client certificate',
    intro: [
      'The server requires a client certificate (CertificateRequest, RFC 8446 §4.3.2) and trusts exactly one: ' +
        "alice's self-signed certificate, pinned by its bytes. No CA vouches for alice; the pin is the trust. The " +
        'certificate alone proves nothing (it is public): alice proves she holds its private key with her ' +
        'CertificateVerify, a signature over the transcript hash of this very handshake (§4.4.3), which nobody ' +
        'without the key can make.',
    ],
    run() {
      const { ca, server, alice } = identities();
      return {
        pair: converse(
          new InMemoryPair(clientTrustingCa(ca, 'mtls/client', { certificate: alice }), {
            ...common('mtls/server'),
            certificate: server,
            clientAuth: 'require',
            trust: { kind: 'pinned-certificate', certificates: [alice.der] },
          }),
          'hello from alice',
          'hello alice, you are pinned',
        ),
      };
    },
  },
  {
    slug: 'stolen-certificate',
    title: 'A failed handshake: a stolen certificate',
    intro: [
      "Mallory copied alice's certificate (certificates are public) and presents it to the server that pins it. " +
        'The trust check passes: these are exactly the pinned bytes. But mallory does not have alice\'s private key; ' +
        'she signs her CertificateVerify with her own. The server verifies the signature with the public key in the ' +
        'certificate, it does not match, and the handshake ends with a decrypt_error alert (RFC 8446 §4.4.3: "If the ' +
        'verification fails, the receiver MUST terminate the handshake with a "decrypt_error" alert"). (tls13-lab\'s own ' +
        'client checks its signature before sending it and would stop with internal_error; mallory runs a copy without ' +
        'that check, as an attacker controls her own end.)',
    ],
    run() {
      const { ca, server, alice, mallory } = identities();
      return {
        pair: converse(
          new InMemoryPair(clientTrustingCa(ca, 'stolen/client', sendingWhatItSigns(signingWithAnotherKey(alice.chain, mallory.privateKey, seededRandom('stolen/mallory')))), {
            ...common('stolen/server'),
            certificate: server,
            clientAuth: 'require',
            trust: { kind: 'pinned-certificate', certificates: [alice.der] },
          }),
          'hello, I am alice',
          'never sent',
        ),
      };
    },
  },
  {
    slug: 'raw-public-keys',
    title: 'Raw public keys (RFC 7250) in both directions',
    intro: [
      'No certificates at all: each side sends only its SubjectPublicKeyInfo, after both agreed on the raw public key ' +
        'certificate type (server_certificate_type and client_certificate_type, RFC 7250 §4.1). Trust is an allow-list ' +
        'of keys: the client pins the SHA-256 of the server key, the server lists the client key. As with certificates, ' +
        'each side proves it holds its private key with CertificateVerify; the key alone, like a certificate, is public.',
    ],
    run() {
      const random = seededRandom(`${SEED}/raw keys`);
      const serverKey = generateKeyPair('ed25519', random, nobleProvider).privateKey;
      const clientKey = generateKeyPair('p256', random, nobleProvider).privateKey;
      const spki = (key: PrivateKey) => encodeSpki(nobleProvider.publicKeyOf(key));
      return {
        pair: converse(
          new InMemoryPair(
            {
              ...common('rpk/client'),
              trust: { kind: 'pinned-key', spkiSha256: [hex(nobleProvider.hash('sha256', spki(serverKey)))] },
              serverCertificateTypes: ['raw-public-key'],
              rawPublicKey: { privateKey: clientKey },
            },
            {
              ...common('rpk/server'),
              rawPublicKey: { privateKey: serverKey },
              clientAuth: 'require',
              clientCertificateTypes: ['raw-public-key'],
              trust: { kind: 'pinned-key', keys: [spki(clientKey)] },
            },
          ),
          'hello from a raw key',
          'hello, raw key',
        ),
      };
    },
  },
];

/** What each message is for, in a sentence, with its section of RFC 8446. */
const MESSAGE_ROLES: Record<HandshakeMessage['kind'], string> = {
  client_hello:
    'The client opens the handshake: its random, the cipher suites, groups and signature schemes it supports, and key shares (RFC 8446 §4.1.2).',
  server_hello:
    'The server picks a cipher suite and answers the key exchange with its own share; from here on both sides derive the handshake secrets (RFC 8446 §4.1.3).',
  hello_retry_request:
    'A ServerHello with the special HelloRetryRequest random: the server names what the client must change in a second ClientHello (RFC 8446 §4.1.4).',
  encrypted_extensions: 'The first encrypted message: the extensions that are not needed to set up the keys, such as ALPN (RFC 8446 §4.3.1).',
  certificate_request: 'The server asks the client for a certificate and says which signature schemes it accepts (RFC 8446 §4.3.2).',
  certificate: 'The certificate chain, leaf first (RFC 8446 §4.4.2). Public: it says who, not that the sender is who.',
  certificate_verify:
    'A signature with the private key of the certificate over the transcript hash so far: the proof of possession (RFC 8446 §4.4.3).',
  finished: 'An HMAC over the transcript with a key from the handshake secret: it binds the whole handshake and authenticates it (RFC 8446 §4.4.4).',
  new_session_ticket: 'After the handshake, a ticket the client can use to resume the session later (RFC 8446 §4.6.1).',
  end_of_early_data: 'The client says its 0-RTT data is over and switches to the handshake keys (RFC 8446 §4.5).',
  key_update: 'A switch to the next generation of traffic keys (RFC 8446 §4.6.3).',
  compressed_certificate: 'The Certificate message, compressed with an algorithm the receiver offered (RFC 8879 §4).',
  message_hash: 'The stand-in for ClientHello1 in the transcript after a HelloRetryRequest (RFC 8446 §4.4.1).',
};

function fence(lines: string[]): string[] {
  return ['```text', ...lines, '```'];
}

function outcome(pair: InMemoryPair): string[] {
  const connected = (side: Role) => pair.events(side).find((e) => e.type === 'connected');
  const lines: string[] = [];
  for (const side of ['client', 'server'] as const) {
    const event = connected(side);
    if (event?.type === 'connected') lines.push(`- The ${side} is connected: ${describeNegotiated(event.info)}${event.info.resumed ? ', resumed' : ''}${event.info.earlyData ? `, 0-RTT ${event.info.earlyData}` : ''}.`);
    const peer = pair.connection(side).info.peer;
    if (peer) lines.push(`- The ${side} trusts its peer (${peer.subject ?? `raw key sha256/${peer.spkiSha256Base64}`}): ${peer.verdict.rule}, ${peer.verdict.detail}.`);
  }
  for (const { side, event } of pair.log) {
    if (event.type === 'alert' && event.direction === 'out' && event.level === 'fatal') {
      lines.push(`- The ${side} sent a fatal **${event.description}** alert: ${event.reason ?? ''}: ${event.detail ?? ''}.`);
    }
  }
  return lines;
}

function earlierSummary(earlier: InMemoryPair): string[] {
  const kinds = (side: Role) =>
    earlier.log.flatMap((e) => (e.side === side && e.event.type === 'handshake-message' && e.event.direction === 'out' ? [e.event.message.kind] : []));
  const ticket = earlier.events('client').find((e) => e.type === 'session-ticket');
  return [
    '## Before this: the connection that issued the ticket',
    '',
    `A full handshake (client sent ${kinds('client').join(', ')}; server sent ${kinds('server').join(', ')}).`,
    ticket?.type === 'session-ticket'
      ? `The client kept a ticket of ${ticket.ticket.ticket.length} bytes, lifetime ${ticket.ticket.lifetime} s, ` +
        `${ticket.ticket.maxEarlyDataSize ? `early data up to ${ticket.ticket.maxEarlyDataSize} bytes, ` : ''}for ${cipherSuiteName(ticket.ticket.cipherSuite)}.`
      : 'No ticket was issued.',
    '',
  ];
}

/**
 * The Markdown page of one walkthrough: the intro, then each handshake message in order (what it is for,
 * what it carries, its annotated bytes) with what both sides did until the next one (states, decisions,
 * secrets, alerts), and the outcome.
 */
export function renderWalkthrough(walkthrough: Walkthrough, session: WalkthroughSession): string {
  const out: string[] = [`# ${walkthrough.title}`, '', ...walkthrough.intro.flatMap((p) => [p, '']),
    `_Generated by \`npm run docs\` (scripts/walkthrough.ts, src/trace/walkthrough.ts) from a real run: seeded randomness, ` +
      `fixed clock ${new Date(TEST_NOW).toISOString()}. Do not edit by hand; \`test/docs/walkthrough.test.ts\` fails when this page ` +
      'no longer matches what the code produces._',
    ''];
  if (session.earlier) out.push(...earlierSummary(session.earlier));
  out.push('## The handshake, message by message', '');

  const narrator = new TextNarrator({ secrets: true });
  let narration: string[] = [];
  let count = 0;
  const flush = () => {
    if (narration.length > 0) out.push('What the two sides do next:', '', ...fence(narration), '');
    narration = [];
  };
  for (const { side, event } of session.pair.log) {
    // Rendered even when not printed, so the narrator knows a message it later sees arrive.
    const lines = narrator.render(side, event);
    // A message opens a new section when its sender reports it; the receiver's copy is one narrated line.
    if (event.type === 'handshake-message' && event.direction === 'out') {
      flush();
      out.push(`### ${++count}. ${messageHeading(side, event.message.kind)}`, '');
      out.push(`${MESSAGE_ROLES[event.message.kind]} ${event.raw.length} bytes, sent by the ${side}.`, '');
      out.push(...fence([messageSummary(event.message)]), '');
      out.push(...fence(hexDump(event.raw, event.spans ?? [])), '');
      continue;
    }
    narration.push(...lines.filter((line) => line.trim() !== ''));
  }
  flush();
  out.push('## Outcome', '', ...outcome(session.pair), '');
  if (walkthrough.appendix) out.push(...walkthrough.appendix());
  return out.join('\n');
}

/** Every walkthrough page: file name (in docs/walkthrough/) and Markdown text. */
export function generateWalkthroughs(): Array<{ file: string; markdown: string }> {
  return WALKTHROUGHS.map((w) => ({ file: `${w.slug}.md`, markdown: renderWalkthrough(w, w.run()) }));
}
