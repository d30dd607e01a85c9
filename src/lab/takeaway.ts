// What a learner takes away from a run: the session as a pcap with its key log (Wireshark decrypts it),
// the trace as JSON lines, the static illustrated page, and a permalink: the scenario, the options, the
// seed and the tampering in the URL fragment, from which the page makes the same bytes again.
import type { Role } from '../handshake/events.js';
import { TEST_NOW } from '../testing/certs.js';
import { renderHtml } from '../trace/html.js';
import { jsonTraceLine } from '../trace/json.js';
import { KeylogCollector } from '../trace/keylog.js';
import { toPcap } from '../trace/pcap.js';
import { CUSTOM, DEFAULT_SCENARIO, DEFAULT_SEED, defaultCustomOptions, type CustomOptions, type LabOptions } from './options.js';
import type { LabRun } from './run.js';
import { TAMPER_KINDS, type Tamper } from './tamper.js';

export interface Download {
  name: string;
  type: string;
  data: Uint8Array | string;
}

/** The file names start with the scenario and seed, so several downloads sort together. */
function baseName(run: LabRun): string {
  return `tls13-lab-${run.options.scenario}-${run.options.seed}`.replace(/[^A-Za-z0-9._-]+/g, '_');
}

export function pcapDownload(run: LabRun): Download {
  return { name: `${baseName(run)}.pcap`, type: 'application/vnd.tcpdump.pcap', data: toPcap(run.pair.wire, { startTime: TEST_NOW }) };
}

/** NSS key-log lines (SSLKEYLOGFILE), each secret once. */
export function keylogDownload(run: LabRun): Download {
  const collector = new KeylogCollector();
  const lines = run.pair.log.flatMap(({ event }) => collector.add(event) ?? []);
  return { name: `${baseName(run)}.keylog`, type: 'text/plain', data: lines.map((l) => `${l}\n`).join('') };
}

export function jsonDownload(run: LabRun): Download {
  const lines = run.pair.log.map(({ side, event }) => `${jsonTraceLine(side, event, { secrets: true })}\n`);
  return { name: `${baseName(run)}.jsonl`, type: 'application/jsonl', data: lines.join('') };
}

export function htmlDownload(run: LabRun): Download {
  const page = renderHtml(run.pair.log, { secrets: true, title: `tls13 lab: ${run.options.scenario} (seed ${run.options.seed})`, description: run.setup.story });
  return { name: `${baseName(run)}.html`, type: 'text/html', data: page };
}

/** What a permalink holds: everything a run is made from (but a pasted key, which stays with its owner). */
export interface Permalink {
  options: LabOptions;
  tampers: Tamper[];
  step: number;
}

/** The URL fragment (without '#') for a run at a step. */
export function permalinkFragment(options: LabOptions, tampers: readonly Tamper[], step: number): string {
  const params = new URLSearchParams({ scenario: options.scenario, seed: options.seed });
  if (options.scenario === CUSTOM && options.custom) params.set('options', JSON.stringify(options.custom));
  if (tampers.length > 0) params.set('tamper', JSON.stringify(tampers));
  if (step > 0) params.set('step', String(step));
  return params.toString();
}

const isRole = (v: unknown): v is Role => v === 'client' || v === 'server';

/** A tamper read from a URL: only known kinds with the fields they need, or nothing. */
function validTamper(value: unknown): value is Tamper {
  if (typeof value !== 'object' || value === null) return false;
  const { at, op } = value as { at?: unknown; op?: Record<string, unknown> };
  if (!Number.isInteger(at) || (at as number) < 0 || typeof op !== 'object' || op === null) return false;
  if (!TAMPER_KINDS.includes(op['kind'] as Tamper['op']['kind']) || !isRole(op['side'])) return false;
  const numbers = ['record', 'offset', 'value'].filter((k) => k in op);
  return numbers.every((k) => Number.isInteger(op[k]) && (op[k] as number) >= 0);
}

/** Reads a fragment; whatever is missing or malformed falls back to the defaults. */
export function parsePermalink(fragment: string): Permalink {
  const params = new URLSearchParams(fragment.replace(/^#/, ''));
  const options: LabOptions = { scenario: params.get('scenario') ?? DEFAULT_SCENARIO, seed: params.get('seed') ?? DEFAULT_SEED };
  if (options.scenario === CUSTOM) options.custom = { ...defaultCustomOptions(), ...(parseJson(params.get('options')) as Partial<CustomOptions> | undefined) };
  const tampers = parseJson(params.get('tamper'));
  const step = Number(params.get('step') ?? 0);
  return {
    options,
    tampers: Array.isArray(tampers) ? tampers.filter(validTamper) : [],
    step: Number.isInteger(step) && step >= 0 ? step : 0,
  };
}

function parseJson(text: string | null): unknown {
  if (text === null) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
