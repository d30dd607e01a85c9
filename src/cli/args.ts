// Command definitions and argument parsing on node:util parseArgs, with every mistake turned into one
// UsageError line ("tls13 demo: unknown option --sede").
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { Io } from './io.js';
import { UsageError } from './io.js';
import { NamedGroup } from '../wire/enums.js';
import type { CryptoProvider } from '../crypto/provider.js';
import { nobleProvider } from '../crypto/noble.js';
import { nodeCryptoProvider } from '../node/crypto.js';

export type Options = NonNullable<ParseArgsConfig['options']>;

export interface Parsed {
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
}

export interface Command {
  name: string;
  /** One line for `tls13 --help`. */
  summary: string;
  /** The full text of `tls13 <name> --help`. */
  help: string;
  options: Options;
  positionals?: { min: number; max: number };
  run(args: Parsed, io: Io): Promise<number>;
}

/** Parses a command's arguments; `--help` is always accepted and reported as `values.help`. */
export function parseCommandArgs(command: Command, argv: string[]): Parsed {
  let parsed: Parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: { ...command.options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: command.positionals !== undefined,
      strict: true,
    }) as Parsed;
  } catch (e) {
    throw new UsageError(`${command.name}: ${parseErrorText(e)} (see tls13 ${command.name} --help)`);
  }
  if (parsed.values['help']) return parsed;
  const { min, max } = command.positionals ?? { min: 0, max: 0 };
  if (parsed.positionals.length < min) throw new UsageError(`${command.name}: missing argument (see tls13 ${command.name} --help)`);
  if (parsed.positionals.length > max) throw new UsageError(`${command.name}: unexpected argument ${parsed.positionals[max]}`);
  return parsed;
}

/** parseArgs' messages are long and multi-line; keep the first sentence and our flag spelling. */
function parseErrorText(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  const first = message.split('\n')[0]!;
  const unknown = /Unknown option '([^']+)'/.exec(first);
  if (unknown) return `unknown option ${unknown[1]}`;
  const missing = /Option '(?:-\w, )?(--[\w-]+) <value>' argument missing/.exec(first);
  if (missing) return `${missing[1]} needs a value`;
  const unexpected = /Option '(?:-\w, )?(--[\w-]+)' does not take an argument/.exec(first);
  if (unexpected) return `${unexpected[1]} takes no value`;
  return first.replace(/\.$/, '');
}

/** A string flag's value (the last one when given twice). */
export function str(args: Parsed, name: string): string | undefined {
  const v = args.values[name];
  if (Array.isArray(v)) return v[v.length - 1];
  return typeof v === 'string' ? v : undefined;
}

export function list(args: Parsed, name: string): string[] {
  const v = args.values[name];
  if (v === undefined || typeof v === 'boolean') return [];
  return Array.isArray(v) ? v : [v];
}

export function flag(args: Parsed, name: string): boolean {
  return args.values[name] === true;
}

/** A string flag that must be one of `choices`. */
export function choice<T extends string>(args: Parsed, name: string, choices: readonly T[], fallback: T): T {
  const v = str(args, name);
  if (v === undefined) return fallback;
  if (!(choices as readonly string[]).includes(v)) throw new UsageError(`--${name} ${v}: expected one of ${choices.join(', ')}`);
  return v as T;
}

/** A whole number flag within [min, max]. */
export function integer(args: Parsed, name: string, min: number, max: number): number | undefined {
  const v = str(args, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!/^\d+$/.test(v) || n < min || n > max) throw new UsageError(`--${name} ${v}: expected a whole number from ${min} to ${max}`);
  return n;
}

/** Other spellings of group names (OpenSSL's and NIST's), lower case. */
const GROUP_ALIASES: Record<string, string> = { 'p-256': 'secp256r1', prime256v1: 'secp256r1', 'p-384': 'secp384r1', 'p-521': 'secp521r1' };

/** A comma-separated list of named groups (x25519,secp256r1 or X25519:P-256 as OpenSSL spells them), or undefined. */
export function namedGroups(args: Parsed, name: string): number[] | undefined {
  const v = str(args, name);
  if (v === undefined) return undefined;
  const byName = new Map(Object.entries(NamedGroup).map(([n, id]) => [n.toLowerCase(), id]));
  return v.split(/[,:]/).map((item) => {
    const key = item.trim().toLowerCase();
    const id = byName.get(GROUP_ALIASES[key] ?? key);
    if (id === undefined) throw new UsageError(`--${name} ${v}: unknown group ${item} (known: ${Object.keys(NamedGroup).join(', ')})`);
    return id;
  });
}

export const CRYPTO_PROVIDERS = ['node', 'noble'] as const;

/**
 * The CryptoProvider `--crypto node|noble` names: node:crypto (OpenSSL underneath, fast) or the @noble
 * packages (pure JavaScript, the engine's default). Commands declare `crypto: { type: 'string' }`.
 */
export function cryptoProvider(args: Parsed): CryptoProvider {
  return choice(args, 'crypto', CRYPTO_PROVIDERS, 'noble') === 'node' ? nodeCryptoProvider : nobleProvider;
}
