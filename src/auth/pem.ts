// PEM (RFC 7468): "-----BEGIN LABEL-----", base64 of DER, "-----END LABEL-----". Several blocks may
// follow each other with text between them. A small strict base64 of our own keeps this free of node:*.

import { asciiText } from '../wire/bytes.js';

/** Malformed PEM text. */
export class PemError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PemError';
  }
}

export interface PemBlock {
  label: string;
  der: Uint8Array;
  /** RFC 1421 headers ("Proc-Type: 4,ENCRYPTED") when present: legacy encrypted keys carry them. */
  headers: Record<string, string>;
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) VALUE[ALPHABET.charCodeAt(i)] = i;

const ALPHABET_CODES = Uint8Array.from(ALPHABET, (c) => c.charCodeAt(0));
/** RFC 4648 §5: the URL and filename safe alphabet, '-' and '_' for '+' and '/'. */
const URL_ALPHABET_CODES = Uint8Array.from(ALPHABET.slice(0, 62) + '-_', (c) => c.charCodeAt(0));
const PAD = '='.charCodeAt(0);

/**
 * Four characters per three bytes (RFC 4648 §4), '=' for the bytes missing from the last group; as many of
 * them as `codes` has room for (none for unpadded base64url).
 */
function writeGroups(codes: Uint8Array, bytes: Uint8Array, alphabet: Uint8Array): void {
  for (let i = 0, c = 0; i < bytes.length; i += 3, c += 4) {
    const n = (bytes[i]! << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    codes[c] = alphabet[n >> 18]!;
    codes[c + 1] = alphabet[(n >> 12) & 63]!;
    if (c + 2 < codes.length) codes[c + 2] = i + 1 < bytes.length ? alphabet[(n >> 6) & 63]! : PAD;
    if (c + 3 < codes.length) codes[c + 3] = i + 2 < bytes.length ? alphabet[n & 63]! : PAD;
  }
}

const writeBase64 = (codes: Uint8Array, bytes: Uint8Array) => writeGroups(codes, bytes, ALPHABET_CODES);
const writeBase64Url = (codes: Uint8Array, bytes: Uint8Array) => writeGroups(codes, bytes, URL_ALPHABET_CODES);

export function base64Encode(bytes: Uint8Array): string {
  // Written as character codes and decoded once (asciiText): a fingerprint per handshake makes one string.
  return asciiText(4 * Math.ceil(bytes.length / 3), bytes, writeBase64);
}

/**
 * base64url without padding (RFC 4648 §5), as JWK members are written (RFC 7515 §2). One string and nothing
 * else, so the node provider hands key shares' private keys to node:crypto's JWK import without a Buffer
 * each; the character codes are zeroed after (asciiText).
 */
export function base64UrlEncode(bytes: Uint8Array): string {
  return asciiText(Math.ceil((4 * bytes.length) / 3), bytes, writeBase64Url);
}

/** Strict base64 (RFC 4648 §4): whitespace is skipped, anything else outside the alphabet fails. Null on error. */
export function base64Decode(text: string): Uint8Array | null {
  const clean = text.replace(/\s+/g, '');
  if (clean.length % 4 !== 0) return null;
  const padding = clean.endsWith('==') ? 2 : clean.endsWith('=') ? 1 : 0;
  const out = new Uint8Array((clean.length / 4) * 3 - padding);
  let o = 0;
  for (let i = 0; i < clean.length; i += 4) {
    const last = i + 4 === clean.length;
    let n = 0;
    for (let j = 0; j < 4; j++) {
      const code = clean.charCodeAt(i + j);
      const isPad = code === 61 && last && j >= 4 - padding;
      const v = isPad ? 0 : code < 128 ? VALUE[code]! : -1;
      if (v < 0) return null;
      n = (n << 6) | v;
    }
    // Canonical encoding: the bits dropped by padding must be zero (RFC 4648 §3.5).
    if (last && ((padding === 1 && (n & 0xff) !== 0) || (padding === 2 && (n & 0xffff) !== 0))) return null;
    out[o++] = n >> 16;
    if (o < out.length) out[o++] = (n >> 8) & 0xff;
    if (o < out.length) out[o++] = n & 0xff;
  }
  return out;
}

const BLOCK = /-----BEGIN ([^-\r\n]*)-----([\s\S]*?)-----END ([^-\r\n]*)-----/g;

/** Every PEM block in `text`, in order. Throws PemError when there is none or one is damaged. */
export function parsePem(text: string): PemBlock[] {
  const blocks: PemBlock[] = [];
  for (const m of text.matchAll(BLOCK)) {
    const label = m[1]!;
    if (m[3] !== label) throw new PemError(`PEM block "BEGIN ${label}" ends with "END ${m[3]}"`);
    const headers: Record<string, string> = {};
    let body = m[2]!;
    // RFC 1421 §4.4: headers, then a blank line, then the base64 text.
    const split = /^\s*((?:[A-Za-z-]+:[^\r\n]*\r?\n)+)\r?\n/.exec(body);
    if (split) {
      for (const line of split[1]!.split(/\r?\n/)) {
        const colon = line.indexOf(':');
        if (colon > 0) headers[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
      }
      body = body.slice(split[0].length);
    }
    const der = base64Decode(body);
    if (!der || der.length === 0) throw new PemError(`bad base64 in ${label} block`);
    blocks.push({ label, der, headers });
  }
  if (blocks.length === 0) {
    throw new PemError(text.includes('-----BEGIN') ? 'PEM block without a matching END line' : 'no PEM block found');
  }
  return blocks;
}

/** True when the bytes look like DER rather than PEM text: a SEQUENCE tag first (certificates and keys). */
export function isDer(bytes: Uint8Array): boolean {
  return bytes.length > 0 && bytes[0] === 0x30;
}

/**
 * Blocks from either PEM text or raw DER. Raw DER becomes one block labelled `derLabel`, since
 * DER carries no label of its own.
 */
export function readPemOrDer(input: string | Uint8Array, derLabel: string): PemBlock[] {
  if (typeof input !== 'string') {
    if (isDer(input)) return [{ label: derLabel, der: input, headers: {} }];
    input = new TextDecoder().decode(input);
  }
  return parsePem(input);
}

/** PEM text of one block, 64 characters a line (RFC 7468 §2). */
export function toPem(label: string, der: Uint8Array): string {
  const b64 = base64Encode(der);
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += 64) lines.push(b64.slice(i, i + 64));
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}
