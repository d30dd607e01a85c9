// The page "mutual authentication without a CA: PSK vs raw public keys vs pinned self-signed certificates",
// made from three real, deterministic runs (seeded randomness, fixed clock). Measured from each run: what
// each side sent, how many bytes, what the ClientHello shows an observer about the client, what each side
// reports as its peer and by which rule, the key exchange. The trade-offs that no run can measure are prose.
// scripts/walkthrough.ts writes it to docs/mutual-auth-without-certificates.md; a test checks it is current.
// Core-safe: no node imports.
import type { PeerIdentity } from '../auth/trust.js';
import { seededRandom } from '../crypto/random.js';
import type { PskPeerIdentity } from '../handshake/external-psk.js';
import type { Role } from '../handshake/events.js';
import { InMemoryPair } from '../handshake/pair.js';
import { makeIdentity, TEST_NOW } from '../testing/certs.js';
import { utf8 } from '../wire/bytes.js';
import { EXTERNAL_PSK_SCENARIO } from './external-psk.js';
import type { ScenarioSetup } from './mutual-tls.js';
import { RAW_PUBLIC_KEYS_SCENARIO } from './raw-public-keys.js';

const SEED = 'tls13-lab without certificates';
/** Its file name in docs/. */
export const WITHOUT_CERTIFICATES_PAGE = 'mutual-auth-without-certificates.md';

/** Both sides with a self-signed certificate, each pinning the other's by its bytes. */
function pinnedSelfSigned(seed: string): ScenarioSetup {
  const random = (who: string) => seededRandom(`${seed}/${who}`);
  const server = makeIdentity({ subject: { CN: 'server.tls13-lab.test' }, sans: { dns: ['server.tls13-lab.test'] }, keyType: 'p256' }, random('server-cert'));
  const alice = makeIdentity({ subject: { CN: 'alice' }, extKeyUsage: ['clientAuth'] }, random('alice-cert'));
  const common = (side: string) => ({ now: () => TEST_NOW, random: random(`${side}-connection`) });
  return {
    name: 'pinned-self-signed-both-ways',
    question: 'Can two parties authenticate each other with self-signed certificates they pinned?',
    story: [],
    client: { ...common('client'), certificate: alice, trust: { kind: 'pinned-certificate', certificates: [server.der] } },
    server: { ...common('server'), certificate: server, clientAuth: 'require', trust: { kind: 'pinned-certificate', certificates: [alice.der] } },
    expected: { kind: 'connected' },
  };
}

interface Column {
  title: string;
  setup: ScenarioSetup;
  /** The bytes that identify the client, to look for in the plaintext ClientHello. */
  clientMarker?: Uint8Array;
}

function columns(): Column[] {
  const psk = EXTERNAL_PSK_SCENARIO.setup(SEED);
  return [
    { title: 'external PSK', setup: psk, clientMarker: utf8.encode('alice@tls13-lab') },
    { title: 'raw public keys (RFC 7250)', setup: RAW_PUBLIC_KEYS_SCENARIO.setup(SEED) },
    { title: 'pinned self-signed certificates', setup: pinnedSelfSigned(SEED) },
  ];
}

interface Measured {
  connected: boolean;
  sent: Record<Role, string[]>;
  bytes: Record<Role, number>;
  clientHelloShowsClient: boolean;
  peer: Record<Role, string>;
  group: string;
  signatures: number;
}

function measure(column: Column): Measured {
  const pair = new InMemoryPair(column.setup.client, column.setup.server).run();
  const out = (side: Role) => pair.events(side).flatMap((e) => (e.type === 'handshake-message' && e.direction === 'out' && e.message.kind !== 'new_session_ticket' ? [e] : []));
  const hello = out('client').find((e) => e.message.kind === 'client_hello')!.raw;
  const contains = (haystack: Uint8Array, needle: Uint8Array) => haystack.some((_, i) => needle.every((b, j) => haystack[i + j] === b));
  return {
    connected: pair.client.isConnected && pair.server.isConnected,
    sent: { client: out('client').map((e) => e.message.kind), server: out('server').map((e) => e.message.kind) },
    bytes: { client: out('client').reduce((n, e) => n + e.raw.length, 0), server: out('server').reduce((n, e) => n + e.raw.length, 0) },
    clientHelloShowsClient: column.clientMarker !== undefined && contains(hello, column.clientMarker),
    peer: { client: describePeerForPage(pair.client.info.peer), server: describePeerForPage(pair.server.info.peer) },
    group: pair.client.info.group ?? 'none',
    signatures: [...out('client'), ...out('server')].filter((e) => e.message.kind === 'certificate_verify').length,
  };
}

