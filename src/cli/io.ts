// What a command may touch: its output streams, the environment, a stop signal. Passing these in (rather
// than using process.* directly) lets tests run commands in-process and read what they printed.
import { escapeControls } from '../wire/show-value.js';
import { accessSync, closeSync, constants, fstatSync, openSync, readSync, statSync, type Stats } from 'node:fs';
import { dirname } from 'node:path';
import { parseCertificate, type Certificate } from '../auth/x509.js';
import { encodeSpki, loadPrivateKey, parseSpki } from '../auth/keys.js';
import { readPemOrDer } from '../auth/pem.js';
import { nobleProvider } from '../crypto/noble.js';
import type { PrivateKey } from '../crypto/provider.js';
import { privateFileAppender } from './output-files.js';

export interface Output {
  write(text: string): unknown;
  isTTY?: boolean;
}

/** Standard input: what `connect` sends and what `demo --step` reads; maybe a terminal. */
export type Input = NodeJS.ReadableStream & { isTTY?: boolean };

export interface Io {
  /** Standard input (connect's request, demo --step's answers); absent: nothing to read (in-process callers). */
  stdin?: Input;
  stdout: Output;
  stderr: Output;
  env: Record<string, string | undefined>;
  /** Stops long-running commands (serve, connect); by default SIGINT/SIGTERM do. */
  signal?: AbortSignal;
}

export function processIo(): Io {
  // A closed standard output (`tls13 demo --trace text | head -3`) ends the program quietly, as Unix
  // tools do; any other write error is ours to report.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
    process.exit(0);
  });
  return { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env };
}

/** A mistake in what the user asked for: printed as one line, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';

  /** One line whatever the user typed: control characters of the values it echoes are escaped. */
  constructor(message: string) {
    super(escapeControls(message));
  }
}

/** Colour only on a terminal, and never when NO_COLOR is set (https://no-color.org). */
export function useColor(io: Io): boolean {
  return io.stdout.isTTY === true && !io.env['NO_COLOR'];
}

function describe(e: unknown): string {
  if (e && typeof e === 'object' && 'code' in e) {
    if (e.code === 'ENOENT') return 'no such file or directory';
    if (e.code === 'EACCES') return 'permission denied';
    if (e.code === 'EISDIR') return 'is a directory';
  }
  return e instanceof Error ? e.message : String(e);
}

/** Runs `load`, turning any failure into a UsageError that names the flag and the file. */
function forFlag<T>(flag: string, file: string, load: () => T): T {
  try {
    return load();
  } catch (e) {
    throw new UsageError(`${flag} ${file}: ${describe(e)}`);
  }
}

/**
 * The most an input file (certificates, keys, pins, a session, an OCSP response) may hold. A CA bundle is
 * a few hundred KiB; reading on to the end of whatever is named (/dev/zero, /dev/urandom, a pipe that never
 * ends) would take all memory first.
 */
export const MAX_INPUT_FILE_BYTES = 16 * 1024 * 1024;

export function readFileFor(flag: string, file: string): Uint8Array {
  return forFlag(flag, file, () => readAtMost(file, MAX_INPUT_FILE_BYTES));
}

function concatenated(chunks: Uint8Array[], total: number): Uint8Array {
  const bytes = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.length;
  }
  return bytes;
}

/**
 * A file whose content vouches for a peer as surely as a key: a session file (--sess-in), whose PSK alone
 * authenticates the server that resumes it (RFC 8446 §2.2). One that another user owns or may write may hold
 * their PSK beside the genuine server's chain, which passes any trust flag: they could then resume as that
 * server. Refused, as ssh refuses a key or configuration file others may write; --sess-out writes mode 0600.
 */
export function readOwnFileFor(flag: string, file: string): Uint8Array {
  // Opened without waiting: open(2) of a named pipe that no process writes (one planted by another user,
  // who would choose when we go on) blocks until a writer comes, before any check could run.
  return forFlag(flag, file, () => readAtMost(file, MAX_INPUT_FILE_BYTES, refuseUnlessOursAlone, constants.O_RDONLY | constants.O_NONBLOCK));
}

/** A regular file (--sess-out writes one; a pipe or device is no session file), ours, that no one else may write. */
function refuseUnlessOursAlone(stat: Stats): void {
  if (!stat.isFile()) throw new Error(stat.isDirectory() ? 'is a directory' : 'is not a regular file (--sess-out writes one)');
  const uid = process.getuid?.();
  if (uid !== undefined && stat.uid !== uid) throw new Error(`belongs to user ${stat.uid}, not to us: whoever may write it chooses the server we would trust`);
  if ((stat.mode & 0o022) !== 0) throw new Error(`may be written by other users (mode ${(stat.mode & 0o777).toString(8)}): whoever may write it chooses the server we would trust`);
}

/**
 * The bytes of `file` (a pipe too: `--ca <(...)`), or an error once it holds more than `limit`; `vet`
 * judges what was opened (with open(2) `flags`) before a byte is read.
 */
