// Mutations of one inbound flight, for the stateful fuzz targets. Each mutation says which fault class it
// belongs to, so the checker knows which alerts the RFC allows for it. Protected flights are edited with
// the sender's own traffic secrets (the attacker-who-knows-the-keys position of src/testing/tamper.ts).
// Core-safe: no node imports.
import type { CryptoProvider } from '../../crypto/provider.js';
import type { TlsEvent } from '../../handshake/events.js';
import { MAX_PLAINTEXT_LENGTH, plaintextRecord } from '../../record/header.js';
import { concat } from '../../wire/bytes.js';
import { AlertDescription, ContentType, type AlertName } from '../../wire/enums.js';
import type { HandshakeMessage } from '../../wire/types.js';
import {
  editPlaintextHandshake,
  editProtectedHandshake,
  editProtectedRecords,
  joinRecords,
  splitRecords,
  suiteNamed,
  type EditedMessages,
  type TrafficSecret,
  type WireRecord,
} from '../tamper.js';
import type { Choices } from './input.js';

/**
 * What kind of fault a mutation introduces; the checker maps each to the alerts allowed for it.
 * - framing: record headers (type, version, length) that lie;
 * - handshake: handshake content changed (bits, lengths, extensions, messages added, dropped or moved);
 * - truncation: bytes missing at the end (the victim may simply wait for them);
 * - protected: a bit of a protected record's ciphertext or tag;
 * - ccs, empty, oversize, plaintext-after-keys, alert: records injected at a record boundary;
 * - chunking: the same bytes split differently (must not change anything).
 */
export type FaultClass = 'none' | 'framing' | 'handshake' | 'truncation' | 'protected' | 'ccs' | 'empty' | 'oversize' | 'plaintext-after-keys' | 'alert' | 'chunking';

export interface MutatedFlight {
  description: string;
  fault: FaultClass;
  /** Delivered one after the other; more than one chunk only for 'chunking'. */
  chunks: Uint8Array[];
  /** For an injected alert: its description. */
  alert?: number;
  /** Where RFC 8446 names the one alert for this fault: the victim must detect it and send one of these. */
  expect?: readonly AlertName[];
  /**
   * The mutation changed bytes a Finished authenticates: of the handshake (then no side may connect or
   * deliver data afterwards) or of a post-handshake authentication (then no side may report its result).
   */
  authenticated?: 'handshake' | 'post-handshake-auth';
  /** The edit got past the Finished (recomputed): only the victim's own checks can refuse it, and must. */
  victimDetects?: true;
}

/** What a mutation may use besides the flight: the sender's secrets, to edit protected records. */
export interface FlightContext {
  senderEvents: readonly TlsEvent[];
  senderSuite: string | undefined;
  provider: CryptoProvider;
}

type Mutator = (flight: Uint8Array, c: Choices, ctx: FlightContext) => MutatedFlight | undefined;

const single = (description: string, fault: FaultClass, bytes: Uint8Array): MutatedFlight => ({ description, fault, chunks: [bytes] });

/** Where byte `index` of the flight lies: in which record, and whether in its header. */
function locate(records: WireRecord[], index: number): { record: WireRecord; inHeader: boolean } | undefined {
  let at = 0;
  for (const record of records) {
    const end = at + 5 + record.fragment.length;
    if (index < end) return { record, inHeader: index < at + 5 };
    at = end;
  }
  return undefined;
}

function faultOfByte(records: WireRecord[], index: number): FaultClass {
  const where = locate(records, index);
  if (!where || where.inHeader) return 'framing';
  switch (where.record.type) {
    case ContentType.application_data:
      return 'protected';
    case ContentType.change_cipher_spec:
      return 'ccs';
    case ContentType.alert:
      return 'alert';
    default:
      return 'handshake';
  }
}

const flipBit: Mutator = (flight, c) => {
  const index = c.below(flight.length);
  const bit = c.below(8);
  const copy = flight.slice();
  copy[index]! ^= 1 << bit;
  return single(`flip bit ${bit} of byte ${index}`, faultOfByte(splitRecords(flight), index), copy);
};

const truncate: Mutator = (flight, c) => {
  const length = c.below(flight.length);
  return single(`truncate to ${length} of ${flight.length} bytes`, 'truncation', flight.subarray(0, length));
};

const recordLengthLie: Mutator = (flight, c) => {
  const records = splitRecords(flight);
  const index = c.below(records.length);
  const offset = records.slice(0, index).reduce((sum, r) => sum + 5 + r.fragment.length, 0);
  const original = records[index]!.fragment.length;
  const lie = c.pick([original - 1, original + 1, 0, c.u16(), MAX_PLAINTEXT_LENGTH + 1].filter((v) => v >= 0 && v <= 0xffff && v !== original));
  const copy = flight.slice();
  copy[offset + 3] = lie >>> 8;
  copy[offset + 4] = lie & 0xff;
  return single(`record ${index} length ${original} -> ${lie}`, 'framing', copy);
};

