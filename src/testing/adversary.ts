// An adversary and an oracle over the in-memory pair, for the security property test and the attacker's
// scripts of test/security/. The oracle knows what no side can know: which keys each actor really holds
// (the attacker, mallory, holds none of alice's) and which trust policy each side runs now. After every
// step it checks the security invariants of DESIGN.md:
//   - an identity a side reports (`connected`, `post-handshake-auth`, `info.peer` = getPeerIdentity()) is of
//     a key the actor driving the peer connection holds, and the side's current policy accepts it;
//   - under clientAuth 'require', the server neither connects nor delivers data (0-RTT included) without one;
//   - nothing throws out of `receive()`; a failure is one fatal alert, then CLOSED and silent;
//   - a plaintext alert that reaches a side with read keys installed is unexpected_message (RFC 8446 §5).
// Core-safe: no node imports.
import type { PeerIdentity, TrustPolicy } from '../auth/trust.js';
import type { PskPeerIdentity } from '../handshake/external-psk.js';
import { nobleProvider } from '../crypto/noble.js';
import type { CryptoProvider, RandomSource } from '../crypto/provider.js';
import { seededRandom } from '../crypto/random.js';
import type { CertifiedKey, ClientConfig, ServerConfig } from '../handshake/config.js';
import { Connection } from '../handshake/connection.js';
import type { Role, SessionTicket, TlsEvent } from '../handshake/events.js';
import { InMemoryPair } from '../handshake/pair.js';
import { SingleUseTickets } from '../handshake/tickets.js';
import { makeCast, SERVER_NAME, type Cast } from '../scenarios/mutual-tls.js';
import { plaintextRecord } from '../record/header.js';
import { hex } from '../wire/bytes.js';
import { AlertDescription, AlertLevel, ContentType, ExtensionType, NamedGroup, type ExtensionTypeName } from '../wire/enums.js';
import { decodeHandshake } from '../wire/messages.js';
import type { ClientHello, Extension } from '../wire/types.js';
import { sendingWhatItSigns, TEST_NOW } from './certs.js';
import { editPlaintextHandshake, splitHandshakeMessages, splitRecords } from './tamper.js';

export type Actor = 'alice' | 'mallory';
/** Who may be named as a peer: the two clients and the server. */
type Member = Actor | 'server';
/** Server trust policies the generator switches between; 'pin-mallory' is alice revoked. */
export const POLICIES = ['pin-alice', 'pin-both', 'pin-mallory'] as const;
export type PolicyName = (typeof POLICIES)[number];
export type ClientAuthMode = 'none' | 'optional' | 'require';
/** What the driver presents when asked: its own certificate, alice's certificate without alice's key, nothing. */
export type Credential = 'own' | 'stolen' | 'none';
export const STRIPPABLE = ['pre_shared_key', 'key_share', 'early_data', 'post_handshake_auth'] as const;

export type Action =
  | { kind: 'deliver'; from: Role }
  | { kind: 'flight'; from: Role }
  | { kind: 'drop'; from: Role }
  | { kind: 'reorder'; from: Role }
  /** A record `from` sent earlier, in this connection or an earlier one, put first in its queue again. */
  | { kind: 'replay'; from: Role; pick: number }
  /** A plaintext alert record, delivered at once. */
  | { kind: 'inject-alert'; to: Role; alert: 'close_notify' | 'handshake_failure' }
  /** An application_data record of garbage, delivered at once. */
  | { kind: 'forge'; to: Role; length: number }
  /** Removes an extension from the plaintext ClientHello first in the client's queue. */
  | { kind: 'strip'; extension: (typeof STRIPPABLE)[number] }
  | { kind: 'write'; side: Role }
  | { kind: 'key-update'; side: Role; request: boolean }
  | { kind: 'request-certificate' }
  | { kind: 'close'; side: Role };

/** One attacked connection, after an honest one that issued tickets to alice and to mallory. */
export interface Plan {
  issue: { policy: PolicyName; clientAuth: ClientAuthMode };
  attack: {
    policy: PolicyName;
    clientAuth: ClientAuthMode;
    driver: Actor;
    credential: Credential;
    /** The server answers a secp256r1-only key share with a HelloRetryRequest (RFC 8446 §4.1.4). */
    hrr: boolean;
    /** The driver's own ticket, or alice's ticket identity with a PSK the driver made up (it has no other). */
    ticket: 'none' | 'own' | 'swapped';
    earlyData: boolean;
    /**
     * Mallory sends alice's sniffed resumption ClientHello1 and answers the HelloRetryRequest herself
     * (issue 11, hole 1). Takes effect with `hrr`, driver mallory and a ticket issued to alice.
     */
    mimicAlice: boolean;
    actions: Action[];
  };
}

