// Structure-aware mutation of one field of a decoded handshake message: any number (code points of the
// registry it belongs to, boundaries), any byte string (bits, lengths, an inner vector length that lies,
// DER of a certificate entry edited by element), any list (entries, extensions, suites: dropped, doubled,
// emptied, repeated hundreds of times), inside a CompressedCertificate's Certificate too (decompressed,
// edited, compressed again with the lengths made consistent). The message is then encoded again, so every
// outer length is consistent and only the edited field is wrong. Where RFC 8446 names the alert for the
// edit without choice, the mutation says so (`expect`), and the stateful judge holds the victim to it.
// Core-safe: no node imports.
import { portableZlib } from '../../handshake/compression-codecs.js';
import { CertificateCompressionAlgorithm, HandshakeType, SignatureScheme, type AlertName } from '../../wire/enums.js';
import { decodeHandshakeBody, encodeHandshake } from '../../wire/messages.js';
import type { Certificate, HandshakeMessage } from '../../wire/types.js';
import { mutateDer } from './der-tree.js';
import type { Choices } from './input.js';

/** What the receiver knows that bears on the alert an edit must get. */
export interface FieldContext {
  /** The cipher suites the victim offered, when it is the client (for a ServerHello's cipher_suite). */
  offeredSuites?: readonly number[];
  /** Whether the victim completed its handshake before this flight (then a Certificate is post-handshake). */
  victimConnected: boolean;
  victimIsClient: boolean;
}

export interface FieldMutation {
  description: string;
  message: HandshakeMessage;
  expect?: readonly AlertName[];
}

type Op = 'flip' | 'cut' | 'add' | 'empty' | 'inner-length' | 'fill' | 'grow' | 'der' | 'set' | 'drop' | 'duplicate' | 'swap' | 'clear' | 'repeat';

/** One mutable place in a message: a field of an object or an element of a list. */
interface Slot {
  path: string;
  /** The field's own name (the last property name on the path), which tells its registry. */
  name: string;
  value: unknown;
  set(value: unknown): void;
}

/** Code points worth trying per field name: the registry's real values and neighbours of what was sent. */
const CODE_POINTS: Readonly<Record<string, readonly number[]>> = {
  scheme: [0x0403, 0x0503, 0x0603, 0x0804, 0x0805, 0x0806, 0x0807, 0x0808, 0x0809, 0x0401, 0x0201, 0x0203, 0xfefe],
  cipherSuite: [0x1301, 0x1302, 0x1303, 0x1304, 0x1305, 0x00ff, 0xc02f, 0x0a0a],
  cipherSuites: [0x1301, 0x1302, 0x1303, 0x1304, 0x1305, 0x00ff, 0xc02f, 0x0a0a],
  type: [0, 5, 10, 13, 16, 19, 20, 27, 41, 42, 43, 44, 45, 47, 49, 50, 51, 0xff01, 0x0a0a],
  algorithm: [0, 1, 2, 3, 0xffff],
  requestUpdate: [0, 1, 2, 255],
  legacyVersion: [0x0303, 0x0304, 0x0301, 0x0300, 0x7f1c],
  legacyCompressionMethod: [0, 1],
  lifetime: [0, 604_800, 604_801, 0xffffffff],
  uncompressedLength: [0, 1, 0xffffff],
};

function slotsOf(value: unknown, path: string, name: string, set: (v: unknown) => void, out: Slot[]): void {
  out.push({ path, name, value, set });
  if (value instanceof Uint8Array || typeof value !== 'object' || value === null) return;
  if (Array.isArray(value)) {
    value.forEach((element, i) => slotsOf(element, `${path}[${i}]`, name, (v) => (value[i] = v), out));
    return;
  }
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) if (key !== 'kind') slotsOf(record[key], path ? `${path}.${key}` : key, key, (v) => (record[key] = v), out);
}

function mutateNumber(slot: Slot, c: Choices): { op: Op; value: number } {
  const v = slot.value as number;
  const candidates = [...(CODE_POINTS[slot.name] ?? []), v ^ 1, v + 1, v - 1, 0, 0xff, 0xffff].filter((x) => x !== v && x >= 0);
  return { op: 'set', value: c.pick(candidates) };
}

