// Codec fuzz targets: every handshake message decoder on arbitrary bytes. The invariant (docs/robustness.md):
// decodeHandshakeBody either returns a message that encodes back to exactly the input bytes, or throws a
// TlsError whose alert is one the decoder may raise for that message; never any other exception.
// Core-safe: no node imports.
import { insecureFuzzingProvider } from '../../crypto/fuzzing.js';
import { Connection } from '../../handshake/connection.js';
import { equalBytes } from '../../wire/bytes.js';
import { HandshakeType, type AlertName } from '../../wire/enums.js';
import { TlsError } from '../../wire/errors.js';
import { decodeHandshakeBody, encodeHandshake } from '../../wire/messages.js';
import type { HandshakeKind } from '../../wire/types.js';
import { SCENARIOS, scenarioConfigs } from './scenarios.js';
import type { Prng } from './input.js';

/** Messages with an extension block: decode_error for lengths, illegal_parameter for §4.2 rule breaks. */
const WITH_EXTENSIONS: readonly AlertName[] = ['decode_error', 'illegal_parameter'];

/**
 * The alerts each decoder may raise. Only KeyUpdate's request_update has a value rule (illegal_parameter,
 * §4.6.3); CertificateVerify, Finished, EndOfEarlyData and message_hash can only be malformed.
 */
export const DECODER_ALERTS: Readonly<Record<Exclude<HandshakeKind, 'hello_retry_request'>, readonly AlertName[]>> = {
  client_hello: WITH_EXTENSIONS,
  // A server_hello body is a HelloRetryRequest when its random says so (§4.1.4): same alerts.
  server_hello: WITH_EXTENSIONS,
  encrypted_extensions: WITH_EXTENSIONS,
  certificate_request: WITH_EXTENSIONS,
  certificate: WITH_EXTENSIONS,
  new_session_ticket: WITH_EXTENSIONS,
  certificate_verify: ['decode_error'],
  finished: [],
  end_of_early_data: ['decode_error'],
  key_update: ['decode_error', 'illegal_parameter'],
  compressed_certificate: ['decode_error'],
  message_hash: [],
};

export type DecodedKind = keyof typeof DECODER_ALERTS;
export const DECODED_KINDS = Object.keys(DECODER_ALERTS) as DecodedKind[];

/** An unknown msg_type is unexpected_message (RFC 8446 §6.2), whatever the body. */
export const UNKNOWN_TYPE_ALERTS: readonly AlertName[] = ['unexpected_message'];

export class CodecViolation extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CodecViolation';
  }
}

/** Checks the decoder invariant for one body; returns what happened: `decoded <kind>` or `rejected <alert>`. */
export function checkDecoder(msgType: number, body: Uint8Array, allowed: readonly AlertName[]): string {
  let message;
  try {
    message = decodeHandshakeBody(msgType, body);
  } catch (e) {
    if (!(e instanceof TlsError)) throw new CodecViolation(`type ${msgType}: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
    if (!allowed.includes(e.alert)) throw new CodecViolation(`type ${msgType}: ${e.alert} is not among ${allowed.join(', ') || 'no alerts'} (${e.message})`);
    return `rejected ${e.alert}`;
  }
  const again = encodeHandshake(message).subarray(4);
  if (!equalBytes(again, body)) throw new CodecViolation(`type ${msgType}: decoded ${message.kind} does not encode back to the input`);
  return `decoded ${message.kind}`;
}

let corpus: Map<number, Uint8Array[]> | undefined;

/** Real message bodies by msg_type, from one run of every scenario (with the fuzzing provider). */
export function seedCorpus(): Map<number, Uint8Array[]> {
  if (corpus) return corpus;
  corpus = new Map();
  for (const scenario of SCENARIOS) {
    const { client: cc, server: sc } = scenarioConfigs(scenario, insecureFuzzingProvider, 1);
    const client = Connection.client(cc);
    const server = Connection.server(sc);
    for (let i = 0; i < 8; i++) {
      server.receive(client.takeOutput());
      client.receive(server.takeOutput());
      if (client.isConnected && i === 4) client.updateKeys(true);
    }
    for (const event of [...client.takeEvents(), ...server.takeEvents()]) {
      if (event.type !== 'handshake-message' || event.direction !== 'out') continue;
      const list = corpus.get(event.raw[0]!) ?? [];
      list.push(event.raw.slice(4));
      corpus.set(event.raw[0]!, list);
    }
  }
  return corpus;
}

/** A new input for a decoder: a corpus body with a few random edits (or, rarely, random bytes). */
export function generateBody(msgType: number, prng: Prng): Uint8Array {
  const seeds = seedCorpus().get(msgType) ?? [];
  if (seeds.length === 0 || prng.below(16) === 0) return prng.bytes(prng.below(64));
  let body: Uint8Array = seeds[prng.below(seeds.length)]!.slice();
  const edits = 1 + prng.below(4);
  for (let i = 0; i < edits; i++) body = havoc(body, prng);
  return body;
}

/** One random edit: flip, set a byte to a boundary value, insert, delete, or truncate. */
export function havoc(bytes: Uint8Array, prng: Prng): Uint8Array {
  const at = prng.below(bytes.length + 1);
  switch (prng.below(6)) {
    case 0:
      if (at < bytes.length) bytes[at]! ^= 1 << prng.below(8);
      return bytes;
    case 1:
      if (at < bytes.length) bytes[at] = [0x00, 0x01, 0x7f, 0x80, 0xff][prng.below(5)]!;
      return bytes;
    case 2: {
      const out = new Uint8Array(bytes.length + 1);
      out.set(bytes.subarray(0, at));
      out[at] = prng.u32() & 0xff;
      out.set(bytes.subarray(at), at + 1);
      return out;
    }
    case 3:
      return Uint8Array.from([...bytes.subarray(0, at), ...bytes.subarray(at + 1)]);
    case 4:
      return bytes.slice(0, at);
    default: {
      // Duplicate a slice: repeated extensions and entries.
      const from = prng.below(bytes.length + 1);
      const length = prng.below(16);
      return Uint8Array.from([...bytes.subarray(0, at), ...bytes.subarray(from, from + length), ...bytes.subarray(at)]);
    }
  }
}

export const MSG_TYPES: Readonly<Record<DecodedKind, number>> = Object.fromEntries(DECODED_KINDS.map((kind) => [kind, HandshakeType[kind]])) as Record<DecodedKind, number>;