export class Violation extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'Violation';
  }
}

const sha256 = (der: Uint8Array) => hex(nobleProvider.hash('sha256', der));

/** The cast, the ticket key and what each actor holds; made once. */
export interface World {
  cast: Cast;
  ticketKey: Uint8Array;
  /** Certificate SHA-256 → who it names. */
  members: Map<string, Member>;
}

export function makeWorld(seed = 'adversary'): World {
  const cast = makeCast(seed);
  const members = new Map<string, Member>([
    [sha256(cast.alice.der), 'alice'],
    [sha256(cast.mallory.der), 'mallory'],
    [sha256(cast.server.der), 'server'],
  ]);
  return { cast, ticketKey: seededRandom(`${seed}/ticket-key`)(32), members };
}

export function trustPolicy(world: World, name: PolicyName): TrustPolicy {
  const { alice, mallory } = world.cast;
  const certificates = { 'pin-alice': [alice.der], 'pin-both': [alice.der, mallory.der], 'pin-mallory': [mallory.der] }[name];
  return { kind: 'pinned-certificate', certificates };
}

/** The oracle's own reading of a policy, independent of the engine's. */
function policyAccepts(policy: PolicyName, member: Member): boolean {
  const pinned: Record<PolicyName, Member[]> = { 'pin-alice': ['alice'], 'pin-both': ['alice', 'mallory'], 'pin-mallory': ['mallory'] };
  return pinned[policy].includes(member);
}

/** A client's certificate, with the provider of the copy of the engine that presents it. */
type Presented = { certificate: CertifiedKey; provider?: CryptoProvider } | undefined;

function credential(world: World, driver: Actor, which: Credential): Presented {
  const { alice, mallory } = world.cast;
  const own = driver === 'alice' ? alice : mallory;
  if (which === 'none') return undefined;
  if (which === 'own' || driver === 'alice') return { certificate: own };
  // Alice's certificate, signed with the only key mallory has, sent by a copy that does not verify it first.
  const random = seededRandom('adversary/stolen');
  return sendingWhatItSigns({ chain: alice.chain, signer: (_scheme, content) => nobleProvider.sign({ kind: 'ed25519' }, mallory.privateKey, content, random) });
}

function clientConfig(world: World, seed: string, presented: Presented): ClientConfig {
  return {
    now: () => TEST_NOW,
    random: seededRandom(`${seed}/client`),
    serverName: SERVER_NAME,
    trust: { kind: 'ca', anchors: [world.cast.webCa.der] },
    postHandshakeAuth: true,
    ...presented,
  };
}

function serverConfig(world: World, seed: string, policy: PolicyName, clientAuth: ClientAuthMode, antiReplay: SingleUseTickets, hrr: boolean): ServerConfig {
  return {
    now: () => TEST_NOW,
    random: seededRandom(`${seed}/server`),
    certificate: world.cast.server,
    trust: trustPolicy(world, policy),
    clientAuth,
    tickets: { count: 1, key: world.ticketKey, maxEarlyDataSize: 1024, antiReplay },
    ...(hrr ? { groups: [NamedGroup.x25519], helloRetryCookie: () => Uint8Array.of(7, 7, 7, 7) } : {}),
  };
}

/** An honest handshake of `actor` with its own certificate; its records and the ticket it got, if any. */
function issue(world: World, actor: Actor, plan: Plan['issue'], antiReplay: SingleUseTickets) {
  const pair = new InMemoryPair(
    clientConfig(world, `issue/${actor}`, credential(world, actor, 'own')),
    serverConfig(world, `issue/${actor}`, plan.policy, plan.clientAuth, antiReplay, false),
  );
  const records = { client: [] as Uint8Array[], server: [] as Uint8Array[] };
  for (let i = 0; i < 20; i++) {
    let moved = false;
    for (const from of ['client', 'server'] as const) {
      for (const r of pair.pull(from)) records[from].push(r.bytes);
      moved = pair.step(from) || moved;
    }
    if (!moved) break;
  }
  const event = pair.events('client').find((e) => e.type === 'session-ticket');
  return { records, ...(event?.type === 'session-ticket' ? { ticket: event.ticket } : {}) };
}