/** Who a side reports as its peer, and the rule that trusted it. */
function describePeerForPage(peer: PeerIdentity | PskPeerIdentity | undefined): string {
  if (!peer) return 'nobody';
  const who = peer.kind === 'psk' ? `PSK "${peer.identity}"` : peer.subject === undefined ? `raw key sha256/${peer.spkiSha256Base64.slice(0, 12)}...` : peer.subject;
  return `${who} (rule ${peer.verdict.rule})`;
}

const row = (cells: string[]) => `| ${cells.join(' | ')} |`;

/** The Markdown page. */
export function renderWithoutCertificatesPage(): string {
  const cols = columns();
  const m = cols.map(measure);
  const table = [
    row(['', ...cols.map((c) => c.title)]),
    row(['---', ...cols.map(() => '---')]),
    row(['handshake completed', ...m.map((x) => (x.connected ? 'yes' : 'NO'))]),
    row(['client sent', ...m.map((x) => x.sent.client.join(', '))]),
    row(['server sent', ...m.map((x) => x.sent.server.join(', '))]),
    row(['handshake bytes, client / server', ...m.map((x) => `${x.bytes.client} / ${x.bytes.server}`)]),
    row(['CertificateVerify signatures', ...m.map((x) => String(x.signatures))]),
    row(['key exchange (forward secrecy)', ...m.map((x) => x.group)]),
    row(["client's identity readable in the ClientHello", ...m.map((x) => (x.clientHelloShowsClient ? '**yes** (the PSK identity)' : 'no (encrypted)'))]),
    row(['the server reports the client as', ...m.map((x) => x.peer.server)]),
    row(['the client reports the server as', ...m.map((x) => x.peer.client)]),
  ];
  return [
    '# Mutual authentication without a CA: PSK vs raw public keys vs pinned self-signed certificates',
    '',
    'Three ways for two parties that know each other in advance to authenticate both ways with no certificate',
    'authority. The table is measured from real runs of each (in memory, seeded randomness, fixed clock',
    `${new Date(TEST_NOW).toISOString()}); the demo shows each one: \`tls13 demo --scenario external-psk\`,`,
    '`tls13 demo --scenario raw-public-keys`, `tls13 demo --scenario pinned-self-signed`.',
    '',
    '_Generated by `npm run docs` (scripts/walkthrough.ts, src/scenarios/without-certificates.ts). Do not edit by hand;',
    '`test/docs/without-certificates.test.ts` fails when this page no longer matches what the code produces._',
    '',
    ...table,
    '',
    '## What the runs cannot show',
    '',
    '- **What is secret.** With a PSK both sides hold the *same* secret: whoever holds it can be either side.',
    '  A server that leaks it lets the thief impersonate every client that shares it, and the server itself',
    '  could impersonate the client. Raw keys and pinned certificates have a private key on each side that',
    '  never leaves it; the peer keeps only a public value (the SPKI hash or the certificate bytes).',
    '- **Who is identified.** A PSK shared by more than two parties identifies the group, not the peer',
    '  (RFC 9257 §4): any member can pose as any other. Give each client its own PSK.',
    '- **Privacy.** The PSK identity travels in the clear in the ClientHello (row above): an observer learns',
    '  which client connects. Certificates and raw keys are sent encrypted, after the ServerHello.',
    '- **Forward secrecy.** All three runs used an (EC)DHE exchange. With a PSK the key exchange mode',
    '  `psk_ke` leaves it out: then whoever learns the PSK later decrypts every recorded session. tls13-lab',
    '  uses `psk_dhe_ke` unless `psk_ke` is listed explicitly (`externalPsks.modes`, `--psk-ke`).',
    '- **Provisioning and rotation.** A PSK must be generated with at least 128 bits of entropy (RFC 9257 §6;',
    '  tls13-lab refuses shorter keys) and carried to both sides confidentially. A raw key or certificate',
    '  needs only its *public* half carried, with integrity. Revoking means deleting the PSK or the pin on the',
    '  other side; none of the three has a CRL or OCSP. A PSK session\'s tickets are bound to the PSK\'s identity',
    '  and key: they resume (with 0-RTT where allowed) only while both sides still hold that PSK with that key.',
    "- **Client authentication policy.** An external PSK the server was provisioned with meets `clientAuth:",
    "  'require'`: it is the client's credential, like a pinned certificate. A PSK handshake carries no",
    '  CertificateRequest (RFC 8446 §4.3.2); a client without a known PSK gets a full handshake and must send',
    '  a certificate. See [security.md](security.md).',
    '- **Cost.** The PSK handshake has no signatures at all; raw keys save the certificate bytes but still',
    '  sign; pinned certificates carry the most bytes. The byte counts above include both sides\' whole flights.',
    '',
  ].join('\n');
}
