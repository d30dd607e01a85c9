// Typed access to the RFC 8448 traces committed under vectors/rfc8448/ (see its README.md).
//
// Test support, not core: this file reads the JSON with node:fs, which the core must never do.
// Only tests and scripts import it. Later tests feed the RFC's injected values (randoms, ephemeral
// private keys) into our client and server and compare our records, secrets, keys and IVs with these.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fromHex } from '../wire/bytes.js';
import type {
  Rfc8448Actor,
  Rfc8448Section,
  Rfc8448SectionNumber,
  Rfc8448Step,
  Rfc8448Value,
} from './rfc8448-extract.js';

export type { Rfc8448Actor, Rfc8448Section, Rfc8448SectionNumber, Rfc8448Step, Rfc8448Value };

/** vectors/rfc8448, found by walking up from this file (works from src/ under vitest and from dist/). */
function vectorsDirectory(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'vectors', 'rfc8448');
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) throw new Error('vectors/rfc8448 not found above ' + fileURLToPath(import.meta.url));
    dir = parent;
  }
}

function readVectorFile(name: string): unknown {
  return JSON.parse(readFileSync(join(vectorsDirectory(), name), 'utf8'));
}

const sectionCache = new Map<Rfc8448SectionNumber, Rfc8448Section>();

/** One trace: §3 1-RTT, §4 resumed 0-RTT, §5 HelloRetryRequest, §6 client auth, §7 compatibility mode. */
export function loadRfc8448Section(n: Rfc8448SectionNumber): Rfc8448Section {
  let section = sectionCache.get(n);
  if (!section) {
    section = readVectorFile(`section-${n}.json`) as Rfc8448Section;
    if (section.section !== n) throw new Error(`section-${n}.json holds section ${section.section}`);
    sectionCache.set(n, section);
  }
  return section;
}

/** The steps of `actor` whose action contains `actionIncludes`, in trace order. */
export function findSteps(section: Rfc8448Section, actor: Rfc8448Actor, actionIncludes: string): Rfc8448Step[] {
  return section.steps.filter((step) => step.actor === actor && step.action.includes(actionIncludes));
}

/**
 * The `occurrence`-th (from 0) value labelled exactly `label` among the steps of `actor` whose action
 * contains `actionIncludes`, in trace order. Example: the server's ServerHello record in §3 is
 * `findValue(s3, 'server', 'send handshake record', 'complete record', 0)`.
 * Throws an Error naming the query and what the matching steps hold when there is no such value.
 */
export function findValue(
  section: Rfc8448Section,
  actor: Rfc8448Actor,
  actionIncludes: string,
  label: string,
  occurrence = 0,
): Uint8Array {
  const steps = findSteps(section, actor, actionIncludes);
  const values = steps.flatMap((step) => step.values.filter((value) => value.label === label));
  const value = values[occurrence];
  if (!value) {
    const query = `RFC 8448 §${section.section}: {${actor}} "${actionIncludes}" / "${label}" #${occurrence}`;
    const seen = steps.map((step) => `"${step.action}" [${step.values.map((v) => v.label).join(', ')}]`);
    throw new Error(
      `${query}: ${values.length} such value(s); matching steps: ${seen.length > 0 ? seen.join('; ') : 'none'}`,
    );
  }
  return fromHex(value.hex);
}

/** The parts of the §2 RSA key, as big-endian unsigned integers. */
export interface Rfc8448RsaKey {
  modulus: Uint8Array;
  publicExponent: Uint8Array;
  privateExponent: Uint8Array;
  prime1: Uint8Array;
  prime2: Uint8Array;
  exponent1: Uint8Array;
  exponent2: Uint8Array;
  coefficient: Uint8Array;
}

const KEY_PART_LABELS: Record<keyof Rfc8448RsaKey, string> = {
  modulus: 'modulus (public)',
  publicExponent: 'public exponent',
  privateExponent: 'private exponent',
  prime1: 'prime1',
  prime2: 'prime2',
  exponent1: 'exponent1',
  exponent2: 'exponent2',
  coefficient: 'coefficient',
};

/**
 * The RSA key of RFC 8448 §2: the key of the server certificate "CN=rsa" in §§3, 5 and 7 (§4 resumes
 * without certificates). §6 uses other keys ("CN=client" RSA, "CN=ecdsa256" P-256) whose private
 * halves the RFC does not show.
 */
export function loadRfc8448RsaKey(): Rfc8448RsaKey {
  const { values } = readVectorFile('private-key.json') as { values: Rfc8448Value[] };
  const part = (label: string): Uint8Array => {
    const found = values.find((value) => value.label === label);
    if (!found) throw new Error(`RFC 8448 §2 key has no "${label}"`);
    return fromHex(found.hex);
  };
  const entries = Object.entries(KEY_PART_LABELS).map(([name, label]) => [name, part(label)]);
  return Object.fromEntries(entries) as Rfc8448RsaKey;
}