/**
 * A ClientHello shape that yields `first` when the client builds ClientHello1 and `second` for ClientHello2.
 * The engine has no hook to send a given ClientHello1 while keeping it in the client's transcript; an
 * attacker who copied one off the wire does exactly that, so the harness builds it from the shape.
 */
function phased(first: Extension[], second: Array<ExtensionTypeName | Extension>): Array<ExtensionTypeName | Extension> {
  let calls = 0;
  const list: Array<ExtensionTypeName | Extension> = [...first];
  Object.defineProperty(list, Symbol.iterator, { value: () => (calls++ === 0 ? first : second)[Symbol.iterator]() });
  return list;
}

/** Mallory's client that sends alice's ClientHello1 as its own and answers a HelloRetryRequest without PSK. */
export function mimicConfig(base: ClientConfig, victimHello: ClientHello, certificate: CertifiedKey | undefined): ClientConfig {
  const own = base.random!;
  let first = true;
  const random: RandomSource = (n) => (first && n === 32 ? ((first = false), victimHello.random.slice()) : own(n));
  const share = victimHello.extensions.find((e) => e.type === ExtensionType.key_share)!;
  const group = (share.data[2]! << 8) | share.data[3]!;
  const retry = victimHello.extensions.flatMap((e): Array<ExtensionTypeName | Extension> => {
    if (e.type === ExtensionType.key_share) return ['key_share'];
    if (e.type === ExtensionType.padding) return ['padding'];
    if (e.type === ExtensionType.pre_shared_key || e.type === ExtensionType.early_data) return [];
    return [e];
  });
  const { certificate: _ignored, ...rest } = base;
  return {
    ...rest,
    random,
    keyShareGroups: [group],
    clientHello: { legacySessionId: victimHello.legacySessionId, advertisedCipherSuites: victimHello.cipherSuites, extensions: phased(victimHello.extensions, retry) },
    ...(certificate ? { certificate } : {}),
  };
}

/** Alice's resumption ClientHello1 with a secp256r1 key share only, as an eavesdropper records it. */
function sniffAliceHello(world: World, ticket: SessionTicket): ClientHello {
  const alice = Connection.client({ ...clientConfig(world, 'sniffed', { certificate: world.cast.alice }), keyShareGroups: [NamedGroup.secp256r1], resumption: { ticket } });
  const [record] = splitRecords(alice.takeOutput());
  return decodeHandshake(splitHandshakeMessages(record!.fragment)[0]!) as ClientHello;
}

/** Runs a plan and checks the invariants after every step; throws Violation with the step that broke one. */
export function runPlan(world: World, plan: Plan): { pair: InMemoryPair; steps: string[] } {
  const antiReplay = new SingleUseTickets();
  const issued = { alice: issue(world, 'alice', plan.issue, antiReplay), mallory: issue(world, 'mallory', plan.issue, antiReplay) };
  const a = plan.attack;
  const seed = `attack/${a.driver}`;
  const presented = credential(world, a.driver, a.credential);
  let client = clientConfig(world, seed, presented);
  if (a.hrr) client.keyShareGroups = [NamedGroup.secp256r1];
  const own = issued[a.driver].ticket;
  const ticket = a.ticket === 'own' ? own : a.ticket === 'swapped' && issued.alice.ticket && own ? { ...own, ticket: issued.alice.ticket.ticket } : undefined;
  if (ticket) client.resumption = { ticket, ...(a.earlyData ? { earlyData: Uint8Array.of(0x65, 0x61, 0x72, 0x6c, 0x79) } : {}) };
  const mimic = a.mimicAlice && a.driver === 'mallory' && a.hrr && issued.alice.ticket !== undefined;
  if (mimic) client = mimicConfig(client, sniffAliceHello(world, issued.alice.ticket!), presented?.certificate);
  const pair = new InMemoryPair(client, serverConfig(world, seed, a.policy, a.clientAuth, antiReplay, a.hrr));
  const oracle = new Oracle(pair, world.members, a.driver, a.policy, a.clientAuth);
  const history = { client: [...issued.alice.records.client, ...issued.mallory.records.client], server: [...issued.alice.records.server, ...issued.mallory.records.server] };
  const steps: string[] = [];
  const act = (action: Action) => {
    steps.push(JSON.stringify(action));
    for (const from of ['client', 'server'] as const) for (const r of pair.pull(from)) if (!history[from].includes(r.bytes)) history[from].push(r.bytes);
    oracle.guard(steps, () => perform(pair, oracle, history, action));
    oracle.check(steps);
  };
  for (const action of a.actions) act(action);
  // Then an honest network: flights until quiet, data both ways, flights until quiet.
  const settle = () => {
    for (let i = 0; i < 16; i++) {
      const before = pair.wire.length;
      act({ kind: 'flight', from: 'client' });
      act({ kind: 'flight', from: 'server' });
      if (pair.wire.length === before) return;
    }
  };
  settle();
  act({ kind: 'write', side: 'client' });
  act({ kind: 'write', side: 'server' });
  settle();
  return { pair, steps };
}