function mutateBytes(slot: Slot, c: Choices, isCertificateData: boolean): { op: Op; value: Uint8Array } {
  const bytes = slot.value as Uint8Array;
  const ops: Op[] = bytes.length > 0 ? ['flip', 'cut', 'add', 'empty', 'inner-length', 'fill', 'grow'] : ['add', 'grow'];
  if (isCertificateData && bytes.length > 0) ops.push('der', 'der', 'der');
  const op = c.pick(ops);
  switch (op) {
    case 'flip': {
      const copy = bytes.slice();
      copy[c.below(copy.length)]! ^= 1 << c.below(8);
      return { op, value: copy };
    }
    case 'cut':
      return { op, value: bytes.subarray(0, c.below(bytes.length)) };
    case 'add':
      return { op, value: Uint8Array.from([...bytes, c.u8()]) };
    case 'empty':
      return { op, value: new Uint8Array(0) };
    case 'inner-length': {
      // Most extension bodies and entries open with a vector length of one or two bytes: make it lie.
      const copy = bytes.slice();
      const at = copy.length > 1 && c.below(2) === 0 ? 1 : 0;
      copy[at] = (copy[at]! + c.pick([1, 0xff, 0x80])) & 0xff;
      return { op, value: copy };
    }
    case 'fill':
      return { op, value: new Uint8Array(bytes.length).fill(c.pick([0x00, 0xff])) };
    case 'grow': {
      // Past the sizes the fields are meant for, up to a message near the 64 KiB handshake message limit.
      const length = c.pick([255, 256, 16_384, 65_535]);
      return { op, value: new Uint8Array(length).fill(bytes[0] ?? 0x41) };
    }
    default:
      return { op: 'der', value: mutateDer(bytes, c, [], 65_536).bytes };
  }
}

function mutateList(slot: Slot, c: Choices): { op: Op; value: unknown[] } {
  const list = slot.value as unknown[];
  const i = c.below(list.length);
  const op: Op = list.length === 0 ? 'clear' : c.pick(['drop', 'duplicate', 'swap', 'clear', 'repeat'] as const);
  const copy = list.slice();
  if (op === 'drop') copy.splice(i, 1);
  else if (op === 'duplicate') copy.splice(i, 0, structuredClone(list[i]));
  else if (op === 'swap') [copy[i], copy[(i + 1) % copy.length]] = [copy[(i + 1) % copy.length], copy[i]];
  else if (op === 'repeat') return { op, value: [...copy, ...Array.from({ length: c.pick([50, 300]) }, () => structuredClone(list[i]))] };
  else copy.length = 0;
  return { op, value: copy };
}

/** Where RFC 8446 leaves no choice of alert for this edit, the alerts the victim must send. */
function expectedAlerts(kind: string, slot: Slot, op: Op, after: unknown, message: HandshakeMessage, ctx: FieldContext): readonly AlertName[] | undefined {
  const before = slot.value;
  const handshake = !ctx.victimConnected;
  switch (`${kind}.${slot.path}`) {
    case 'finished.verifyData':
      // §4.4.4: a wrong verify_data is decrypt_error; verify_data is Hash.length bytes, another length decode_error.
      return (after as Uint8Array).length === (before as Uint8Array).length ? ['decrypt_error'] : ['decode_error'];
    case 'certificate_verify.signature':
      // §4.4.3: a signature that does not verify is decrypt_error (Ed25519: 64 bytes, any other length too).
      return (message as { scheme: number }).scheme === SignatureScheme.ed25519 && op === 'flip' ? ['decrypt_error'] : undefined;
    case 'key_update.requestUpdate':
      // §4.6.3: "any other value ... MUST terminate the connection with an illegal_parameter alert".
      return (after as number) > 1 ? ['illegal_parameter'] : undefined;
    case 'server_hello.cipherSuite':
      // §4.1.3: "A client which receives a cipher suite that was not offered MUST abort ... illegal_parameter".
      return ctx.offeredSuites && !ctx.offeredSuites.includes(after as number) ? ['illegal_parameter'] : undefined;
    case 'server_hello.legacySessionIdEcho':
      // §4.1.3: an echo that does not match "MUST abort the handshake with an illegal_parameter alert"; one
      // longer than legacy_session_id_echo<0..32> does not decode.
      return (after as Uint8Array).length <= 32 ? ['illegal_parameter'] : ['decode_error'];
    case 'client_hello.legacyCompressionMethods': {
      // §4.1.2: exactly one zero byte; "any other value" is illegal_parameter (an empty vector does not decode).
      const methods = after as Uint8Array;
      return methods.length > 0 ? ['illegal_parameter'] : ['decode_error'];
    }
    case 'certificate.context':
    case 'certificate_request.context':
      // §4.3.2, §4.4.2: zero length in the handshake (docs/robustness.md: decode_error, as BoringSSL and OpenSSL).
      return handshake && (after as Uint8Array).length > 0 ? ['decode_error'] : undefined;
    case 'certificate.entries':
      // §4.4.2.4: an empty server Certificate is decode_error.
      return handshake && ctx.victimIsClient && (after as unknown[]).length === 0 ? ['decode_error'] : undefined;
    default:
      return undefined;
  }
}

