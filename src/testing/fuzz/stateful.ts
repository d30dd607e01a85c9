// Stateful mutation fuzzing: run a scenario's handshake (and a short post-handshake script) between two
// Connections, mutate the n-th flight the victim receives, and check the one invariant every input must
// keep (docs/robustness.md):
//   no exception escapes, the run ends within a bounded number of steps, and either both sides connect
//   with equal exporter values, or exactly one fatal alert is sent — with a description the RFC allows
//   for that fault — after which its sender is CLOSED and ignores further input.
// Core-safe: no node imports.
import type { CryptoProvider } from '../../crypto/provider.js';
import { Connection } from '../../handshake/connection.js';
import type { Role, TlsEvent } from '../../handshake/events.js';
import { equalBytes, hex } from '../../wire/bytes.js';
import { AlertDescription, type AlertName } from '../../wire/enums.js';
import { Choices } from './input.js';
import type { InnerContext } from './inner-mutations.js';
import { mutateFlight, type FaultClass, type MutatedFlight } from './mutations.js';
import { FEATURE_SCENARIOS, featureScenarioConfigs, featureScript, type FeatureScenarioName } from './feature-scenarios.js';
import { EARLY_DATA, SCENARIOS, scenarioConfigs, type ScenarioConfigs, type ScenarioName } from './scenarios.js';

/** An input that breaks the invariant; the message says which part. */
export class InvariantViolation extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvariantViolation';
  }
}

/** Alerts a handshake may legitimately end with when its content was tampered with (RFC 8446 §6.2). */
const CONTENT_FAULT_ALERTS: readonly AlertName[] = [
  'unexpected_message',
  'bad_record_mac',
  'record_overflow',
  'handshake_failure',
  'bad_certificate',
  // RFC 8446 §4.4.2.1, RFC 6066 §8: a staple inside the (protected) Certificate that does not parse or verify.
  'bad_certificate_status_response',
  'unsupported_certificate',
  'certificate_expired',
  'certificate_unknown',
  'illegal_parameter',
  'unknown_ca',
  'decode_error',
  'decrypt_error',
  'protocol_version',
  'missing_extension',
  'unsupported_extension',
  'unrecognized_name',
  'unknown_psk_identity',
  'certificate_required',
  'no_application_protocol',
];

/**
 * Per fault class: the alerts its detector may send. Tight where the RFC leaves no choice: a bad tag is
 * bad_record_mac (§5.2), a misplaced or malformed ChangeCipherSpec, an empty record and a plaintext record
 * after keys are unexpected_message (§5, §5.1, §5.4), a record over 2^14 bytes is record_overflow (§5.1).
 */
export const ALLOWED_ALERTS: Readonly<Record<FaultClass, readonly AlertName[]>> = {
  none: [],
  chunking: [],
  framing: CONTENT_FAULT_ALERTS,
  handshake: CONTENT_FAULT_ALERTS,
  truncation: CONTENT_FAULT_ALERTS,
  protected: ['bad_record_mac'],
  ccs: ['unexpected_message'],
  // Before read keys, each empty plaintext record is unexpected_message; after them, a plaintext alert or
  // handshake record is unexpected_message, and an empty "protected" one fails authentication.
  empty: ['unexpected_message', 'bad_record_mac'],
  // Before read keys the 2^14+1 bytes overflow (§5.1); after them a plaintext handshake record is out of
  // place and an application_data record of that size cannot authenticate.
  oversize: ['record_overflow', 'unexpected_message', 'bad_record_mac'],
  'plaintext-after-keys': ['unexpected_message'],
  // A plaintext alert after the first record under new keys is itself out of place (RFC 8446 §5, §7.3).
  alert: ['unexpected_message'],
};

/** Fault classes after which both sides may simply wait for bytes that never come. */
const MAY_STALL: ReadonlySet<FaultClass> = new Set(['framing', 'handshake', 'truncation', 'alert']);

/** Fault classes the peer of the victim may be the first to detect (the victim accepted changed content). */
const PEER_MAY_DETECT: ReadonlySet<FaultClass> = new Set(['framing', 'handshake', 'truncation']);

const MAX_STEPS = 64;
const EXPORTER_LABEL = 'EXPORTER-fuzz';