/** The 24-bit length of the first message of a plaintext handshake record, changed. */
const handshakeLengthLie: Mutator = (flight, c) => {
  const records = splitRecords(flight);
  const index = records.findIndex((r) => r.type === ContentType.handshake && r.fragment.length >= 4);
  if (index < 0) return undefined;
  const offset = records.slice(0, index).reduce((sum, r) => sum + 5 + r.fragment.length, 0) + 5;
  const original = (flight[offset + 1]! << 16) | (flight[offset + 2]! << 8) | flight[offset + 3]!;
  const lie = c.pick([original - 1, original + 1, 0, c.u16(), 0xffffff].filter((v) => v >= 0 && v !== original));
  const copy = flight.slice();
  copy[offset + 1] = lie >>> 16;
  copy[offset + 2] = (lie >>> 8) & 0xff;
  copy[offset + 3] = lie & 0xff;
  return single(`handshake message length ${original} -> ${lie}`, 'handshake', copy);
};

/** The records of the flight with one changed: dropped, duplicated or swapped with the next. */
const recordOrder: Mutator = (flight, c) => {
  const records = splitRecords(flight);
  const i = c.below(records.length);
  const op = c.below(3);
  const edited = records.slice();
  if (op === 0) {
    edited.splice(i, 1);
    return single(`drop record ${i}`, 'truncation', joinRecords(edited));
  }
  if (op === 1) {
    edited.splice(i, 0, records[i]!);
    return single(`duplicate record ${i}`, 'handshake', joinRecords(edited));
  }
  if (i + 1 >= records.length) return undefined;
  [edited[i], edited[i + 1]] = [edited[i + 1]!, edited[i]!];
  return single(`swap records ${i} and ${i + 1}`, 'handshake', joinRecords(edited));
};

/** Inserts a record at a record boundary. */
function insertRecord(flight: Uint8Array, at: number, record: Uint8Array): Uint8Array {
  const records = splitRecords(flight);
  const before = joinRecords(records.slice(0, at));
  return concat(before, record, flight.subarray(before.length));
}

const injectRecord: Mutator = (flight, c) => {
  const records = splitRecords(flight);
  const at = c.below(records.length + 1);
  const kind = c.below(5);
  switch (kind) {
    case 0:
      return single(`ChangeCipherSpec before record ${at}`, 'ccs', insertRecord(flight, at, plaintextRecord(ContentType.change_cipher_spec, 0x0303, Uint8Array.of(1))));
    case 1:
      return single(`ChangeCipherSpec with value 2 before record ${at}`, 'ccs', insertRecord(flight, at, plaintextRecord(ContentType.change_cipher_spec, 0x0303, Uint8Array.of(2))));
    case 2: {
      const type = c.pick([ContentType.handshake, ContentType.alert, ContentType.application_data]);
      return single(`empty record of type ${type} before record ${at}`, 'empty', insertRecord(flight, at, plaintextRecord(type, 0x0303, new Uint8Array(0))));
    }
    case 3: {
      const type = c.pick([ContentType.handshake, ContentType.application_data]);
      const record = plaintextRecord(type, 0x0303, new Uint8Array(MAX_PLAINTEXT_LENGTH + 1).fill(0x16));
      return single(`record of type ${type} with 2^14+1 bytes before record ${at}`, 'oversize', insertRecord(flight, at, record));
    }
    default: {
      const names = Object.values(AlertDescription);
      const description = c.below(4) === 0 ? c.u8() : c.pick(names);
      const level = c.pick([1, 2]);
      const record = plaintextRecord(ContentType.alert, 0x0303, Uint8Array.of(level, description));
      return { description: `alert ${level}/${description} before record ${at}`, fault: 'alert', alert: description, chunks: [insertRecord(flight, at, record)] };
    }
  }
};

/** A plaintext handshake record (a KeyUpdate) placed after the first protected record. */
const plaintextAfterKeys: Mutator = (flight) => {
  const records = splitRecords(flight);
  const firstProtected = records.findIndex((r) => r.type === ContentType.application_data);
  if (firstProtected < 0) return undefined;
  const record = plaintextRecord(ContentType.handshake, 0x0303, Uint8Array.of(24, 0, 0, 1, 0));
  return single(`plaintext handshake record after protected record ${firstProtected}`, 'plaintext-after-keys', insertRecord(flight, firstProtected + 1, record));
};

const splitDelivery: Mutator = (flight, c) => {
  const cuts = [...new Set([c.below(flight.length), c.below(flight.length), c.below(flight.length)])].filter((x) => x > 0).sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let from = 0;
  for (const cut of [...cuts, flight.length]) {
    chunks.push(flight.subarray(from, cut));
    from = cut;
  }
  return { description: `delivered in chunks cut at ${cuts.join(', ') || 'nothing'}`, fault: 'chunking', chunks };
};

