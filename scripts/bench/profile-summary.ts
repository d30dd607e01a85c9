// Summarises V8 .cpuprofile files (node --cpu-prof; the bench writes one per process, its contenders' child
// processes included), added together: time per layer (noble primitives, our src/ directories, node internals,
// GC) and the functions with the most self time. Built-in frames (typed array copies and the like, which have
// no script URL) are charged to the nearest caller that has one.
// usage: node dist/scripts/bench/profile-summary.js FILE.cpuprofile... [--top N] [--under FUNCTION]
// --under keeps only the samples taken inside a function of that name (e.g. unmeteredEngineHandshake).
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { table } from './report.js';
import { runMain } from './deadline.js';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

function layerOf(url: string, functionName: string): string | undefined {
  if (functionName.startsWith('(')) return functionName; // (garbage collector), (program), (idle), (root)
  if (url === '') return undefined;
  const noble = /node_modules\/@noble\/(\w+)/.exec(url);
  if (noble) return `@noble/${noble[1]}`;
  const ours = /\/dist\/(src\/\w+|scripts)\//.exec(url);
  if (ours) return ours[1] === 'scripts' ? 'bench harness' : ours[1]!;
  return url.startsWith('node:') ? 'node internals' : 'other';
}

function frameName(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  const file = url.replace(/^.*\/(dist|node_modules)\//, '');
  return `${functionName || '(anonymous)'} ${file ? `${file}:${lineNumber + 1}` : '(built-in)'}`;
}

function summarise(profiles: readonly CpuProfile[], top: number, under?: string): string {
  const layerMs = new Map<string, number>();
  const frameMs = new Map<string, { ms: number; layer: string }>();
  let totalMs = 0;
  for (const profile of profiles) totalMs += addSamples(profile, under, layerMs, frameMs);
  const percent = (ms: number) => (ms / totalMs) * 100;
  const layers = [...layerMs].sort((a, b) => b[1] - a[1]);
  const frames = [...frameMs].sort((a, b) => b[1].ms - a[1].ms).slice(0, top);
  return [
    `${totalMs.toFixed(0)} ms sampled in ${profiles.length} profile${profiles.length === 1 ? '' : 's'}`,
    table(['layer', 'ms', '%'], layers.map(([name, ms]) => [name, ms, percent(ms)])),
    table(['function (self time)', 'layer', 'ms', '%'], frames.map(([name, f]) => [name, f.layer, f.ms, percent(f.ms)])),
  ].join('\n\n');
}

/** Adds one profile's samples (those inside `under`, if named) to the per-layer and per-function sums; returns its ms. */
function addSamples(profile: CpuProfile, under: string | undefined, layerMs: Map<string, number>, frameMs: Map<string, { ms: number; layer: string }>): number {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

  /** The layer a node's self time belongs to: its own, or that of the nearest caller with a script URL. */
  const layerCache = new Map<number, string>();
  const layer = (id: number): string => {
    const cached = layerCache.get(id);
    if (cached) return cached;
    const node = byId.get(id)!;
    const own = layerOf(node.callFrame.url, node.callFrame.functionName);
    const up = parent.get(id);
    const result = own ?? (up === undefined ? 'other' : layer(up));
    layerCache.set(id, result);
    return result;
  };

  const insideCache = new Map<number, boolean>();
  const inside = (id: number): boolean => {
    const cached = insideCache.get(id);
    if (cached !== undefined) return cached;
    const up = parent.get(id);
    const result = byId.get(id)!.callFrame.functionName === under || (up !== undefined && inside(up));
    insideCache.set(id, result);
    return result;
  };

  let totalMs = 0;
  profile.samples.forEach((id, i) => {
    if (under !== undefined && !inside(id)) return;
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    totalMs += ms;
    const l = layer(id);
    layerMs.set(l, (layerMs.get(l) ?? 0) + ms);
    const name = frameName(byId.get(id)!);
    const frame = frameMs.get(name) ?? { ms: 0, layer: l };
    frame.ms += ms;
    frameMs.set(name, frame);
  });
  return totalMs;
}

function main(): void {
  const { values, positionals } = parseArgs({
    options: { top: { type: 'string', default: '25' }, under: { type: 'string' } },
    allowPositionals: true,
  });
  if (positionals.length === 0) {
    console.error('usage: node dist/scripts/bench/profile-summary.js FILE.cpuprofile... [--top N] [--under FUNCTION]');
    process.exitCode = 2;
    return;
  }
  const profiles = positionals.map((file) => JSON.parse(readFileSync(file, 'utf8')) as CpuProfile);
  console.log(summarise(profiles, Number(values.top), values.under));
}

await runMain(main);
