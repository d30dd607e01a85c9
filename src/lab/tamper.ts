// What a learner can do to records in flight before they arrive: edit a byte of the ciphertext, drop,
// duplicate or reorder a record, or rewrite a handshake message in the clear and seal it again under the
// sender's key (the position of an attacker who holds the key log: it reaches the checks behind record
// protection). The rewriting is src/testing/tamper.ts's, the same the negative tests use.
import { makeIdentity } from '../testing/certs.js';
import { seededRandom } from '../crypto/random.js';
import type { Role } from '../handshake/events.js';
import type { InFlightRecord, InMemoryPair } from '../handshake/pair.js';
import { plaintextRecord } from '../record/header.js';
import { announcedSecret, editPlaintextHandshake, editProtectedHandshake, splitRecords, suiteNamed, type EditedMessages, type HandshakeEdit } from '../testing/tamper.js';
import { concat } from '../wire/bytes.js';
import { ContentType } from '../wire/enums.js';
import { encodeHandshake } from '../wire/messages.js';
import type { CertificateVerify, HandshakeMessage } from '../wire/types.js';

export type TamperOp =
  /** Sets one byte of a record as it goes on the wire (for a protected record: of the ciphertext). */
  | { kind: 'edit-record-byte'; side: Role; record: number; offset: number; value: number }
  | { kind: 'drop'; side: Role; record: number }
  | { kind: 'duplicate'; side: Role; record: number }
  /** Swaps the record with the one after it. */
  | { kind: 'reorder'; side: Role; record: number }
  /** Sets one byte of a handshake message (offset from its 4-byte header) and seals the flight again. */
  | { kind: 'edit-message-byte'; side: Role; message: HandshakeMessage['kind']; offset: number; value: number }
  /** Puts another (self-signed, seeded) certificate in place of the sender's leaf certificate. */
  | { kind: 'replace-certificate'; side: Role }
  /** Puts in the sender's CertificateVerify from another run of the same setup (another seed). */
  | { kind: 'replay-certificate-verify'; side: Role };

/** Tampering that happens after `at` records have been delivered. */
export interface Tamper {
  at: number;
  op: TamperOp;
}

export const TAMPER_KINDS: ReadonlyArray<TamperOp['kind']> = [
  'edit-record-byte',
  'drop',
  'duplicate',
  'reorder',
  'edit-message-byte',
  'replace-certificate',
  'replay-certificate-verify',
];

/** What a tamper does, in words. */
export function describeTamper(op: TamperOp): string {
  const record = 'record' in op ? `${op.side}'s in-flight record ${op.record + 1}` : '';
  switch (op.kind) {
    case 'edit-record-byte':
      return `set byte ${op.offset} of ${record} to 0x${op.value.toString(16).padStart(2, '0')}`;
    case 'drop':
      return `drop ${record}`;
    case 'duplicate':
      return `send ${record} twice`;
    case 'reorder':
      return `swap ${record} with the record after it`;
    case 'edit-message-byte':
      return `set byte ${op.offset} of the ${op.side}'s ${op.message} to 0x${op.value.toString(16).padStart(2, '0')}, sealed again with the ${op.side}'s key`;
    case 'replace-certificate':
      return `swap another certificate into the ${op.side}'s Certificate`;
    case 'replay-certificate-verify':
      return `replace the ${op.side}'s CertificateVerify with one recorded in another run`;
  }
}

/** What the tamper needs besides the pair: the sender's CertificateVerify of another run, made on demand. */
export interface TamperContext {
  seed: string;
  otherRunCertificateVerify(side: Role): CertificateVerify | undefined;
}

/** A record a tamper put in flight, and the record it was made from (for an edited or copied one). */
export interface PlacedRecord {
  record: InFlightRecord;
  source?: InFlightRecord;
}

