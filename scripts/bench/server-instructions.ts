// Instructions per server handshake, counted by valgrind's callgrind (`tcp-sides.js --instructions N`): a
// measure the machine's load does not move, where CPU time on the shared 2 cores moves by ±30% (docs/performance.md).
// Each server runs under callgrind with counting off; node:tls's client makes the warm-up handshakes, counting goes
// on (callgrind_control -i on), N more are made, the counts are dumped (callgrind_control -d) and read with
// callgrind_annotate: the total (every thread of the process, user space; the kernel's system calls are not in
// it) and, inclusive, the native functions where a TLS server's handshake spends most. V8's compiler threads are
// in the total: after a short warm-up they still compile our JavaScript (a few thousand handshakes warm it, as the
// TCP row's warm-up does; under valgrind that takes long), so their row is shown apart.
import { execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { table } from './report.js';
import { withDeadline } from './deadline.js';

export const COMPILER = 'v8::internal::OptimizingCompileDispatcher::CompileTask::RunInternal';

/** Where the time of a TLS 1.3 handshake goes, as callgrind names the functions (OpenSSL 3.0, V8); client-instructions.ts too. */
export const COMPONENTS: ReadonlyArray<{ label: string; symbol: string }> = [
  { label: 'Ed25519 sign (CertificateVerify)', symbol: 'ossl_ed25519_sign' },
  { label: 'Ed25519 verify', symbol: 'ossl_ed25519_verify' },
  { label: 'X25519 key generation', symbol: 'ossl_x25519_public_from_private' },
  { label: 'X25519 agreement', symbol: 'ecx_derive' },
  { label: 'SHA-256 blocks', symbol: 'sha256_block_data_order' },
  { label: 'AES-GCM set-up (cipher contexts)', symbol: 'EVP_CipherInit_ex' },
  { label: "V8's optimising compiler (threads)", symbol: COMPILER },
  { label: "V8's collector (main thread)", symbol: 'v8::internal::Heap::CollectGarbage' },
];

/** Why valgrind cannot run here, or undefined when it can. */
export function valgrindMissing(): string | undefined {
  // callgrind_annotate comes with them (and answers --version with exit code 255).
  for (const tool of ['valgrind', 'callgrind_control']) {
    try {
      execFileSync(tool, ['--version'], { stdio: 'ignore' });
    } catch (e) {
      return `${tool} not found (${(e as Error).message}): --instructions needs valgrind`;
    }
  }
  return undefined;
}

/**
 * The counts in callgrind_annotate's output (`--inclusive=yes`) by function name (without file, arguments or
 * object), from its "count (share) file:function [object]" lines. `total`: PROGRAM TOTALS.
 */
export function annotatedCounts(text: string): { total: number; byFunction: Map<string, number> } {
  const byFunction = new Map<string, number>();
  let total = 0;
  for (const line of text.split('\n')) {
    const match = /^\s*([\d,]+) \([^)]*\)\s+(.*)$/.exec(line);
    if (!match) continue;
    const count = Number(match[1]!.replaceAll(',', ''));
    if (match[2] === 'PROGRAM TOTALS') {
      total = count;
      continue;
    }
    // "???:name(args) [object]" or "file:name [object]": the name without its arguments and recursion mark.
    const marked = match[2]!.replace(/ \[[^\]]*\]$/, '').replace(/^[^:]*:(?!:)/, '').replace(/\(.*$/, '');
    const name = marked.replace(/'\d+$/, '');
    // A recursion mark ('2) names a cycle level, whose inclusive count repeats its callers': the unmarked line is the function's.
    if (marked === name || !byFunction.has(name)) byFunction.set(name, count);
  }
  return { total, byFunction };
}

interface Counted {
  name: string;
  total: number;
  compiler: number;
  components: number[];
}

/**
 * Counts each server in turn: `start(name, kind, wrapper)` starts it under the wrapper (tcp-sides' server child),
 * `handshake(port)` makes one handshake with node:tls's client. Returns the table: instructions per handshake.
 */
export async function countInstructions(
  servers: ReadonlyArray<{ name: string; kind: string }>,
  { warmup, handshakes }: { warmup: number; handshakes: number },
  start: (name: string, kind: string, wrapper: string[]) => Promise<{ child: ChildProcess; port: number }>,
  handshake: (port: number) => () => Promise<void>,
): Promise<string> {
  const folder = mkdtempSync(join(tmpdir(), 'tcp-instructions-'));
  const counted: Counted[] = [];
  try {
    for (const { name, kind } of servers) {
      const out = join(folder, `${counted.length}.callgrind`);
      const { child, port } = await start(name, kind, ['valgrind', '-q', '--tool=callgrind', '--instr-atstart=no', `--callgrind-out-file=${out}`]);
      try {
        const one = handshake(port);
        const run = async (count: number) => {
          for (let i = 0; i < count; i++) await withDeadline(one(), `tcp sides --instructions: ${name}`, 10 * 60_000);
        };
        await run(warmup);
        execFileSync('callgrind_control', ['-i', 'on', String(child.pid)], { stdio: 'ignore' });
        await run(handshakes);
        // Returns once the dump is written (out.1).
        execFileSync('callgrind_control', ['-d', String(child.pid)], { stdio: 'ignore' });
      } finally {
        child.kill('SIGKILL');
      }
      const annotated = execFileSync('callgrind_annotate', ['--inclusive=yes', '--threshold=100', `${out}.1`], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
      const { total, byFunction } = annotatedCounts(annotated);
      counted.push({ name, total: total / handshakes, compiler: (byFunction.get(COMPILER) ?? 0) / handshakes, components: COMPONENTS.map((c) => (byFunction.get(c.symbol) ?? 0) / handshakes) });
      console.error(`${name}: ${(total / handshakes / 1e6).toFixed(2)} M instructions per handshake`);
    }
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
  const reference = counted[counted.length - 1]!;
  const millions = (n: number) => (n / 1e6).toFixed(3);
  const rows = [
    ['all (per handshake)', ...counted.map((c) => `${millions(c.total)} (${(c.total / reference.total).toFixed(2)}x)`)],
    ['all but the compiler threads', ...counted.map((c) => millions(c.total - c.compiler))],
    ...COMPONENTS.map((component, i) => [component.label, ...counted.map((c) => millions(c.components[i]!))]),
  ];
  return (
    `Server instructions per handshake (callgrind, millions; inclusive; node:tls's client; ${handshakes} counted after ${warmup}):\n` +
    table(['', ...counted.map((c) => c.name)], rows, 3)
  );
}