/** One field edit of `message` (a deep copy is edited); undefined when the edit changes nothing. */
function editField(message: HandshakeMessage, c: Choices, ctx: FieldContext, where: string): FieldMutation | undefined {
  const copy = structuredClone(message);
  const slots: Slot[] = [];
  slotsOf(copy, '', '', () => undefined, slots);
  const editable = slots.filter((s) => s.path !== '');
  if (editable.length === 0) return undefined;
  const slot = editable[c.below(editable.length)]!;
  const isCertificateData = message.kind === 'certificate' && /^entries\[\d+\]\.data$/.test(slot.path);
  let op: Op;
  let value: unknown;
  if (typeof slot.value === 'number') ({ op, value } = mutateNumber(slot, c));
  else if (slot.value instanceof Uint8Array) ({ op, value } = mutateBytes(slot, c, isCertificateData));
  else if (Array.isArray(slot.value)) ({ op, value } = mutateList(slot, c));
  else return undefined;
  const expect = expectedAlerts(message.kind, slot, op, value, message, ctx);
  slot.set(value);
  const shown = typeof value === 'number' ? `0x${value.toString(16)}` : Array.isArray(value) ? `${value.length} items` : `${(value as Uint8Array).length} bytes`;
  return { description: `${where}${message.kind}.${slot.path} ${op} -> ${shown}`, message: copy, ...(expect ? { expect } : {}) };
}

/** The Certificate a zlib CompressedCertificate carries, edited, compressed again with its true length. */
function editCompressed(message: HandshakeMessage & { kind: 'compressed_certificate' }, c: Choices, ctx: FieldContext): FieldMutation | undefined {
  let inner: Certificate;
  try {
    const body = portableZlib.decompress(message.compressed, message.uncompressedLength);
    inner = decodeHandshakeBody(HandshakeType.certificate, body) as Certificate;
  } catch {
    return undefined;
  }
  const edit = editField(inner, c, ctx, 'compressed ');
  if (!edit) return undefined;
  let body: Uint8Array;
  try {
    body = encodeHandshake(edit.message).subarray(4);
  } catch {
    return undefined;
  }
  return { ...edit, message: { ...message, uncompressedLength: body.length, compressed: portableZlib.compress!(body) } };
}

/** One structure-aware field edit of `message`, encoded again; undefined when it cannot be encoded or changes nothing. */
export function mutateField(message: HandshakeMessage, raw: Uint8Array, c: Choices, ctx: FieldContext): { mutation: FieldMutation; raw: Uint8Array } | undefined {
  const compressed = message.kind === 'compressed_certificate' && message.algorithm === CertificateCompressionAlgorithm.zlib && c.below(3) > 0;
  const mutation = compressed ? editCompressed(message, c, ctx) : editField(message, c, ctx, '');
  if (!mutation) return undefined;
  let encoded: Uint8Array;
  try {
    encoded = encodeHandshake(mutation.message);
  } catch {
    return undefined;
  }
  if (encoded.length === raw.length && encoded.every((b, i) => b === raw[i])) return undefined;
  return { mutation, raw: encoded };
}