function readAtMost(file: string, limit: number, vet?: (stat: Stats) => void, flags: string | number = 'r'): Uint8Array {
  const fd = openSync(file, flags);
  try {
    vet?.(fstatSync(fd));
    const chunks: Uint8Array[] = [];
    let total = 0;
    for (;;) {
      const chunk = new Uint8Array(64 * 1024);
      const n = readSync(fd, chunk);
      if (n === 0) return concatenated(chunks, total);
      total += n;
      if (total > limit) throw new Error(`holds more than ${limit / (1024 * 1024)} MiB; not a file for this flag`);
      chunks.push(chunk.subarray(0, n));
    }
  } finally {
    closeSync(fd);
  }
}

/** Every certificate in a PEM file (or the one in a DER file), parsed, in file order. */
export function loadCertificates(flag: string, file: string): Certificate[] {
  const bytes = readFileFor(flag, file);
  return forFlag(flag, file, () => {
    const blocks = readPemOrDer(bytes, 'CERTIFICATE').filter((b) => b.label === 'CERTIFICATE' || b.label === 'TRUSTED CERTIFICATE');
    if (blocks.length === 0) throw new Error('no CERTIFICATE block found');
    return blocks.map((b) => parseCertificate(b.der));
  });
}

/** A private key file: PKCS#8, SEC1 or PKCS#1, PEM or DER. */
export function loadKey(flag: string, file: string): PrivateKey {
  const bytes = readFileFor(flag, file);
  return forFlag(flag, file, () => loadPrivateKey(bytes));
}

/**
 * A SubjectPublicKeyInfo (DER) from a file holding a "PUBLIC KEY" (as `tls13 cert --raw` and GnuTLS's
 * --rawpkfile write it), a certificate (its key) or a private key (its public half); PEM or DER.
 */
export function loadSpki(flag: string, file: string): Uint8Array {
  const bytes = readFileFor(flag, file);
  return forFlag(flag, file, () => {
    const blocks = readPemOrDer(bytes, 'DER');
    const block = blocks.find((b) => b.label === 'PUBLIC KEY' || b.label === 'CERTIFICATE' || /PRIVATE KEY$/.test(b.label) || b.label === 'DER');
    if (!block) throw new Error(`no PUBLIC KEY, CERTIFICATE or PRIVATE KEY block (found: ${blocks.map((b) => b.label).join(', ')})`);
    const fromPrivateKey = () => encodeSpki(nobleProvider.publicKeyOf(loadPrivateKey(bytes)));
    switch (block.label) {
      case 'PUBLIC KEY':
        parseSpki(block.der);
        return block.der;
      case 'CERTIFICATE':
        return parseCertificate(block.der).spki;
      case 'DER':
        return firstThatParses(block.der, fromPrivateKey);
      default:
        return fromPrivateKey();
    }
  });
}

/** Unlabelled DER: a SubjectPublicKeyInfo, a certificate or a private key, whichever it parses as. */
function firstThatParses(der: Uint8Array, fromPrivateKey: () => Uint8Array): Uint8Array {
  try {
    parseSpki(der);
    return der;
  } catch {
    // not an SPKI; try a certificate
  }
  try {
    return parseCertificate(der).spki;
  } catch {
    return fromPrivateKey();
  }
}

/**
 * Fails now, with a UsageError naming the flag, when `file` could not be written later: an output file is
 * checked before the first byte is sent, not when the first result arrives.
 */
export function checkWritable(flag: string, file: string): void {
  forFlag(flag, file, () => {
    let isDirectory = false;
    try {
      isDirectory = statSync(file).isDirectory();
    } catch {
      // does not exist yet: its directory must take it
      accessSync(dirname(file), constants.W_OK);
      return;
    }
    if (isDirectory) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    accessSync(file, constants.W_OK);
  });
}

/**
 * The key-log appender (SSLKEYLOGFILE convention: append, never truncate; mode 0600), or undefined when none was
 * asked for. `--keylog` wins over the SSLKEYLOGFILE environment variable; the file is opened now so that a
 * bad path is reported, under the name the user gave it, before anything is sent. A write failure later
 * (disk full) is reported once on stderr and stops the key log, not the connection.
 */
export function openKeylog(flagValue: string | undefined, io: Io): ((line: string) => void) | undefined {
  const file = flagValue ?? (io.env['SSLKEYLOGFILE'] || undefined);
  if (file === undefined) return undefined;
  const source = flagValue === undefined ? 'SSLKEYLOGFILE' : '--keylog';
  let append: (text: string) => void;
  try {
    append = privateFileAppender(file, 'a').write;
  } catch (e) {
    throw new UsageError(source === '--keylog' ? `--keylog ${file}: ${describe(e)}` : `SSLKEYLOGFILE=${file} (environment): ${describe(e)}`);
  }
  let failed = false;
  return (line) => {
    if (failed) return;
    try {
      append(`${line}\n`);
    } catch (e) {
      failed = true;
      io.stderr.write(`tls13: ${source} ${file}: ${describe(e)}; no more key-log lines\n`);
    }
  };
}
