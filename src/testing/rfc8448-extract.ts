// Turns the text of RFC 8448 ("Example Handshake Traces for TLS 1.3") into data: per trace section,
// the ordered steps ("{client}  create an ephemeral x25519 key pair:") and the values printed under
// each step ("private key (32 octets):  49 af 42 ...").
//
// Test support, not core: pure and synchronous like the core, but only tests and scripts import it.
// The parser is strict: any line it cannot classify, and any value whose hex does not hold the number
// of octets its label announces, is an error naming the line, so a misread can never pass silently.

export type Rfc8448Actor = 'client' | 'server';

/** The five trace sections: §3 1-RTT, §4 resumed 0-RTT, §5 HelloRetryRequest, §6 client auth, §7 compatibility mode. */
export type Rfc8448SectionNumber = 3 | 4 | 5 | 6 | 7;

export const RFC8448_SECTION_NUMBERS: readonly Rfc8448SectionNumber[] = [3, 4, 5, 6, 7];

export interface Rfc8448Value {
  /** The label as printed, e.g. "private key", "complete record", "key expanded", "ClientHello prefix". */
  label: string;
  /** The octet count the RFC announces in "(N octets)"; for §2 key parts (printed without one), the counted length. */
  octets: number;
  /** Lowercase hex, no spaces; exactly `octets` bytes. */
  hex: string;
  /**
   * Present when the RFC prints words instead of hex: "(empty)" for a zero-length hash, and
   * "0 (all zero octets)" for the HKDF-Extract salt of the early secret (printed without a length;
   * recorded as octets 0, hex "", which HMAC treats the same as Hash.length zero octets, RFC 2104 §2).
   */
  text?: string;
}

export interface Rfc8448Step {
  actor: Rfc8448Actor;
  /**
   * The step as printed, without the trailing colon, wrapped lines joined by one space, e.g.
   * `derive secret "tls13 c hs traffic"` or `extract secret "early" (same as client early secret)`.
   * Steps marked "(same as ...)" repeat a computation shown for the peer and carry no values.
   */
  action: string;
  values: Rfc8448Value[];
}

export interface Rfc8448Section {
  section: Rfc8448SectionNumber;
  title: string;
  steps: Rfc8448Step[];
}

export interface Rfc8448Extraction {
  /** §2: the RSA private key of the server certificate used in §3, §4, §5 and §7 (and of the client in §6). */
  privateKey: Rfc8448Value[];
  sections: Rfc8448Section[];
}

// Page furniture of the rfc-editor .txt layout. This copy's running header reads "TLS 1.3 Traces".
const PAGE_FOOTER = /^Thomson {2,}Informational {2,}\[Page \d+\]$/;
const PAGE_HEADER = /^RFC 8448 {2,}TLS 1\.3 Traces {2,}January 2019$/;
const FORM_FEED = '\f';

const SECTION_HEADING = /^(\d+)\. {2}(\S.*)$/;
const STEP_START = /^ {3}\{(client|server)\} {2}(\S.*)$/;
// "      label (N octets):  content" or "      salt:  0 (all zero octets)"
const VALUE_START = /^ {6}(\S[^:]*?)(?: \((\d+) octets\))?: {2}(\S.*)$/;
const VALUE_CONTINUATION = /^ {9}(\S.*)$/;
const STEP_CONTINUATION = /^ {6}(\S.*)$/;
// §2 key parts: "   modulus (public):  b4 bb ..." continued at six spaces.
const KEY_PART_START = /^ {3}(\S[^:]*): {2}((?:[0-9a-f]{2} ?)+)$/;
const KEY_PART_CONTINUATION = /^ {6}((?:[0-9a-f]{2} ?)+)$/;

const HEX_OCTETS = /^[0-9a-f]{2}( [0-9a-f]{2})*$/;
const WORDS_FOR_NO_HEX = new Set(['(empty)', '0 (all zero octets)']);

interface Line {
  number: number;
  text: string;
}

/** The text's lines without page headers, footers, form feeds and blank lines, keeping their line numbers. */
function contentLines(rfcText: string): Line[] {
  const lines: Line[] = [];
  rfcText.split('\n').forEach((raw, index) => {
    const text = raw.replace(/\s+$/, '');
    if (text === '' || text === FORM_FEED || PAGE_FOOTER.test(text) || PAGE_HEADER.test(text)) return;
    lines.push({ number: index + 1, text });
  });
  return lines;
}

function fail(line: Line, problem: string): never {
  throw new Error(`RFC 8448 line ${line.number}: ${problem}: ${JSON.stringify(line.text)}`);
}

function hexOf(line: Line, spaced: string): string {
  if (!HEX_OCTETS.test(spaced)) fail(line, 'expected hex octets');
  return spaced.replace(/ /g, '');
}

