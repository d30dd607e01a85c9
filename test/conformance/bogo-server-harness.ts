// What the BoGo server replays (bogo-server-*.test.ts) share: the runner's TLS 1.3 ClientHello as far as our
// server reads it, tickets issued by a full handshake, and the runner's fake early data (SendFakeEarlyDataLength:
// application_data records the server cannot decrypt, RFC 8446 §4.2.10).
import { expect, it } from 'vitest';
import { seededRandom } from '../../src/crypto/random.js';
import type { ServerConfig } from '../../src/handshake/config.js';
import { SingleUseTickets } from '../../src/handshake/tickets.js';
import { CipherSuite, ContentType, ExtensionType, NamedGroup, PskKeyExchangeMode, SignatureScheme } from '../../src/wire/enums.js';
import type { Extension, HandshakeMessage, NewSessionTicket } from '../../src/wire/types.js';
import { expectClosedForGood, ext, record, type AlertName } from '../handshake/abort-harness.js';
import { expectClosedByPeer, verdictName, type BogoExpected } from './bogo-harness.js';
import { codePointList, ScriptedClient, type Answer, type HeldTicket } from './scripted-client.js';

const { x25519: X25519, secp256r1: P256, secp384r1: P384 } = NamedGroup;

export const TICKET_KEY = new Uint8Array(32).fill(0x42);
export const EARLY_DATA = ext(ExtensionType.early_data, []);

export const kinds = (answer: Answer) => answer.messages.map((m) => m.kind);
export const ticketsOf = (answer: Answer) => answer.messages.filter((m): m is NewSessionTicket => m.kind === 'new_session_ticket');

/** A server that issues two tickets; `extra` changes its ticket config (0-RTT, lifetime, anti-replay). */
export const ticketing = (extra: Partial<NonNullable<ServerConfig['tickets']>> = {}): Partial<ServerConfig> => ({ tickets: { count: 2, key: TICKET_KEY, ...extra } });
/** A server that accepts 0-RTT (max_early_data_size 16384, single-use tickets, RFC 8446 §8.1). */
export const zeroRtt = (extra: Partial<NonNullable<ServerConfig['tickets']>> = {}) => ticketing({ maxEarlyDataSize: 16384, antiReplay: new SingleUseTickets(), ...extra });

export interface RunnerHello {
  /** Groups of the key shares (none: an empty key_share, BoGo's DefaultCurves: []). */
  shares?: number[];
  groups?: number[];
  /** psk_key_exchange_modes; undefined leaves the extension out. */
  modes?: number[] | undefined;
  /** signature_algorithms (default: ed25519, ecdsa_secp256r1_sha256); undefined leaves the extension out. */
  schemes?: number[] | undefined;
  more?: Extension[];
}

/** The runner's default TLS 1.3 ClientHello extensions, as far as our server reads them; key_share last. */
export function runnerExtensions(client: ScriptedClient, options: RunnerHello = {}): Extension[] {
  const { shares = [X25519], groups = [X25519, P256, P384], more = [] } = options;
  const modes = 'modes' in options ? options.modes : [PskKeyExchangeMode.psk_dhe_ke];
  const schemes = 'schemes' in options ? options.schemes : [SignatureScheme.ed25519, SignatureScheme.ecdsa_secp256r1_sha256];
  return [
    ext(ExtensionType.supported_versions, [2, 3, 4]),
    codePointList(ExtensionType.supported_groups, groups),
    ...(schemes ? [codePointList(ExtensionType.signature_algorithms, schemes)] : []),
    ...(modes ? [ext(ExtensionType.psk_key_exchange_modes, [modes.length, ...modes])] : []),
    ...more,
    shares.length > 0 ? client.keyShare(...shares) : ext(ExtensionType.key_share, [0, 0]),
  ];
}

/** The fatal alert the server sent, and that it closed. */
export function expectRefused(client: ScriptedClient, answer: Answer, alert: string): void {
  expect(answer.alerts).toEqual([alert]);
  expect(client.server.isClosed).toBe(true);
}