function perform(pair: InMemoryPair, oracle: Oracle, history: Record<Role, Uint8Array[]>, action: Action): void {
  const queue = (from: Role) => pair.pull(from);
  switch (action.kind) {
    case 'deliver':
      pair.stepRecord(action.from);
      return;
    case 'flight':
      pair.stepFlight(action.from);
      return;
    case 'drop':
      queue(action.from).shift();
      return;
    case 'reorder': {
      const q = queue(action.from);
      if (q.length >= 2) q.splice(0, 2, q[1]!, q[0]!);
      return;
    }
    case 'replay': {
      const past = history[action.from];
      if (past.length > 0) queue(action.from).unshift({ seq: 0, from: action.from, bytes: past[action.pick % past.length]! });
      return;
    }
    case 'inject-alert': {
      const level = action.alert === 'close_notify' ? AlertLevel.warning : AlertLevel.fatal;
      oracle.expectPlaintextAlertRefused(action.to);
      pair.connection(action.to).receive(plaintextRecord(ContentType.alert, 0x0303, Uint8Array.of(level, AlertDescription[action.alert])));
      return;
    }
    case 'forge':
      pair.connection(action.to).receive(plaintextRecord(ContentType.application_data, 0x0303, seededRandom(`forge/${action.length}`)(action.length)));
      return;
    case 'strip': {
      const q = queue('client');
      const head = q[0];
      if (head?.bytes[0] !== ContentType.handshake) return;
      const type = ExtensionType[action.extension];
      head.bytes = editPlaintextHandshake(head.bytes, (messages) =>
        messages.map((m) => (m.kind === 'client_hello' ? { ...m, extensions: m.extensions.filter((e) => e.type !== type) } : m)),
      );
      if (action.extension === 'post_handshake_auth') oracle.phaStripped = true;
      return;
    }
    case 'write':
      if (pair.connection(action.side).isWritable) pair.connection(action.side).write(Uint8Array.of(0x64, 0x61, 0x74, 0x61));
      return;
    case 'key-update':
      if (pair.connection(action.side).isWritable) pair.connection(action.side).updateKeys(action.request);
      return;
    case 'request-certificate':
      if (pair.server.isWritable && !oracle.phaStripped && !oracle.phaOutstanding()) {
        oracle.phaRequested++;
        pair.server.requestClientCertificate();
      }
      return;
    case 'close':
      pair.connection(action.side).close();
      return;
  }
}

/** What the oracle remembers between steps, per side. */
interface Seen {
  events: number;
  closed: boolean;
  /** The highest record number the side has produced (InFlightRecord.seq). */
  produced: number;
}

class Oracle {
  phaStripped = false;
  phaRequested = 0;
  private readonly seen: Record<Role, Seen> = { client: { events: 0, closed: false, produced: 0 }, server: { events: 0, closed: false, produced: 0 } };
  private refuseAlert?: { to: Role; at: number };

  constructor(
    private readonly pair: InMemoryPair,
    private readonly members: ReadonlyMap<string, Member>,
    private readonly driver: Actor,
    private readonly policy: PolicyName,
    private readonly clientAuth: ClientAuthMode,
  ) {}

  phaOutstanding(): boolean {
    return this.phaRequested > this.pair.events('server').filter((e) => e.type === 'post-handshake-auth').length;
  }

