// Attacker: whoever chooses or fills a file the CLI reads (--ca, --pin-cert, --pin-spki, --cert, --key,
// --rpk-key, --sess-in, serve --ocsp, cert --issuer-cert/--issuer-key). /dev/zero or a pipe that never ends
// was read to its end: all memory first (readFileSync stops at 2 GiB), tls13 hung meanwhile. A directory, a
// huge file, random bytes or broken PEM must each give one line naming the flag and the file, exit 2, no
// stack trace, with bounded memory.
import { chmodSync, chownSync, mkdirSync, truncateSync, writeFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/crypto/random.js';
import { ensureBuilt, runCli, runShell, secretFilesScratch } from '../cli/helpers.js';

const file = secretFilesScratch('tls13-input-files-');

/** Each flag that reads a file, as a command line with FILE in its place. */
const READERS: Record<string, (f: string) => string[]> = {
  '--ca': (f) => ['connect', '127.0.0.1:1', '--ca', f],
  '--pin-cert': (f) => ['connect', '127.0.0.1:1', '--pin-cert', f],
  '--pin-spki': (f) => ['connect', '127.0.0.1:1', '--pin-spki', f],
  '--cert': (f) => ['connect', '127.0.0.1:1', '--insecure', '--cert', f, '--key', file('good.key')],
  '--key': (f) => ['connect', '127.0.0.1:1', '--insecure', '--cert', file('good.pem'), '--key', f],
  '--rpk-key': (f) => ['connect', '127.0.0.1:1', '--insecure', '--rpk-key', f],
  '--sess-in': (f) => ['connect', '127.0.0.1:1', '--insecure', '--sess-in', f],
  '--client-ca': (f) => ['serve', '--port', '0', '--cert', file('good.pem'), '--key', file('good.key'), '--client-ca', f],
  '--ocsp': (f) => ['serve', '--port', '0', '--cert', file('good.pem'), '--key', file('good.key'), '--ocsp', f],
  '--issuer-cert': (f) => ['cert', '--out-cert', file('out.pem'), '--out-key', file('out.key'), '--issuer-cert', f, '--issuer-key', file('good.key')],
};

/** One line naming the flag and the file, exit 2, nothing on stdout, no stack trace. */
async function expectOneLine(flag: string, input: string, why: RegExp) {
  const { code, stdout, stderr } = await runCli(READERS[flag]!(input));
  expect(stderr, flag).toMatch(new RegExp(`^tls13: ${flag} ${input.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: ${why.source}[^\n]*\n$`));
  expect(stderr, flag).not.toMatch(/internal error|\n\s+at /);
  expect(stdout, flag).toBe('');
  expect(code, flag).toBe(2);
}

beforeAll(async () => {
  const made = await runCli(['cert', '--out-cert', file('good.pem'), '--out-key', file('good.key'), '--cn', 'good']);
  expect(made.code).toBe(0);
});

describe('an input file that would not end', () => {
  it('a file over 16 MiB (sparse: costs no disk) is refused by every flag, unread beyond the limit', async () => {
    writeFileSync(file('huge'), '');
    truncateSync(file('huge'), 16 * 1024 * 1024 + 1);
    for (const flag of Object.keys(READERS)) await expectOneLine(flag, file('huge'), /holds more than 16 MiB; not a file for this flag/);
  });

  beforeAll(() => ensureBuilt(), 120_000);

  it('/dev/zero as --ca and --key (the real command): one line at once, not all memory', async () => {
    const script = `timeout 20 $TLS13 connect 127.0.0.1:1 --ca /dev/zero; echo "rc=$?"; timeout 20 $TLS13 connect 127.0.0.1:1 --insecure --cert good.pem --key /dev/zero; echo "rc=$?"`;
    const result = await runShell(script, file('.'), {}, 50_000);
    expect(result.stdout).toBe('rc=2\nrc=2\n');
    expect(result.stderr).toBe('tls13: --ca /dev/zero: holds more than 16 MiB; not a file for this flag\ntls13: --key /dev/zero: holds more than 16 MiB; not a file for this flag\n');
    // A pipe that ends is read whole (as `--ca <(cat a.pem b.pem)` gives one): on to connecting.
    const piped = await runShell('cat good.pem | timeout 20 $TLS13 connect 127.0.0.1:1 --ca /dev/stdin; echo "rc=$?"', file('.'), {}, 50_000);
    expect(piped.stderr).toMatch(/^tls13: cannot connect to 127\.0\.0\.1:1: /);
    expect(piped.stdout).toBe('rc=1\n');
  }, 90_000);
});

describe('an input file that is not what the flag reads', () => {
  it('a directory', async () => {
    mkdirSync(file('a-directory'));
    for (const flag of Object.keys(READERS)) await expectOneLine(flag, file('a-directory'), /is a directory/);
  });

  it('random bytes, empty, and PEM that is cut short or not base64', async () => {
    const random = seededRandom('cli-input-files');
    writeFileSync(file('random.bin'), random(4096));
    writeFileSync(file('empty'), '');
    writeFileSync(file('cut.pem'), '-----BEGIN CERTIFICATE-----\nMIIB\n');
    writeFileSync(file('not-base64.pem'), '-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n');
    writeFileSync(file('short-der.pem'), '-----BEGIN CERTIFICATE-----\nMIIBIjAN\n-----END CERTIFICATE-----\n-----BEGIN PRIVATE KEY-----\nMIIBIjAN\n-----END PRIVATE KEY-----\n');
    for (const input of ['random.bin', 'empty', 'cut.pem', 'not-base64.pem', 'short-der.pem']) {
      for (const flag of Object.keys(READERS)) await expectOneLine(flag, file(input), /\S/);
    }
  });
});

// A session's PSK authenticates the server that resumes it; the chain beside it is public. Whoever may write
// the file could put their PSK beside the genuine server's chain, and resume as that server from the path.
describe('a session file (--sess-in) that is not ours alone to write', () => {
  it('writable by other users: refused before a byte of it is read', async () => {
    writeFileSync(file('shared.json'), '{}');
    chmodSync(file('shared.json'), 0o666);
    await expectOneLine('--sess-in', file('shared.json'), /may be written by other users \(mode 666\): whoever may write it chooses the server we would trust/);
    chmodSync(file('shared.json'), 0o620);
    await expectOneLine('--sess-in', file('shared.json'), /may be written by other users \(mode 620\)/);
  });

  it.runIf(process.getuid?.() === 0)('owned by another user (mode 0600 or not): refused', async () => {
    writeFileSync(file('theirs.json'), '{}');
    chmodSync(file('theirs.json'), 0o600);
    chownSync(file('theirs.json'), 65534, 65534);
    await expectOneLine('--sess-in', file('theirs.json'), /belongs to user 65534, not to us/);
  });

  it('ours, mode 0644 (copied under umask 022): read, and judged as a session file', async () => {
    writeFileSync(file('ours.json'), '{}');
    chmodSync(file('ours.json'), 0o644);
    await expectOneLine('--sess-in', file('ours.json'), /not a "tls13-lab session" file/);
  });
});
