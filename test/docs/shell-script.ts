// Markdown shell examples as one sh script that a test runs: each ```sh line echoed and run, failing the
// script with its line number; `tls13` and `npx tls13` are the built bin/tls13.js ($TLS13); a line ending
// in `&` (a server) is started in the background and waited for until it listens; each port of the
// examples (84xx) becomes a free port.
import { freePort } from '../../src/testing/interop.js';

/** The ```sh blocks of a Markdown text, each as its non-empty lines. */
export function shellBlocks(markdown: string): string[][] {
  return [...markdown.matchAll(/^```sh\n([\s\S]*?)^```$/gm)].map((m) => m[1]!.split('\n').filter((line) => line.trim() !== ''));
}

/** `tls13 ...` wherever a command starts: at the line start, after an environment assignment or a pipe. */
const TLS13_COMMAND = /(^|\|\s*|^\w+=\S+\s+)(?:npx )?tls13 /g;

/** The script for `lines`, with the examples' ports mapped to free ones. */
export async function scriptFor(lines: string[]): Promise<string> {
  const ports = new Map<string, number>();
  for (const line of lines) for (const [port] of line.matchAll(/\b84\d\d\b/g)) if (!ports.has(port)) ports.set(port, await freePort());
  const steps = lines.map((line, i) => {
    if (/^\s*#/.test(line)) return '';
    const command = line.replace(TLS13_COMMAND, '$1$TLS13 ').replace(/\b84\d\d\b/g, (port) => String(ports.get(port)));
    if (/&\s*(#.*)?$/.test(command)) {
      // The server: its output to a log, and the next line only once it listens (at most 10 s).
      const background = command.replace(/&\s*(#.*)?$/, `> server-${i}.log 2>&1 &`);
      return `${background}\nfor t in $(seq 100); do grep -q '^listening on' server-${i}.log && break; sleep 0.1; done\ngrep -q '^listening on' server-${i}.log || { echo "line ${i + 1}: the server did not start" >&2; cat server-${i}.log >&2; exit 1; }`;
    }
    return `echo '>>> ${i + 1}' >&2\n${command} || { echo "line ${i + 1} failed: ${line.replace(/'/g, '')}" >&2; exit 1; }`;
  });
  return `trap 'kill $(jobs -p) 2>/dev/null' EXIT\n${steps.join('\n')}`;
}
