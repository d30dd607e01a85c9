// Command definitions and argument parsing on node:util parseArgs, with every mistake turned into one
// UsageError line ("tls13 demo: unknown option --sede").
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { Io } from './io.js';
import { UsageError } from './io.js';
import { NamedGroup } from '../wire/enums.js';
import { groupName } from '../handshake/negotiation.js';
import { SUITES } from '../handshake/suites.js';
import type { CryptoProvider } from '../crypto/provider.js';
import { nobleProvider } from '../crypto/noble.js';
import { nodeCryptoProvider } from '../node/crypto.js';

/**
 * One option of a command: how the parser reads it and what `--help` and docs/cli.md say about it (both
 * are rendered from this table by help.ts, so they cannot drift from what is parsed).
 */
export interface OptionSpec {
  type: 'string' | 'boolean';
  /** Repeatable: every value is kept, in order. */
  multiple?: boolean;
  /** The value's name in help: `FILE` in `--ca FILE`. */
  value?: string;
  /** What the option does, in sentences (wrapped when rendered; a newline starts a new line). */
  help: string;
  /** A heading before this option, for a group of related options. */
  section?: string;
}

export type OptionTable = Record<string, OptionSpec>;

export interface Parsed {
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
}

export interface Command {
  name: string;
  /** One line for `tls13 --help`. */
  summary: string;
  /** Synopsis lines: `tls13 connect HOST:PORT [options]`. */
  usage: string[];
  /** What the command does, in sentences (wrapped when rendered; a blank line starts a paragraph). */
  description: string;
  options: OptionTable;
  positionals?: { min: number; max: number };
  run(args: Parsed, io: Io): Promise<number>;
}

/** Parses a command's arguments; `--help` is always accepted and reported as `values.help`. */
export function parseCommandArgs(command: Command, argv: string[]): Parsed {
  const end = argv.indexOf('--');
  for (const arg of end < 0 ? argv : argv.slice(0, end)) {
    const hint = singleDashHint(command, arg);
    if (hint) throw new UsageError(`${command.name}: unknown option ${arg}: ${hint} (see tls13 ${command.name} --help)`);
  }
  let parsed: Parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: { ...parserOptions(command.options), help: { type: 'boolean', short: 'h' } },
      allowPositionals: command.positionals !== undefined,
      strict: true,
    }) as Parsed;
  } catch (e) {
    const stray = /Unexpected argument '(.*)'\. This command/.exec(e instanceof Error ? e.message : '')?.[1];
    const text = (stray !== undefined && valueOfFlagWithoutValue(command, argv, stray)) || parseErrorText(e, argv);
    throw new UsageError(`${command.name}: ${text} (see tls13 ${command.name} --help)`);
  }
  if (parsed.values['help']) return parsed;
  const { min, max } = command.positionals ?? { min: 0, max: 0 };
  if (parsed.positionals.length < min) throw new UsageError(`${command.name}: missing argument (see tls13 ${command.name} --help)`);
  if (parsed.positionals.length > max) {
    const stray = parsed.positionals[max]!;
    const given = valueOfFlagWithoutValue(command, argv, stray);
    throw new UsageError(given ? `${command.name}: ${given} (see tls13 ${command.name} --help)` : `${command.name}: unexpected argument ${stray}`);
  }
  return parsed;
}

/**
 * What to say of a stray argument that follows a flag taking no value (`--psk-ke KEY`, meant for `--psk`),
 * or undefined. The argument is not echoed: it may be a key, and stderr is a general log (CI, scrollback).
 */
function valueOfFlagWithoutValue(command: Command, argv: string[], stray: string): string | undefined {
  const before = argv[argv.indexOf(stray) - 1];
  if (!before?.startsWith('--') || command.options[before.slice(2)]?.type !== 'boolean') return undefined;
  return `${before} takes no value; the argument after it is not shown`;
}

function parserOptions(table: OptionTable): NonNullable<ParseArgsConfig['options']> {
  return Object.fromEntries(Object.entries(table).map(([name, spec]) => [name, spec.multiple ? { type: spec.type, multiple: true } : { type: spec.type }]));
}

/** OpenSSL s_client/s_server option names whose tls13 flag is spelled differently. */
const OPENSSL_SPELLINGS: Record<string, string> = { CAfile: 'ca', accept: 'port', keylogfile: 'keylog', curves: 'groups', connect: '' };

/**
 * What to say about `-name` (one dash, as openssl spells its options), or undefined when `arg` is not
 * that shape: `did you mean --name?` when the command has such a flag.
 */
function singleDashHint(command: Command, arg: string): string | undefined {
  const m = /^-([A-Za-z][\w-]+)$/.exec(arg);
  if (!m) return undefined;
  const name = OPENSSL_SPELLINGS[m[1]!] ?? m[1]!;
  if (name === '') return "did you mean tls13 connect HOST:PORT? (openssl's -connect target is the argument here)";
  if (name in command.options || name === 'help') return `did you mean --${name}?`;
  return 'flags are spelled with two dashes';
}

