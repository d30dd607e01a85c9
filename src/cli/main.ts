// The `tls13` command: dispatches to a subcommand and turns user mistakes into one line and exit code 2.
// Exit codes: 0 success, 1 the TLS operation failed (handshake, network), 2 wrong usage or unusable input.
import { readFileSync } from 'node:fs';
import { parseCommandArgs, type Command } from './args.js';
import { certCommand } from './cert.js';
import { connectCommand } from './connect.js';
import { demoCommand } from './demo.js';
import { helpText } from './help.js';
import { labCommand } from './lab.js';
import { processIo, UsageError, type Io } from './io.js';
import { serveCommand } from './serve.js';

export { type Io } from './io.js';

/** The version in package.json (two directories up from src/cli, and from dist/src/cli). */
function packageVersion(): string {
  for (const up of ['../../package.json', '../../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(up, import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'tls13-lab' && pkg.version) return pkg.version;
    } catch {
      // not at this level
    }
  }
  return 'unknown';
}

export const COMMANDS: readonly Command[] = [demoCommand, connectCommand, serveCommand, certCommand, labCommand];

/** The text of `tls13 --help`. */
export function overview(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return `Usage: tls13 <command> [options]

A TLS 1.3 (RFC 8446) client and server in TypeScript that shows its work.

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n')}

Run tls13 <command> --help for the options of a command; tls13 --version prints the version.
`;
}

export async function main(argv: string[], io: Io = processIo()): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    (name === undefined ? io.stderr : io.stdout).write(overview());
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-V' || name === 'version') {
    io.stdout.write(`tls13 ${packageVersion()}\n`);
    return 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  try {
    if (!command) throw new UsageError(`unknown command ${name} (commands: ${COMMANDS.map((c) => c.name).join(', ')})`);
    const args = parseCommandArgs(command, rest);
    if (args.values['help']) {
      io.stdout.write(helpText(command));
      return 0;
    }
    return await command.run(args, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr.write(`tls13: ${e.message}\n`);
      return 2;
    }
    // Anything else is a bug of ours: say so plainly, with the stack for the report.
    io.stderr.write(`tls13: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return 1;
  }
}
