// The `inner:` fuzz targets: one handshake message inside a flight, protected or not, under whichever key,
// decoded, edited in one field (field-mutations.ts), dropped or doubled, then encoded and sealed again under
// the sender's real keys (inner-flight.ts): the position of an attacker who knows every traffic secret, so
// the edit reaches the checks behind record protection in every state (Certificate, CertificateVerify,
// Finished, CertificateRequest and the client's answer after the handshake, tickets, KeyUpdate, the
// CompressedCertificate's content). The judge (stateful.ts) then also holds the victim to the RFC's alert
// where the edit has one, and forbids `connected`, data and post-handshake authentication after an edit of
// bytes a Finished covers. Core-safe: no node imports.
import type { CryptoProvider } from '../../crypto/provider.js';
import type { Role, TlsEvent } from '../../handshake/events.js';
import { finishedVerifyData } from '../../handshake/keyschedule.js';
import { Transcript } from '../../handshake/transcript.js';
import { encodeHandshake } from '../../wire/messages.js';
import { suiteNamed } from '../tamper.js';
import type { FeatureScenarioName } from './feature-scenarios.js';
import { mutateField } from './field-mutations.js';
import { openFlight, type HandshakeRun, type SenderView } from './inner-flight.js';
import { Choices } from './input.js';
import type { MutatedFlight } from './mutations.js';
import type { ScenarioName } from './scenarios.js';
import type { StatefulCase } from './stateful.js';

/** What the flight mutator of a stateful case sees: the sender's keys and past flights, the victim's events. */
export interface InnerContext extends SenderView {
  receiverEvents: readonly TlsEvent[];
}

/** Messages outside every transcript (RFC 8446 §4.4: the transcript ends with the client Finished). */
const OUTSIDE_TRANSCRIPT = new Set(['new_session_ticket', 'key_update']);

const isRun = (part: object): part is HandshakeRun => 'raws' in part;

/** The suites the victim offered in its (last) ClientHello, when it is the client. */
function offeredSuites(events: readonly TlsEvent[]): number[] | undefined {
  const hellos = events.flatMap((e) => (e.type === 'handshake-message' && e.direction === 'out' && e.message.kind === 'client_hello' ? [e.message.cipherSuites] : []));
  return hellos.at(-1);
}

/** The handshake messages of a flight the sender's keys open, each with its run. */
function messagesOf(flight: Uint8Array, ctx: InnerContext) {
  const opened = openFlight(flight, ctx);
  return { opened, targets: opened ? opened.parts.filter(isRun).flatMap((run) => run.messages.map((message, index) => ({ run, index, message }))) : [] };
}

/**
 * The sender's Finished of `run` computed again over the edited messages, as the victim's transcript will hold
 * them: the position of an attacker who knows the sender's handshake traffic secret (the Finished key derives
 * from it, RFC 8446 §4.4.4). Such an attacker still cannot sign, so an edit at or before the run's
 * CertificateVerify must be refused by the victim itself, and the peer identity never reported. Undefined
 * where that does not apply: no CertificateVerify after the edit, no Finished after it, or after the handshake.
 */
function refinished(flightRuns: HandshakeRun[], run: HandshakeRun, raws: Uint8Array[], edited: number, ctx: InnerContext): Uint8Array[] | undefined {
  const kinds = run.messages.map((m) => m.kind);
  const finished = kinds.lastIndexOf('finished');
  const verify = kinds.indexOf('certificate_verify');
  const secret = ctx.senderEvents.find((e) => e.type === 'secret' && e.name === `${ctx.sender}_handshake_traffic_secret`);
  if (run.key < 0 || finished !== raws.length - 1 || verify < edited || verify >= finished || secret?.type !== 'secret') return undefined;
  const suite = suiteNamed(ctx.senderSuite);
  const transcript = new Transcript(ctx.provider);
  transcript.selectHash(suite.hash);
  for (const e of ctx.receiverEvents) {
    if (e.type !== 'handshake-message' || e.decompressed) continue;
    if (e.message.kind === 'hello_retry_request') transcript.replaceWithMessageHash();
    transcript.add(e.raw);
  }
  for (const earlier of flightRuns.slice(0, flightRuns.indexOf(run))) for (const raw of earlier.raws) transcript.add(raw);
  for (const raw of raws.slice(0, finished)) transcript.add(raw);
  const verifyData = finishedVerifyData(ctx.provider, suite, secret.secret, transcript.current());
  return [...raws.slice(0, finished), encodeHandshake({ kind: 'finished', verifyData })];
}

