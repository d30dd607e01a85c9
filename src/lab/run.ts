// One run of the lab: the engine's InMemoryPair, driven one record at a time, with the learner's tampering
// applied where they asked for it, recorded as a list of steps the page moves through. Nothing is replayed:
// a run is made by the engine from the options, the seed and the tampers, and the same three give the same
// bytes (the permalink). The conversation after the handshake is `tls13 demo`'s: what the scenario does once
// connected, one message each way, close_notify from each side.
import type { ActualOutcome, ExpectedOutcome } from '../scenarios/mutual-tls.js';
import { outcomeOf } from '../scenarios/mutual-tls.js';
import type { DemoSetup } from '../scenarios/catalog.js';
import { resolveCommon } from '../handshake/config.js';
import type { Role, TlsEvent } from '../handshake/events.js';
import { InMemoryPair, type InFlightRecord, type SideSnapshot } from '../handshake/pair.js';
import { SUITES } from '../handshake/suites.js';
import { utf8 } from '../wire/bytes.js';
import { contentTypeName } from '../wire/enums.js';
import type { CertificateVerify } from '../wire/types.js';
import { labSetup, type LabOptions } from './options.js';
import { RecordOpener, wireView, type RecordView } from './records.js';
import { applyTamper, describeTamper, type Tamper, type TamperOp } from './tamper.js';

export const ROLES: readonly Role[] = ['client', 'server'];
const peerOf = (side: Role): Role => (side === 'client' ? 'server' : 'client');

export interface QueuedRecord {
  record: InFlightRecord;
  /** The record as its sender sealed it (content decrypted with the sender's key). */
  view: RecordView;
  /** Set when the learner changed it. */
  edited?: boolean;
}

/** The traffic keys a side used last, per direction ("plaintext" before any). */
export interface KeysInUse {
  send: string;
  receive: string;
}

export interface LabStep {
  kind: 'start' | 'deliver' | 'tamper';
  title: string;
  /** The record delivered in this step, as the receiver got it. */
  delivered?: { from: Role; seq: number; view: RecordView; edited: boolean };
  tamper?: TamperOp;
  /** How many records had been delivered by the end of this step (where a tamper made here applies). */
  deliveries: number;
  /** The events of this step are pair.log[logStart, logEnd). */
  logStart: number;
  logEnd: number;
  sides: Record<Role, SideSnapshot & { keys: KeysInUse }>;
  inFlight: Record<Role, QueuedRecord[]>;
}

export interface LabRun {
  options: LabOptions;
  setup: DemoSetup;
  pair: InMemoryPair;
  steps: LabStep[];
  outcome: ActualOutcome;
  expected?: ExpectedOutcome;
  /** A tamper that could not be applied, and why. */
  tamperError?: string;
}

/** No run of the demo conversation comes close; a bound keeps a tamper loop (duplicating forever) finite. */
const MAX_STEPS = 400;

/** The engine's pair for `setup`, tracing every message (fields and spans) and every record. */
function makePair(setup: DemoSetup): InMemoryPair {
  return new InMemoryPair({ ...setup.client, trace: true, traceRecords: true }, { ...setup.server, trace: true, traceRecords: true });
}

/** The demo conversation after the handshake, one move at a time (each may produce records). */
function conversation(pair: InMemoryPair, setup: DemoSetup): Array<() => void> {
  return [
    ...(setup.afterConnected ? [() => setup.afterConnected!(pair)] : []),
    () => pair.client.write(utf8.encode(setup.clientMessage)),
    () => pair.server.write(utf8.encode(setup.serverReply)),
    () => pair.client.close(),
    () => pair.server.close(),
  ];
}