export interface StatefulCase {
  scenario: ScenarioName | FeatureScenarioName;
  victim: Role;
  /** Which of the victim's inbound flights to mutate (0 = the first); past the last flight nothing is mutated. */
  flight: number;
  provider: CryptoProvider;
  /** Varies the randomness of both sides. */
  seed: number;
  /** The rest of the input: the mutation's decisions. */
  choices: Choices;
  /** Restrict to one mutator (tests sweep them one by one). */
  mutator?: string;
  /**
   * Mutates the flight instead of the MUTATORS (the `inner:` targets, inner-mutations.ts); then `flight`
   * counts only the inbound flights it can edit.
   */
  mutate?: { editable(flight: Uint8Array, ctx: InnerContext): boolean; apply(flight: Uint8Array, choices: Choices, ctx: InnerContext): MutatedFlight };
}

export interface StatefulOutcome {
  mutation?: MutatedFlight;
  result: 'connected' | 'alert' | 'closed-by-peer' | 'stalled';
  detector?: Role;
  alert?: string;
  reason?: string;
  exporter?: string;
  /** Events of each side, for diagnosis. */
  events: Record<Role, TlsEvent[]>;
}

const other = (role: Role): Role => (role === 'client' ? 'server' : 'client');

/** What the two sides do once both are connected: data both ways, a KeyUpdate, close_notify both ways. */
const SCRIPT: ReadonlyArray<(c: Record<Role, Connection>) => void> = [
  (c) => c.client.write(Uint8Array.of(0x70, 0x69, 0x6e, 0x67)),
  (c) => c.server.write(Uint8Array.of(0x70, 0x6f, 0x6e, 0x67)),
  (c) => c.client.updateKeys(true),
  (c) => c.client.close(),
  (c) => c.server.close(),
];

const isFeatureScenario = (name: string): name is FeatureScenarioName => (FEATURE_SCENARIOS as readonly string[]).includes(name);

function configsOf(input: StatefulCase): ScenarioConfigs {
  return isFeatureScenario(input.scenario) ? featureScenarioConfigs(input.scenario, input.provider, input.seed) : scenarioConfigs(input.scenario, input.provider, input.seed);
}