  /** Nothing but API misuse throws out of the engine, and the adversary never misuses it. */
  guard(steps: string[], step: () => void): void {
    try {
      step();
    } catch (e) {
      this.fail(steps, `the engine threw: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  /** A plaintext alert is about to reach `to`; if `to` has read keys it must answer unexpected_message. */
  expectPlaintextAlertRefused(to: Role): void {
    const conn = this.pair.connection(to);
    const readKey = to === 'client' ? 'server_handshake_traffic_secret' : 'client_handshake_traffic_secret';
    const keyed = this.pair.events(to).some((e) => e.type === 'secret' && e.name === readKey);
    const reading = conn.state !== 'CLOSED' && !this.pair.events(to).some((e) => e.type === 'closed' && e.by === 'peer');
    if (keyed && reading) this.refuseAlert = { to, at: this.pair.events(to).length };
  }

  check(steps: string[]): void {
    const fail = (what: string) => this.fail(steps, what);
    for (const side of ['client', 'server'] as const) {
      const conn = this.pair.connection(side);
      const queue = this.pair.pull(side);
      const events = this.pair.events(side);
      const fresh = events.slice(this.seen[side].events);
      const produced = Math.max(this.seen[side].produced, ...queue.map((r) => r.seq));
      if (this.seen[side].closed && (fresh.length > 0 || produced > this.seen[side].produced)) {
        fail(`${side} acted after it was closed: ${fresh.map((e) => e.type).join(', ') || 'sent records'}`);
      }
      const fatal = events.filter((e) => e.type === 'alert' && e.direction === 'out' && e.level === 'fatal');
      if (fatal.length > 1) fail(`${side} sent ${fatal.length} fatal alerts`);
      if (fatal.length === 1 && conn.state !== 'CLOSED') fail(`${side} sent a fatal alert but is ${conn.state}`);
      for (const event of fresh) this.judgeEvent(side, event, fail);
      if (conn.info.peer) this.judgeIdentity(side, conn.info.peer, 'getPeerIdentity()', fail);
      this.seen[side] = { events: events.length, closed: conn.state === 'CLOSED', produced };
    }
    if (this.refuseAlert) {
      const { to, at } = this.refuseAlert;
      this.refuseAlert = undefined;
      // A side that already sent close_notify refuses in silence (RFC 8446 §6.1): its closed event names the alert.
      const answer = this.pair.events(to).slice(at).find((e) => (e.type === 'alert' && e.direction === 'out') || (e.type === 'closed' && e.by === 'us'));
      const refusal = answer?.type === 'alert' ? answer.description : answer?.type === 'closed' ? /\((\w+)\)/.exec(answer.error ?? '')?.[1] : undefined;
      if (refusal !== 'unexpected_message') fail(`${to} had read keys and accepted a plaintext alert (answered ${refusal ?? 'nothing'})`);
    }
  }

  private judgeEvent(side: Role, event: TlsEvent, fail: (what: string) => never): void {
    if (event.type === 'connected' || event.type === 'post-handshake-auth') {
      if (event.info.peer) this.judgeIdentity(side, event.info.peer, `the ${event.type} event`, fail);
      if (side === 'server' && event.type === 'connected' && this.clientAuth === 'require' && !event.info.peer) {
        fail(`the server connected under clientAuth 'require' without a client identity (resumed: ${event.info.resumed ?? false})`);
      }
      if (side === 'client' && event.type === 'connected' && !event.info.peer) fail('the client connected without a server identity');
    }
    if (event.type === 'data') {
      const peer = this.pair.connection(side).info.peer;
      const required = side === 'client' || this.clientAuth === 'require';
      if (required && !peer) fail(`${side} delivered ${event.early ? '0-RTT ' : ''}data from an unauthenticated peer`);
    }
  }

  private judgeIdentity(side: Role, peer: PeerIdentity | PskPeerIdentity, where: string, fail: (what: string) => never): void {
    const member = this.pairMember(peer);
    const holder: Member = side === 'client' ? 'server' : this.driver;
    if (member !== holder) fail(`${side} reports ${peer.subject} in ${where}, but the peer is driven by ${holder}, who does not hold that key`);
    if (side === 'server' && !policyAccepts(this.policy, member)) fail(`the server reports ${peer.subject} in ${where}, which its current policy ${this.policy} does not accept`);
  }

  private pairMember(peer: PeerIdentity | PskPeerIdentity): Member | 'unknown' {
    return this.members.get(peer.certificateSha256 ?? '') ?? 'unknown';
  }

  private fail(steps: string[], what: string): never {
    throw new Violation(`${what}\n  after: ${steps.join('\n         ')}`);
  }
}

