// CRLs a `ca` trust policy holds (`trust.crls`) are parsed once, not once per handshake: a CRL of a
// million entries takes seconds to read, and a peer could otherwise make a server pay that on every
// connection. The memo answers by content, never by a digest or a length: an array entry only for the same
// Uint8Array still holding the same bytes (a caller may refill a buffer between handshakes), a text entry
// only for an equal string. The CRLs are parseCrl's: frozen, over private copies of their bytes. Only the
// parse is kept: whether a CRL is current, and whom it revokes, is judged afresh in every validation.
import { equalBytes } from '../wire/bytes.js';
import { parseCrl, type Crl } from './path/revocation.js';
import { readPemOrDer } from './pem.js';

const fromBytes = new WeakMap<Uint8Array, { bytes: Uint8Array; crls: readonly Crl[] }>();
/** Strings cannot be weak keys: at most MAX_TEXTS are kept, the oldest dropped first. */
const fromText = new Map<string, readonly Crl[]>();
const MAX_TEXTS = 32;

/** The CRLs in one `trust.crls` input (DER, or PEM text or bytes); TypeError naming `path` when it holds none or a malformed one. */
function parseInput(input: Uint8Array | string, path: string): Crl[] {
  let blocks;
  try {
    blocks = readPemOrDer(input, 'X509 CRL').filter((b) => b.label === 'X509 CRL');
  } catch (e) {
    throw new TypeError(`${path}: ${(e as Error).message}`);
  }
  if (blocks.length === 0) throw new TypeError(`${path}: no X509 CRL in it (DER, or PEM "-----BEGIN X509 CRL-----")`);
  return blocks.map((b) => parseCrl(b.der));
}

/** The parsed CRLs of one configured input, from the memo when the same content was parsed before. */
export function parseConfiguredCrls(input: Uint8Array | string, path: string): readonly Crl[] {
  if (typeof input === 'string') {
    const known = fromText.get(input);
    if (known) return known;
    const crls = Object.freeze(parseInput(input, path));
    if (fromText.size >= MAX_TEXTS) fromText.delete(fromText.keys().next().value!);
    fromText.set(input, crls);
    return crls;
  }
  const known = fromBytes.get(input);
  if (known && equalBytes(known.bytes, input)) return known.crls;
  const crls = Object.freeze(parseInput(input, path));
  // A DER input is its CRL's own private copy; PEM bytes need one of their own to compare with.
  const bytes = crls.length === 1 && equalBytes(crls[0]!.der, input) ? crls[0]!.der : input.slice();
  fromBytes.set(input, { bytes, crls });
  return crls;
}

/**
 * Each list's texts as last read. A validation asks for its list in order, and a memo dropping its oldest
 * text first would, for a list of more than MAX_TEXTS texts, lose each one just before it is asked for: every
 * handshake would parse every CRL again. Kept weakly per list, and only for the texts it holds now.
 */
const textsOfList = new WeakMap<ReadonlyArray<Uint8Array | string>, ReadonlyMap<string, readonly Crl[]>>();

/** The CRLs of a whole `trust.crls` list, each input read once (parseConfiguredCrls). */
export function parseConfiguredCrlList(inputs: ReadonlyArray<Uint8Array | string>, path: string): Crl[] {
  const before = textsOfList.get(inputs);
  let texts: Map<string, readonly Crl[]> | undefined;
  const out: Crl[] = [];
  inputs.forEach((input, i) => {
    const crls = (typeof input === 'string' && before?.get(input)) || parseConfiguredCrls(input, `${path}[${i}]`);
    if (typeof input === 'string') (texts ??= new Map()).set(input, crls);
    for (const crl of crls) out.push(crl);
  });
  if (texts) textsOfList.set(inputs, texts);
  return out;
}