/** Runs one case and checks the invariant; throws InvariantViolation when it does not hold. */
export function runStatefulCase(input: StatefulCase): StatefulOutcome {
  const configs = configsOf(input);
  const script = isFeatureScenario(input.scenario) ? [SCRIPT[0]!, ...featureScript(input.scenario), ...SCRIPT.slice(1)] : SCRIPT;
  const conns: Record<Role, Connection> = { client: Connection.client(configs.client), server: Connection.server(configs.server) };
  const events: Record<Role, Array<TlsEvent & { at?: number }>> = { client: [], server: [] };
  let counter = 0;
  const collect = () => {
    for (const side of ['client', 'server'] as const) for (const event of conns[side].takeEvents()) events[side].push({ ...event, at: counter++ });
  };
  const deliver = (to: Role, bytes: Uint8Array) => {
    try {
      conns[to].receive(bytes);
    } catch (e) {
      throw new InvariantViolation(`${to}.receive threw: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
    }
  };
  collect();

  let inbound = 0;
  let mutation: MutatedFlight | undefined;
  /** The event counter when the mutated flight was delivered: what follows it is judged by `authenticated`. */
  let mutatedAt = Infinity;
  const flights: Record<Role, Uint8Array[]> = { client: [], server: [] };
  let exporters: Record<Role, Uint8Array> | undefined;
  let scriptAt = 0;
  let quiet = false;
  for (let step = 0; step < MAX_STEPS && !quiet; step++) {
    let moved = false;
    for (const from of ['client', 'server'] as const) {
      const to = other(from);
      const output = conns[from].takeOutput();
      if (output.length === 0) continue;
      moved = true;
      let chunks = [output];
      const ctx = { senderEvents: events[from], senderSuite: conns[from].info.cipherSuite, provider: input.provider };
      const inner = { ...ctx, sender: from, senderFlights: flights[from], receiverEvents: events[to] };
      if (to === input.victim && (!input.mutate || (mutation === undefined && input.mutate.editable(output, inner))) && inbound++ === input.flight) {
        mutation = input.mutate ? input.mutate.apply(output, input.choices, inner) : mutateFlight(output, input.choices, ctx, input.mutator);
        chunks = mutation.chunks;
        mutatedAt = counter;
      }
      flights[from].push(output);
      for (const chunk of chunks) deliver(to, chunk);
      collect();
    }
    if (moved) continue;
    if (!exporters && conns.client.isConnected && conns.server.isConnected) {
      exporters = {
        client: conns.client.exportKeyingMaterial(EXPORTER_LABEL, new Uint8Array(0), 32),
        server: conns.server.exportKeyingMaterial(EXPORTER_LABEL, new Uint8Array(0), 32),
      };
    }
    const action = exporters ? script[scriptAt++] : undefined;
    quiet = action === undefined;
    try {
      action?.(conns);
    } catch {
      // API misuse on our side: a mutated post-handshake flight closed a connection we meant to write on
    }
    collect();
  }
  if (!quiet) throw new InvariantViolation(`no quiescence after ${MAX_STEPS} steps`);
  return judge(input, conns, events, mutation, exporters, mutatedAt);
}

/** The fatal alerts a side sent, with their position in the run (`at`, a global event counter). */
function fatalAlertsSent(events: Array<TlsEvent & { at?: number }>) {
  return events.flatMap((e) => (e.type === 'alert' && e.direction === 'out' && e.level === 'fatal' ? [{ ...e, at: e.at ?? 0 }] : []));
}

function judge(
  input: StatefulCase,
  conns: Record<Role, Connection>,
  events: Record<Role, TlsEvent[]>,
  mutation: MutatedFlight | undefined,
  exporters: Record<Role, Uint8Array> | undefined,
  mutatedAt = Infinity,
): StatefulOutcome {
  const fault = mutation?.fault ?? 'none';
  const describe = () => `${input.scenario}/${input.victim} flight ${input.flight}: ${mutation?.description ?? 'no mutation'}`;
  const fail = (what: string): never => {
    throw new InvariantViolation(`${describe()}: ${what}`);
  };
  const base = { events, ...(mutation ? { mutation } : {}) };

  if (exporters && !equalBytes(exporters.client, exporters.server)) fail('both sides connected but their exporters differ');
  for (const side of ['client', 'server'] as const) {
    // A handshake that did not complete proved nobody (docs/security.md): no identity on a side that never connected.
    if (!events[side].some((e) => e.type === 'connected') && conns[side].info.peer !== undefined) fail(`${side} never connected but reports a peer identity`);
  }

  if (mutation?.authenticated) checkUnauthenticatedEnds(mutation.authenticated, events, mutatedAt, fail);

  const sent = { client: fatalAlertsSent(events.client), server: fatalAlertsSent(events.server) };
  if (sent.client.length > 1 || sent.server.length > 1) fail(`more than one fatal alert from one side (client: ${sent.client.map((a) => a.description)}, server: ${sent.server.map((a) => a.description)})`);
  const order = (['client', 'server'] as const).filter((side) => sent[side].length === 1).sort((a, b) => sent[a][0]!.at - sent[b][0]!.at);

  if (order.length === 2) {
    // When the mutation made the two sides derive different handshake keys, the detector's alert is
    // protected under keys its peer does not have; the peer cannot authenticate that record and answers
    // with bad_record_mac (RFC 8446 §5.2). Any other second alert is a violation.
    const answer = sent[order[1]!][0]!;
    if (answer.description !== 'bad_record_mac') fail(`two fatal alerts: ${sent[order[0]!][0]!.description} from ${order[0]}, then ${answer.description} from ${order[1]}`);
  }

  if (order.length > 0) {
    const detector: Role = order[0]!;
    const alert = sent[detector][0]!;
    if (alert.description === 'internal_error' && alert.reason !== 'ResourceLimit') fail(`internal_error (${alert.detail})`);
    const allowed = detector === input.victim || PEER_MAY_DETECT.has(fault) ? ALLOWED_ALERTS[fault] : [];
    if (alert.description !== 'internal_error' && !(allowed as readonly string[]).includes(alert.description)) {
      fail(`${detector} sent ${alert.description} (${alert.detail}); allowed for ${fault} faults at the ${detector === input.victim ? 'victim' : 'peer'}: ${allowed.join(', ') || 'none'}`);
    }
    if (mutation?.victimDetects && detector !== input.victim) fail(`${detector} detected an edit whose Finished was recomputed: the victim's checks let it through`);
    if (mutation?.expect && (detector !== input.victim || !(mutation.expect as readonly string[]).includes(alert.description))) {
      fail(`${detector} sent ${alert.description} (${alert.detail}); RFC 8446 names ${mutation.expect.join(' or ')} from the victim for this edit`);
    }
    if (conns[detector].state !== 'CLOSED') fail(`${detector} sent a fatal alert but is in state ${conns[detector].state}`);
    expectSilence(conns[detector], detector, fail);
    return { ...base, result: 'alert', detector, alert: alert.description, reason: alert.reason ?? '' };
  }

  if (fault === 'alert' && mutation?.alert !== AlertDescription.user_canceled) {
    const victim = conns[input.victim];
    // A side that already sent close_notify refuses in silence (RFC 8446 §6.1: it sends nothing more), so an
    // injected alert it could not accept (a plaintext one under keys) ends it by its own `closed` event.
    const saidCloseNotify = events[input.victim].some((e) => e.type === 'alert' && e.direction === 'out' && e.description === 'close_notify');
    const ended = events[input.victim].some((e) => e.type === 'closed' && (e.by === 'peer' || (saidCloseNotify && e.error !== undefined)));
    if (!ended) fail('an injected alert did not end the reading side');
    expectSilence(victim, input.victim, fail);
    return { ...base, result: 'closed-by-peer' };
  }

  if (mutation?.victimDetects) fail('no alert after an edit under a CertificateVerify with the Finished recomputed');
  if (mutation?.expect) fail(`no alert, but RFC 8446 names ${mutation.expect.join(' or ')} for this edit`);
  const bothConnected = (['client', 'server'] as const).every((side) => events[side].some((e) => e.type === 'connected'));
  if (bothConnected && exporters) {
    if (input.scenario === '0rtt' && fault === 'none') checkEarlyData(events.server, fail);
    if (fault === 'chunking') {
      // Any chunking must give the same handshake: the same exporter as unchunked delivery.
      const baseline = runStatefulCase({ ...input, flight: -1 });
      if (baseline.exporter !== hex(exporters.client)) fail('chunked delivery changed the handshake (exporters differ from unchunked delivery)');
    }
    return { ...base, result: 'connected', exporter: hex(exporters.client) };
  }
  if (!MAY_STALL.has(fault)) fail(`neither connected nor an alert (client ${conns.client.state}, server ${conns.server.state})`);
  return { ...base, result: 'stalled' };
}

/**
 * After an edit of bytes a Finished covers, nothing may follow that the Finished should have vouched for: in the
 * handshake, no `connected` and no data (0-RTT data included: the binder covers the ClientHello) on either
 * side; after a post-handshake CertificateRequest or the client's answer, no `post-handshake-auth`.
 */
function checkUnauthenticatedEnds(what: 'handshake' | 'post-handshake-auth', events: Record<Role, Array<TlsEvent & { at?: number }>>, mutatedAt: number, fail: (what: string) => never): void {
  const forbidden = what === 'handshake' ? ['connected', 'data'] : ['post-handshake-auth'];
  for (const side of ['client', 'server'] as const) {
    const after = events[side].find((e) => (e.at ?? 0) >= mutatedAt && forbidden.includes(e.type));
    if (after) fail(`${side} reported ${after.type} after an edit of authenticated ${what} bytes`);
  }
}

/** A closed connection ignores further input: no output, no events. */
function expectSilence(conn: Connection, role: Role, fail: (what: string) => never): void {
  conn.takeOutput();
  conn.takeEvents();
  try {
    conn.receive(Uint8Array.of(0x16, 0x03, 0x03, 0x00, 0x04, 0x14, 0x00, 0x00, 0x00));
    conn.receive(Uint8Array.of(0x17, 0x03, 0x03, 0x00, 0x01, 0xff, 0x15, 0x03));
  } catch (e) {
    fail(`${role} threw on input after closing: ${String(e)}`);
  }
  const output = conn.takeOutput();
  const after = conn.takeEvents();
  if (output.length > 0 || after.length > 0) fail(`${role} answered input after closing (${output.length} bytes, events ${after.map((e) => e.type)})`);
}

function checkEarlyData(serverEvents: TlsEvent[], fail: (what: string) => never): void {
  const early = serverEvents.find((e) => e.type === 'data' && e.early);
  if (early?.type !== 'data' || !equalBytes(early.data, EARLY_DATA)) fail('the server did not receive the 0-RTT data');
}

/** The stateful target's view of an input: scenario, victim, flight and seed from the first bytes. */
export function decodeStatefulInput(bytes: Uint8Array, provider: CryptoProvider, fixed: { scenario?: ScenarioName | FeatureScenarioName; victim?: Role } = {}): StatefulCase {
  const choices = new Choices(bytes);
  const scenario = SCENARIOS[choices.below(SCENARIOS.length)]!;
  const victim: Role = choices.below(2) === 0 ? 'client' : 'server';
  const flight = choices.below(6);
  const seed = choices.u8();
  return { scenario: fixed.scenario ?? scenario, victim: fixed.victim ?? victim, flight, seed, provider, choices };
}