/** parseArgs' messages are long and multi-line; keep the first sentence and our flag spelling. */
function parseErrorText(e: unknown, argv: string[]): string {
  const message = e instanceof Error ? e.message : String(e);
  const first = message.split('\n')[0]!;
  // `--port -1`, `--ca --cert x`: parseArgs will not take a value that starts with a dash.
  const ambiguous = /Option '(?:-\w, )?(--[\w-]+)' argument is ambiguous/.exec(first);
  if (ambiguous) {
    const name = ambiguous[1]!;
    const next = argv[argv.indexOf(name) + 1];
    return `${name} needs a value, but is followed by ${next ?? 'nothing'} (a value that starts with a dash is written ${name}=${next ?? '-VALUE'})`;
  }
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

/**
 * A duration given in seconds (whole, or with up to three decimals: milliseconds), as milliseconds from `minMs`
 * to `maxMs`; undefined when the flag is absent.
 */
export function seconds(args: Parsed, name: string, minMs: number, maxMs: number): number | undefined {
  const v = str(args, name);
  if (v === undefined) return undefined;
  const ms = Math.round(Number(v) * 1000);
  if (!/^\d+(\.\d{1,3})?$/.test(v) || ms < minMs || ms > maxMs) throw new UsageError(`--${name} ${v}: expected seconds from ${minMs / 1000} to ${maxMs / 1000}, to the millisecond (e.g. 30 or 2.5)`);
  return ms;
}

/** Other spellings of group names (OpenSSL's and NIST's), lower case. */
const GROUP_ALIASES: Record<string, string> = { 'p-256': 'secp256r1', prime256v1: 'secp256r1', 'p-384': 'secp384r1', 'p-521': 'secp521r1' };

/**
 * A comma-separated list of named groups (x25519,secp256r1 or X25519:P-256 as OpenSSL spells them), or
 * undefined. Only groups the engine implements (its group table, negotiation.ts) are accepted: a group it
 * merely knows the code point of would fail mid-handshake.
 */
export function namedGroups(args: Parsed, name: string): number[] | undefined {
  const v = str(args, name);
  if (v === undefined) return undefined;
  const byName = new Map(Object.entries(NamedGroup).map(([n, id]) => [n.toLowerCase(), id]));
  const implemented = Object.entries(NamedGroup).filter(([, id]) => groupName(id) !== undefined).map(([n]) => n);
  return v.split(/[,:]/).map((item) => {
    const key = item.trim().toLowerCase();
    const id = byName.get(GROUP_ALIASES[key] ?? key);
    if (id === undefined) throw new UsageError(`--${name} ${v}: unknown group ${item} (supported: ${implemented.join(', ')})`);
    if (groupName(id) === undefined) throw new UsageError(`--${name} ${v}: ${item} is not implemented here (supported: ${implemented.join(', ')})`);
    return id;
  });
}

/**
 * A list of TLS 1.3 cipher suites in order of preference, `:` or `,` separated, as `openssl -ciphersuites`
 * takes it (TLS_AES_128_CCM_SHA256:TLS_AES_128_GCM_SHA256), or undefined. Each suite by its IANA name (any
 * case, TLS_ optional) or by its AEAD as GnuTLS priority strings name it (AES-128-CCM, AES-128-CCM-8,
 * CHACHA20-POLY1305). Only suites the engine implements are accepted.
 */
export function cipherSuites(args: Parsed, name: string): number[] | undefined {
  const v = str(args, name);
  if (v === undefined) return undefined;
  const byName = new Map<string, number>();
  for (const suite of SUITES.values()) {
    byName.set(suite.name.toLowerCase(), suite.code);
    byName.set(suite.name.slice('TLS_'.length).toLowerCase(), suite.code);
    byName.set(suite.aead.toLowerCase(), suite.code);
  }
  const supported = [...SUITES.values()].map((s) => s.name).join(', ');
  const suites = v.split(/[,:]/).map((item) => {
    const id = byName.get(item.trim().toLowerCase());
    if (id === undefined) throw new UsageError(`--${name} ${v}: unknown or unsupported cipher suite ${item} (supported: ${supported})`);
    return id;
  });
  return [...new Set(suites)];
}

/**
 * ALPN protocol names (RFC 7301 §3.1): repeatable, and each value may be a comma-separated list in order
 * of preference (`--alpn h2,http/1.1`, as curl and s_client take it). Each name is 1 to 255 bytes.
 */
export function alpnProtocols(args: Parsed): string[] {
  return list(args, 'alpn').flatMap((value) =>
    value.split(',').map((protocol) => {
      const length = Buffer.byteLength(protocol, 'utf8');
      if (length < 1 || length > 255) throw new UsageError(`--alpn ${value}: each protocol name is 1 to 255 bytes (RFC 7301 §3.1)`);
      return protocol;
    }),
  );
}

export const CRYPTO_PROVIDERS = ['node', 'noble'] as const;

/**
 * The CryptoProvider `--crypto node|noble` names: node:crypto (OpenSSL underneath, several times faster) or
 * the @noble packages (pure JavaScript, the engine's own default). `fallback` is the command's default:
 * node for `connect` and `serve`, noble for `demo`, whose seeded output must reproduce byte for byte (under
 * node:crypto, OpenSSL draws RSA-PSS salts and, on Node 26, ML-KEM randomness itself). Commands declare
 * `crypto: { type: 'string' }`.
 */
export function cryptoProvider(args: Parsed, fallback: (typeof CRYPTO_PROVIDERS)[number]): CryptoProvider {
  return choice(args, 'crypto', CRYPTO_PROVIDERS, fallback) === 'node' ? nodeCryptoProvider : nobleProvider;
}
