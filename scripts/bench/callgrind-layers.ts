// Where the instructions of a callgrind dump went, by layer: noble's JavaScript, V8's BigInt arithmetic (where
// noble's curves spend most), our src/, V8's builtins and runtime, the collector, the optimising compiler, malloc.
// callgrind knows no names for JIT code: it names such a function by its entry address (0x...); node's
// --perf-basic-prof writes /tmp/perf-PID.map, "START SIZE NAME" in hex per compiled function, which names them.
// Self costs only (each function's own instructions), so the layers add up to the dump's total.

/** Self cost per function name, per event, from a callgrind out file (format: valgrind's callgrind docs, "Callgrind Format"). */
export function selfCosts(text: string): { events: string[]; byFunction: Map<string, number[]> } {
  let events: string[] = [];
  const names = new Map<string, string>();
  const byFunction = new Map<string, number[]>();
  let current = '?';
  let callCost = false;
  for (const line of text.split('\n')) {
    const first = line.charAt(0);
    if ((first >= '0' && first <= '9') || first === '+' || first === '-' || first === '*') {
      // The line after calls= is the call's inclusive cost, already in the callee's own lines.
      if (callCost) {
        callCost = false;
        continue;
      }
      const values = line.trim().split(/\s+/).slice(1).map(Number);
      let sums = byFunction.get(current);
      if (!sums) byFunction.set(current, (sums = new Array<number>(events.length).fill(0)));
      values.forEach((v, i) => (sums![i] += v));
    } else if (line.startsWith('events:')) events = line.slice('events:'.length).trim().split(/\s+/);
    else if (line.startsWith('fn=') || line.startsWith('cfn=')) {
      // "fn=(12) name" defines name 12, "fn=(12)" refers to it (name compression, shared by fn and cfn).
      const match = /^c?fn=\((\d+)\)(?: (.*))?$/.exec(line);
      if (!match) continue;
      if (match[2] !== undefined) names.set(match[1]!, match[2]);
      if (line.startsWith('fn=')) current = names.get(match[1]!) ?? '?';
    } else if (line.startsWith('calls=')) callCost = true;
  }
  return { events, byFunction };
}

/** A perf map (node --perf-basic-prof): compiled functions by start address, sorted. */
export function perfMap(text: string): { start: number; end: number; name: string }[] {
  const entries = [];
  for (const line of text.split('\n')) {
    const match = /^([0-9a-f]+) ([0-9a-f]+) (.*)$/.exec(line);
    if (match) entries.push({ start: parseInt(match[1]!, 16), end: parseInt(match[1]!, 16) + parseInt(match[2]!, 16), name: match[3]! });
  }
  return entries.sort((a, b) => a.start - b.start);
}

/** The name of a callgrind function: its own, or for JIT code (0x...) the perf map's; undefined when neither knows. */
export function functionName(name: string, map: ReturnType<typeof perfMap>): string | undefined {
  const address = /^0x([0-9a-f]+)$/.exec(name);
  if (!address) return name;
  const at = parseInt(address[1]!, 16);
  let [low, high] = [0, map.length - 1];
  while (low <= high) {
    const middle = (low + high) >> 1;
    if (map[middle]!.start <= at) low = middle + 1;
    else high = middle - 1;
  }
  const entry = map[high];
  return entry && at < entry.end ? entry.name : undefined;
}

/**
 * The caches simulated with --cache-sim: one core of this machine's AMD EPYC (Zen), first level 32 KiB 8-way for
 * instructions and for data, and its 512 KiB 8-way second level as callgrind's "last level" (the VM reports a
 * 512 MiB direct-mapped L3, in which everything fits: a miss of the core's own L2 is the costly one here).
 */
export const CACHES = ['--cache-sim=yes', '--I1=32768,8,64', '--D1=32768,8,64', '--LL=524288,8,64'];

export const LAYERS = ['noble (JavaScript)', 'BigInt arithmetic (V8)', 'ours (src/)', 'bench harness', 'V8 builtins', 'V8 runtime and other native', 'collector', 'optimising compiler', 'malloc/free', 'JIT code without a name'] as const;
export type Layer = (typeof LAYERS)[number];

export function layerOf(name: string | undefined): Layer {
  if (name === undefined) return 'JIT code without a name';
  if (name.includes('node_modules/@noble/')) return 'noble (JavaScript)';
  if (name.includes('/dist/src/')) return 'ours (src/)';
  if (name.includes('/dist/scripts/')) return 'bench harness';
  if (/bigint/i.test(name)) return 'BigInt arithmetic (V8)';
  if (name.startsWith('Builtins_') || name.startsWith('Builtin:')) return 'V8 builtins';
  if (/(^|\s|_)(malloc|free|_int_malloc|_int_free|malloc_consolidate|unlink_chunk)/.test(name)) return 'malloc/free';
  if (/v8::internal::compiler::|OptimizingCompileDispatcher|Turbofan|Pipeline/.test(name)) return 'optimising compiler';
  if (/Heap|Scaveng|Marking|MarkCompact|Sweeper|Evacuat|PointersUpdating|SizeFromMap|RememberedSet|SlotSet|Sweep|ConcurrentMarking|MemoryChunk/.test(name)) return 'collector';
  return 'V8 runtime and other native';
}

/** Per layer, per event: the dump's self costs added up. */
export function layerCosts(callgrindText: string, mapText: string): { events: string[]; byLayer: Map<Layer, number[]> } {
  const { events, byFunction } = selfCosts(callgrindText);
  const map = perfMap(mapText);
  const byLayer = new Map<Layer, number[]>();
  for (const [name, costs] of byFunction) {
    const layer = layerOf(functionName(name, map));
    const sums = byLayer.get(layer) ?? new Array<number>(events.length).fill(0);
    costs.forEach((c, i) => (sums[i] += c));
    byLayer.set(layer, sums);
  }
  return { events, byLayer };
}