/** The traffic secret that opens the flight's protected records, found among the sender's announced secrets. */
function flightKeys(flight: Uint8Array, ctx: FlightContext): TrafficSecret | undefined {
  if (ctx.senderSuite === undefined || !splitRecords(flight).some((r) => r.type === ContentType.application_data)) return undefined;
  const suite = suiteNamed(ctx.senderSuite);
  const secrets = ctx.senderEvents.flatMap((e) => (e.type === 'secret' ? [e.secret] : []));
  for (const secret of secrets.reverse()) {
    const keys = { suite, secret, provider: ctx.provider };
    try {
      editProtectedRecords(flight, keys, (records) => records);
      return keys;
    } catch {
      // another key, or records under more than one key: try the next secret
    }
  }
  return undefined;
}

/** Edits the handshake messages of the flight, plaintext or (when the keys are known) protected. */
function editMessages(flight: Uint8Array, ctx: FlightContext, edit: (messages: HandshakeMessage[]) => EditedMessages): Uint8Array | undefined {
  const keys = flightKeys(flight, ctx);
  try {
    if (keys) return editProtectedHandshake(flight, keys, edit);
    if (splitRecords(flight).some((r) => r.type === ContentType.handshake)) return editPlaintextHandshake(flight, edit);
  } catch {
    // a flight the tamper helpers cannot take apart (fragmented messages, mixed content)
  }
  return undefined;
}

const messageOrder: Mutator = (flight, c, ctx) => {
  const op = c.below(3);
  const pick = c.u8();
  let description = '';
  const bytes = editMessages(flight, ctx, (messages) => {
    const i = pick % messages.length;
    const edited = messages.slice();
    if (op === 0) edited.splice(i, 1);
    else if (op === 1) edited.splice(i, 0, messages[i]!);
    else if (i + 1 < messages.length) [edited[i], edited[i + 1]] = [edited[i + 1]!, edited[i]!];
    description = `${['drop', 'duplicate', 'swap with the next'][op]} message ${i} (${messages[i]!.kind})`;
    return edited;
  });
  return bytes && single(description, op === 0 ? 'truncation' : 'handshake', bytes);
};

const GREASE_EXTENSION = 0x0a0a;

const extensionEdit: Mutator = (flight, c, ctx) => {
  const target = c.u8();
  const op = c.below(4);
  const pick = c.u8();
  let description = '';
  const bytes = editMessages(flight, ctx, (messages) => {
    const withExtensions = messages.filter((m) => 'extensions' in m);
    if (withExtensions.length === 0) return messages;
    const message = withExtensions[target % withExtensions.length]! as HandshakeMessage & { extensions: { type: number; data: Uint8Array }[] };
    const list = message.extensions.slice();
    const i = list.length === 0 ? 0 : pick % list.length;
    if (op === 0 && list.length > 0) list.splice(i, 1);
    else if (op === 1 && list.length > 0) list.splice(i, 0, list[i]!);
    else if (op === 2 && list.length > 1) [list[i], list[(i + 1) % list.length]] = [list[(i + 1) % list.length]!, list[i]!];
    else list.splice(i, 0, { type: GREASE_EXTENSION, data: new Uint8Array(0) });
    description = `${['remove', 'duplicate', 'swap', 'insert unknown before'][op]} extension ${i} of ${message.kind}`;
    return messages.map((m) => (m === message ? { ...message, extensions: list } : m));
  });
  return bytes && description ? single(description, 'handshake', bytes) : undefined;
};

/** A bit flip inside a protected record's ciphertext or tag (never its header). */
const protectedFlip: Mutator = (flight, c) => {
  const records = splitRecords(flight);
  const protectedIndexes = records.flatMap((r, i) => (r.type === ContentType.application_data ? [i] : []));
  if (protectedIndexes.length === 0) return undefined;
  const index = c.pick(protectedIndexes);
  const offset = records.slice(0, index).reduce((sum, r) => sum + 5 + r.fragment.length, 0) + 5;
  const at = offset + c.below(records[index]!.fragment.length);
  const copy = flight.slice();
  copy[at]! ^= 1 << c.below(8);
  return single(`flip a bit of protected record ${index} at byte ${at}`, 'protected', copy);
};

export const MUTATORS: Readonly<Record<string, Mutator>> = {
  flipBit,
  truncate,
  recordLengthLie,
  handshakeLengthLie,
  recordOrder,
  injectRecord,
  plaintextAfterKeys,
  splitDelivery,
  messageOrder,
  extensionEdit,
  protectedFlip,
};

export type MutatorName = keyof typeof MUTATORS;

/** Mutates a flight with the mutator the input chooses; falls back to a bit flip when that one does not apply. */
export function mutateFlight(flight: Uint8Array, c: Choices, ctx: FlightContext, only?: string): MutatedFlight {
  const names = Object.keys(MUTATORS);
  const name = only ?? names[c.below(names.length)]!;
  const mutator = MUTATORS[name];
  if (!mutator) throw new Error(`unknown mutator ${name}`);
  return mutator(flight, c, ctx) ?? flipBit(flight, c, ctx)!;
}