/** The message of `kind` in the answer. */
export function messageOf<K extends HandshakeMessage['kind']>(answer: Answer, kind: K): Extract<HandshakeMessage, { kind: K }> {
  const message = answer.messages.find((m) => m.kind === kind);
  if (!message) throw new Error(`no ${kind} in ${kinds(answer).join(', ')}`);
  return message as Extract<HandshakeMessage, { kind: K }>;
}

/** A full handshake against `config` (the first connection of a BoGo resumeSession test); the tickets it left. */
export function issueTickets(config: Partial<ServerConfig>, options: RunnerHello & { suites?: number[]; seed?: string } = {}): HeldTicket[] {
  const { suites = [CipherSuite.TLS_AES_128_GCM_SHA256], seed = 'bogo issue', ...hello } = options;
  const client = new ScriptedClient(config, seed);
  expect(client.hello(suites, runnerExtensions(client, hello)).alerts).toEqual([]);
  const afterFinished = client.finish();
  expect(afterFinished.alerts).toEqual([]);
  return ticketsOf(afterFinished).map((t) => client.held(t));
}

/** The runner's sendFakeEarlyData: one application_data record of `length` bytes that no key opens. */
export const fakeEarlyData = (length: number, seed = 'bogo fake early data') => record(ContentType.application_data, seededRandom(seed)(length));

/**
 * What our server did in a replayed case: the one fatal alert it sent, 'closed' without one, 'connected'
 * (the handshake done and the connection open), or 'in handshake' (waiting for more).
 */
export type ServerOutcome = AlertName | 'closed' | 'connected' | 'in handshake';

/**
 * A BoGo server test: its name, BoGo's expectation (bogo-harness.ts), our pinned outcome, why we answer
 * otherwise on purpose (docs/bogo-server.md), and how it is played: every answer of our server, in order.
 */
export interface BogoServerCase {
  name: string;
  expected: BogoExpected;
  ours: ServerOutcome;
  divergence?: string;
  run: () => Played;
  /** What else BoGo checks (the scheme our server signed with, a message it sent). */
  check?: (played: Played) => void;
}

/** A case played: the scripted client, and every answer of our server to it, in order. */
export interface Played {
  client: ScriptedClient;
  answers: Answer[];
}

function outcome(client: ScriptedClient, answers: Answer[]): ServerOutcome {
  const alerts = answers.flatMap((a) => a.alerts);
  if (alerts.length > 1) throw new Error(`the server sent ${alerts.length} alerts`);
  if (alerts.length === 1) return alerts[0] as AlertName;
  if (client.server.isClosed) return 'closed';
  return client.server.isConnected ? 'connected' : 'in handshake';
}

/** BoGo's verdict: a completed handshake, or one fatal alert (BoGo's, where it names one) and the connection closed for good. */
function expectBogoServer(client: ScriptedClient, ours: ServerOutcome, expected: BogoExpected): void {
  if ('succeeds' in expected) {
    expect(ours).toBe('connected');
    return;
  }
  if ('peerAlert' in expected) {
    expect(ours).toBe('closed');
    expectClosedByPeer(client.server.takeEvents(), expected.peerAlert);
    expectClosedForGood(client.server);
    return;
  }
  expect(ours).not.toBe('connected');
  expect(ours).not.toBe('closed');
  expect(ours).not.toBe('in handshake');
  if (expected.alert) expect(ours).toBe(expected.alert);
  expectClosedForGood(client.server);
}

/** One vitest case per BoGo server test: our exact outcome, then BoGo's verdict (which must fail for a divergence). */
export function replayServer(cases: BogoServerCase[]): void {
  it.each(cases.map((c) => [`${c.name} → ${verdictName(c.expected)}; ours: ${c.ours}${c.divergence ? ' (divergence)' : ''}`, c] as const))('%s', (_, c) => {
    const played = c.run();
    const ours = outcome(played.client, played.answers);
    expect(ours).toBe(c.ours);
    if (c.divergence) expect(() => expectBogoServer(played.client, ours, c.expected)).toThrow();
    else expectBogoServer(played.client, ours, c.expected);
    c.check?.(played);
  });
}