/** Applies one tamper to the queues and returns the records it put there; a tamper that cannot be made throws a TypeError. */
export function applyTamper(pair: InMemoryPair, op: TamperOp, context: TamperContext): PlacedRecord[] {
  const queue = pair.queue[op.side];
  if ('record' in op) {
    const target = queue[op.record];
    if (!target) throw new TypeError(`the ${op.side} has no record ${op.record + 1} in flight`);
    switch (op.kind) {
      case 'edit-record-byte': {
        if (op.offset < 0 || op.offset >= target.bytes.length) throw new TypeError(`byte ${op.offset} is outside the record (${target.bytes.length} bytes)`);
        const bytes = target.bytes.slice();
        bytes[op.offset] = op.value & 0xff;
        const edited = { ...target, bytes };
        queue.splice(op.record, 1, edited);
        return [{ record: edited, source: target }];
      }
      case 'drop':
        queue.splice(op.record, 1);
        return [];
      case 'duplicate': {
        const copy = { ...target, bytes: target.bytes.slice() };
        queue.splice(op.record + 1, 0, copy);
        return [{ record: copy, source: target }];
      }
      case 'reorder': {
        const next = queue[op.record + 1];
        if (!next) throw new TypeError(`the ${op.side} has no record after record ${op.record + 1} to swap with`);
        queue.splice(op.record, 2, next, target);
        return [];
      }
    }
  }
  return rewriteFlight(pair, op.side, messageEdit(op, context));
}

/** The message rewrite a tamper stands for. */
function messageEdit(op: TamperOp, context: TamperContext): HandshakeEdit {
  const replace = (kind: HandshakeMessage['kind'], by: (m: HandshakeMessage) => HandshakeMessage | Uint8Array) => (messages: HandshakeMessage[]) =>
    messages.map((m) => (m.kind === kind ? by(m) : m));
  switch (op.kind) {
    case 'edit-message-byte':
      return replace(op.message, (m) => {
        const raw = encodeHandshake(m);
        if (op.offset < 0 || op.offset >= raw.length) throw new TypeError(`byte ${op.offset} is outside the ${op.message} (${raw.length} bytes)`);
        raw[op.offset] = op.value & 0xff;
        return raw;
      });
    case 'replace-certificate': {
      const other = makeIdentity({ subject: { CN: 'mallory' }, serial: 666n }, seededRandom(`${context.seed}/lab-swapped-certificate`));
      return replace('certificate', (m) => (m.kind === 'certificate' && m.entries[0] ? { ...m, entries: [{ ...m.entries[0], data: other.der }, ...m.entries.slice(1)] } : m));
    }
    case 'replay-certificate-verify': {
      const recorded = context.otherRunCertificateVerify(op.side);
      if (!recorded) throw new TypeError(`the ${op.side} sends no CertificateVerify in this setup`);
      return replace('certificate_verify', () => recorded);
    }
    default:
      throw new TypeError(`${op.kind} is not a message edit`);
  }
}

/**
 * Rewrites the handshake messages of everything `side` has in flight: plaintext ones as they are, protected
 * ones opened and sealed again with the side's handshake traffic secret. The protected records must be the
 * whole flight from the first record under that key (sealing starts at record number 0).
 */
function rewriteFlight(pair: InMemoryPair, side: Role, edit: HandshakeEdit): PlacedRecord[] {
  const queue = pair.queue[side];
  if (queue.length === 0) throw new TypeError(`the ${side} has nothing in flight`);
  let changed = false;
  const tracked: HandshakeEdit = (messages) => {
    const out: EditedMessages = edit(messages);
    if (out.length !== messages.length || out.some((m, i) => m !== messages[i])) changed = true;
    return out;
  };
  const flight = concat(...queue.map((r) => r.bytes));
  let edited = editPlaintextHandshake(flight, tracked);
  if (!changed && queue.some((r) => r.bytes[0] === ContentType.application_data)) {
    const connection = pair.connection(side);
    const keys = { suite: suiteNamed(connection.info.cipherSuite), secret: announcedSecret(pair.events(side), `${side}_handshake_traffic_secret`) };
    try {
      edited = editProtectedHandshake(flight, keys, tracked);
    } catch (e) {
      throw new TypeError(
        `cannot rewrite the ${side}'s protected flight (${e instanceof Error ? e.message : String(e)}): it is sealed again from its first record, so tamper before that record is delivered`,
      );
    }
  }
  if (!changed) throw new TypeError(`the ${side} has no such message in flight`);
  const first = queue[0]!.seq;
  const records = splitRecords(edited).map((r, i) => ({ seq: first + i, from: side, bytes: plaintextRecord(r.type, r.version, r.fragment) }));
  queue.splice(0, queue.length, ...records);
  return records.map((record) => ({ record }));
}