/** Whether the flight holds a handshake message to edit (reads no choices). */
function editable(flight: Uint8Array, ctx: InnerContext): boolean {
  return messagesOf(flight, ctx).targets.length > 0;
}

/** Edits one handshake message of the flight; the flight unchanged (fault 'none') when it holds none or the edits change no byte. */
function apply(flight: Uint8Array, c: Choices, ctx: InnerContext): MutatedFlight {
  const unchanged: MutatedFlight = { description: 'unchanged: no handshake message to edit', fault: 'none', chunks: [flight] };
  const { opened, targets } = messagesOf(flight, ctx);
  if (!opened || targets.length === 0) return unchanged;
  const { run, index, message } = targets[c.below(targets.length)]!;
  const victimConnected = ctx.receiverEvents.some((e) => e.type === 'connected');
  const raws = run.raws.slice();
  const op = c.below(8);
  let description: string;
  let fault: MutatedFlight['fault'] = 'handshake';
  let expect: MutatedFlight['expect'];
  if (op === 0) {
    raws.splice(index, 1);
    description = `drop ${message.kind}`;
    fault = 'truncation';
  } else if (op === 1) {
    raws.splice(index, 0, run.raws[index]!);
    description = `duplicate ${message.kind}`;
  } else {
    const suites = ctx.sender === 'server' ? offeredSuites(ctx.receiverEvents) : undefined;
    const fieldContext = { victimConnected, victimIsClient: ctx.sender === 'server', ...(suites ? { offeredSuites: suites } : {}) };
    // A few tries: an edit may set a field to the value it had, or give a message that cannot be encoded.
    let edit: ReturnType<typeof mutateField>;
    for (let attempt = 0; attempt < 4 && !edit; attempt++) edit = mutateField(message, run.raws[index]!, c, fieldContext);
    if (!edit) return { ...unchanged, description: `unchanged: the edit of ${message.kind} changed no byte` };
    raws[index] = edit.raw;
    description = edit.mutation.description;
    expect = edit.mutation.expect;
  }
  // Half the edits of a message a CertificateVerify covers come with the sender's Finished made to match.
  const refinish = op >= 2 && !victimConnected && c.below(2) === 0 ? refinished(opened.parts.filter(isRun), run, raws, index, ctx) : undefined;
  if (refinish) {
    raws.splice(0, raws.length, ...refinish);
    description += ', Finished recomputed';
  }
  const bytes = opened.rebuild(opened.parts.map((part) => (part === run ? { ...run, raws } : part)));
  // A copy leaves the original and all before it intact: what those authenticate may still happen (then the
  // copy is out of place). A dropped or edited message changes the transcript from there on.
  const authenticated = op === 1 || OUTSIDE_TRANSCRIPT.has(message.kind) ? undefined : victimConnected ? 'post-handshake-auth' : 'handshake';
  return { description: `inner: ${description}`, fault, chunks: [bytes], ...(expect ? { expect } : {}), ...(authenticated ? { authenticated } : {}), ...(refinish ? { victimDetects: true } : {}) };
}

/** The `inner:` target's view of an input: which inbound flight of the victim, a seed, then the edit's decisions. */
export function decodeInnerInput(bytes: Uint8Array, provider: CryptoProvider, scenario: ScenarioName | FeatureScenarioName, victim: Role): StatefulCase {
  const choices = new Choices(bytes);
  const flight = choices.below(5);
  const seed = choices.u8();
  return { scenario, victim, flight, seed, provider, choices, mutate: { editable, apply } };
}