/** Runs `options` to its end, applying each tamper after `at` deliveries (in the order given). */
export function runLab(options: LabOptions, tampers: readonly Tamper[] = []): LabRun {
  const setup = labSetup(options);
  const pair = makePair(setup);
  // Before a ServerHello, the suite of 0-RTT data is the one of the ticket it resumes (RFC 8446 §4.2.10).
  const ticketSuite = setup.client.resumption?.ticket.cipherSuite;
  const suite = (side: Role) => () => {
    const name = pair.connection(side).info.cipherSuite;
    return name === undefined ? (ticketSuite === undefined ? undefined : SUITES.get(ticketSuite)) : [...SUITES.values()].find((s) => s.name === name);
  };
  const provider = (side: Role) => resolveCommon(side === 'client' ? setup.client : setup.server, side).provider;
  const opener = (side: Role) => new RecordOpener(side, provider(side), suite(side), () => pair.events(side));
  const sealedBy = { client: opener('client'), server: opener('server') };
  const receivedFrom = { client: opener('client'), server: opener('server') };
  const queued = new Map<InFlightRecord, QueuedRecord>();
  const keys: Record<Role, KeysInUse> = { client: { send: 'plaintext', receive: 'plaintext' }, server: { send: 'plaintext', receive: 'plaintext' } };
  const steps: LabStep[] = [];
  let tamperError: string | undefined;

  const pullAll = () => {
    for (const side of ROLES) {
      for (const record of pair.pull(side)) {
        if (queued.has(record)) continue;
        const view = sealedBy[side].view(record.bytes);
        if (view.epoch) keys[side].send = view.epoch.secret;
        queued.set(record, { record, view });
      }
    }
  };
  let deliveries = 0;
  const snapshot = (step: Omit<LabStep, 'sides' | 'inFlight' | 'logEnd' | 'deliveries'>) => {
    const side = (role: Role) => ({ ...pair.inspect(role), keys: { ...keys[role] } });
    const inFlight = (role: Role) => pair.queue[role].map((r) => ({ ...queued.get(r)! }));
    steps.push({ ...step, deliveries, logEnd: pair.log.length, sides: { client: side('client'), server: side('server') }, inFlight: { client: inFlight('client'), server: inFlight('server') } });
  };
  const context = {
    seed: options.seed,
    otherRunCertificateVerify: (side: Role) => otherRunCertificateVerify(options, side),
  };

  pullAll();
  snapshot({ kind: 'start', title: 'the client starts: its ClientHello is in flight', logStart: 0 });
  const moves = conversation(pair, setup);
  let talking = false;
  let nextTamper = 0;
  while (steps.length < MAX_STEPS) {
    while (nextTamper < tampers.length && tampers[nextTamper]!.at <= deliveries) {
      const { op } = tampers[nextTamper++]!;
      const logStart = pair.log.length;
      try {
        const replaced = applyTamper(pair, op, context);
        for (const { record, source } of replaced) queued.set(record, { record, view: placedView(op, record, source && queued.get(source), () => opener(op.side)), edited: true });
        snapshot({ kind: 'tamper', title: `you ${describeTamper(op)}`, tamper: op, logStart });
      } catch (e) {
        tamperError = e instanceof Error ? e.message : String(e);
      }
    }
    const from = ROLES.find((side) => pair.queue[side].length > 0);
    if (!from) {
      // Both queues are empty: the conversation goes on once both sides are connected, else the run ends.
      talking ||= pair.client.isConnected && pair.server.isConnected;
      const move = talking ? moves.shift() : undefined;
      if (!move) break;
      try {
        move();
      } catch {
        break;
      }
      pullAll();
      continue;
    }
    const logStart = pair.log.length;
    const { record, edited } = queued.get(pair.queue[from][0]!)!;
    const view = receivedFrom[from].view(record.bytes);
    if (view.epoch) keys[peerOf(from)].receive = view.epoch.secret;
    pair.stepRecord(from);
    deliveries++;
    pullAll();
    snapshot({
      kind: 'deliver',
      title: `#${record.seq} ${from}→${peerOf(from)}: ${deliveredTitle(view)}`,
      delivered: { from, seq: record.seq, view, edited: edited === true },
      logStart,
    });
  }
  const expected = setup.expected;
  return { options, setup, pair, steps, outcome: outcomeOf(pair), ...(expected ? { expected } : {}), ...(tamperError ? { tamperError } : {}) };
}

/**
 * How a record a tamper put in flight looks before delivery: a copy looks like its original; a protected
 * record changed after sealing cannot be opened as sent (its receiver checks the tag when it arrives);
 * anything else (plaintext, or re-sealed from record 0) is read again from its bytes.
 */
function placedView(op: TamperOp, record: InFlightRecord, original: QueuedRecord | undefined, freshOpener: () => RecordOpener): RecordView {
  if (op.kind === 'duplicate' && original) return original.view;
  const view = wireView(record.bytes);
  if (op.kind === 'edit-record-byte' && view.protected) return { ...view, failure: 'changed after it was sealed: the receiver checks its AEAD tag when it arrives (RFC 8446 §5.2)' };
  return freshOpener().view(record.bytes);
}

/** What a delivered record carried, in a few words. */
function deliveredTitle(view: RecordView): string {
  if (view.failure) return `protected record, ${view.bytes.length} bytes (does not open)`;
  const names = view.messages.map((m) => m.message?.kind ?? 'undecodable message');
  const what = names.length > 0 ? names.join(', ') : contentTypeName(view.contentType ?? 0);
  return `${what}${view.protected ? ' (protected)' : ''}`;
}

/** The CertificateVerify `side` sends in the same setup under another seed: a valid signature, for another transcript. */
function otherRunCertificateVerify(options: LabOptions, side: Role): CertificateVerify | undefined {
  const pair = makePair(labSetup({ ...options, seed: `${options.seed}/another-run` })).run();
  for (const event of pair.events(side)) {
    if (event.type === 'handshake-message' && event.direction === 'out' && event.message.kind === 'certificate_verify') return event.message;
  }
  return undefined;
}

/** Events of this step, in order. */
export function stepEvents(run: LabRun, step: LabStep): Array<{ side: Role; event: TlsEvent }> {
  return run.pair.log.slice(step.logStart, step.logEnd);
}