/** Splits the content lines into top-level sections keyed by number (a heading is "N.  Title" at column 0). */
function splitSections(lines: Line[]): Map<number, { title: string; body: Line[] }> {
  const sections = new Map<number, { title: string; body: Line[] }>();
  let current: { title: string; body: Line[] } | undefined;
  for (const line of lines) {
    const heading = SECTION_HEADING.exec(line.text);
    if (heading) {
      current = { title: heading[2]!, body: [] };
      sections.set(Number(heading[1]), current);
    } else if (current) {
      current.body.push(line);
    }
  }
  return sections;
}

function parseKeyParts(body: Line[]): Rfc8448Value[] {
  const parts: { label: string; hex: string }[] = [];
  for (const line of body) {
    const start = KEY_PART_START.exec(line.text);
    const continuation = KEY_PART_CONTINUATION.exec(line.text);
    if (start) parts.push({ label: start[1]!, hex: hexOf(line, start[2]!) });
    else if (continuation && parts.length > 0) parts[parts.length - 1]!.hex += hexOf(line, continuation[1]!);
    // Anything else in §2 is prose.
  }
  return parts.map(({ label, hex }) => ({ label, octets: hex.length / 2, hex }));
}

/** A value being read: its hex may continue on the following lines. */
interface OpenValue {
  value: Rfc8448Value;
  startLine: Line;
  continues: boolean;
}

function closeValue(open: OpenValue | undefined): void {
  if (!open) return;
  const { value, startLine } = open;
  if (value.text === undefined && value.hex.length / 2 !== value.octets) {
    fail(startLine, `"${value.label}" announces ${value.octets} octets but holds ${value.hex.length / 2}`);
  }
}

function startValue(line: Line, label: string, announced: string | undefined, content: string): OpenValue {
  if (WORDS_FOR_NO_HEX.has(content)) {
    // "hash (0 octets):  (empty)" and "salt:  0 (all zero octets)"
    const octets = announced === undefined ? 0 : Number(announced);
    if (octets !== 0) fail(line, `"${content}" with a non-zero length`);
    return { value: { label, octets: 0, hex: '', text: content }, startLine: line, continues: false };
  }
  if (announced === undefined) fail(line, 'hex value without an octet count');
  return { value: { label, octets: Number(announced), hex: hexOf(line, content) }, startLine: line, continues: true };
}

function parseSteps(section: number, body: Line[]): Rfc8448Step[] {
  const steps: Rfc8448Step[] = [];
  let step: Rfc8448Step | undefined;
  let open: OpenValue | undefined;
  for (const line of body) {
    const stepStart = STEP_START.exec(line.text);
    if (stepStart) {
      closeValue(open);
      open = undefined;
      step = { actor: stepStart[1] as Rfc8448Actor, action: stepStart[2]!, values: [] };
      steps.push(step);
      continue;
    }
    if (!step) continue; // the section's introductory prose and notes
    const continuation = VALUE_CONTINUATION.exec(line.text);
    if (continuation) {
      if (!open?.continues) fail(line, 'hex continuation outside a value');
      open.value.hex += hexOf(line, continuation[1]!);
      continue;
    }
    const valueStart = VALUE_START.exec(line.text);
    if (valueStart) {
      closeValue(open);
      open = startValue(line, valueStart[1]!, valueStart[2], valueStart[3]!);
      step.values.push(open.value);
      continue;
    }
    const wrappedAction = STEP_CONTINUATION.exec(line.text);
    if (wrappedAction && step.values.length === 0) {
      step.action += ` ${wrappedAction[1]!}`;
      continue;
    }
    fail(line, `unrecognised line in section ${section}`);
  }
  closeValue(open);
  for (const s of steps) s.action = s.action.replace(/:$/, '');
  return steps;
}

/** Parses the RFC 8448 text (rfc-editor .txt layout) into its §2 key and the steps of §§3-7. */
export function extractRfc8448(rfcText: string): Rfc8448Extraction {
  const sections = splitSections(contentLines(rfcText));
  const privateKeys = sections.get(2);
  if (!privateKeys) throw new Error('RFC 8448 text has no section 2');
  return {
    privateKey: parseKeyParts(privateKeys.body),
    sections: RFC8448_SECTION_NUMBERS.map((n) => {
      const found = sections.get(n);
      if (!found) throw new Error(`RFC 8448 text has no section ${n}`);
      return { section: n, title: found.title, steps: parseSteps(n, found.body) };
    }),
  };
}

/** The committed JSON files, by file name: 2-space JSON, one trailing newline, so regeneration is byte-stable. */
export function rfc8448JsonFiles(extraction: Rfc8448Extraction): Map<string, string> {
  const files = new Map<string, string>();
  const json = (data: unknown): string => `${JSON.stringify(data, null, 2)}\n`;
  files.set('private-key.json', json({ section: 2, title: 'Private Keys', values: extraction.privateKey }));
  for (const section of extraction.sections) files.set(`section-${section.section}.json`, json(section));
  return files;
}
