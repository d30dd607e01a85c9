import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodePkcs8 } from '../../src/auth/keys.js';
import { toPem } from '../../src/auth/pem.js';
import { seededRandom } from '../../src/crypto/random.js';
import { makeIdentity } from '../../src/testing/certs.js';
import { asPssKey, rsaTestKey } from '../../src/testing/rsa-keys.js';
import { runCli } from './helpers.js';

/** A user mistake: exit 2, nothing on stdout, exactly one line on stderr, no stack trace. */
async function expectUsageError(argv: string[], line: string | RegExp) {
  const { code, stdout, stderr } = await runCli(argv);
  expect(code).toBe(2);
  expect(stdout).toBe('');
  expect(stderr.split('\n')).toHaveLength(2);
  expect(stderr).not.toMatch(/\n\s+at /);
  if (typeof line === 'string') expect(stderr).toBe(`${line}\n`);
  else expect(stderr).toMatch(line);
}

const dir = mkdtempSync(join(tmpdir(), 'tls13-usage-'));
const notPem = join(dir, 'not.pem');
writeFileSync(notPem, 'hello, I am not a certificate\n');

describe('tls13 usage errors and help', () => {
  it('lists the commands for --help and exits 0', async () => {
    const { code, stdout } = await runCli(['--help']);
    expect(code).toBe(0);
    for (const name of ['demo', 'connect', 'serve', 'cert']) expect(stdout).toMatch(new RegExp(`^  ${name} `, 'm'));
  });

  it('prints each command\'s own help for <cmd> --help', async () => {
    for (const [name, option] of [['demo', '--scenario'], ['connect', '--pin-spki'], ['serve', '--client-auth'], ['cert', '--issuer-key']] as const) {
      const { code, stdout } = await runCli([name, '--help']);
      expect(code).toBe(0);
      expect(stdout).toContain(`Usage: tls13 ${name}`);
      expect(stdout).toContain(option);
    }
  });

  it('rejects an unknown flag in one line', () => expectUsageError(['demo', '--sede', 'x'], 'tls13: demo: unknown option --sede (see tls13 demo --help)'));

  it('rejects a flag without its value', () => expectUsageError(['demo', '--seed'], 'tls13: demo: --seed needs a value (see tls13 demo --help)'));

  it('rejects an unknown command', () => expectUsageError(['frobnicate'], /^tls13: unknown command frobnicate/));

  it('rejects a value outside the choices', async () => {
    await expectUsageError(['connect', '127.0.0.1:1', '--trace', 'xml'], 'tls13: --trace xml: expected text, json or html, optionally =FILE');
    await expectUsageError(['connect', '127.0.0.1:1', '--crypto', 'openssl'], 'tls13: --crypto openssl: expected one of node, noble');
    await expectUsageError(['serve', '--port', '0', '--rpk-key', notPem, '--crypto', 'openssl'], 'tls13: --crypto openssl: expected one of node, noble');
  });

  it('refuses serve --trace html without a file, and an unknown format', async () => {
    const key = join(dir, 'rpk.key');
    await runCli(['cert', '--raw', '--out-key', key]);
    await expectUsageError(['serve', '--port', '0', '--rpk-key', key, '--trace', 'html'], /^tls13: --trace html: serve writes one page per connection, so it needs a file/);
    await expectUsageError(['serve', '--port', '0', '--rpk-key', key, '--trace', 'xml'], 'tls13: --trace xml: expected text, json or html, optionally =FILE');
  });

  it('needs a key for serve: --cert with --key, --rpk-key or --psk', async () => {
    await expectUsageError(['serve', '--port', '0'], 'tls13: serve: --cert and --key (or --rpk-key, or --psk and --psk-identity) are required');
    await expectUsageError(['serve', '--port', '0', '--cert', notPem], 'tls13: serve: --cert and --key go together');
  });

  it('names an empty --cert or --rpk-key file name instead of starting without it (CLI fuzzing: serve ended in an internal error with a stack trace)', async () => {
    await expectUsageError(['serve', '--port', '0', '--cert', '', '--key', notPem], 'tls13: --cert : no such file or directory');
    await expectUsageError(['serve', '--port', '0', '--rpk-key', ''], 'tls13: --rpk-key : no such file or directory');
    await expectUsageError(['connect', '127.0.0.1:1', '--cert', '', '--key', ''], 'tls13: --cert : no such file or directory');
    await expectUsageError(['connect', '127.0.0.1:1', '--rpk-key', ''], 'tls13: --rpk-key : no such file or directory');
  });

  it('names a --pin-spki value that is neither a pin nor a file', () =>
    expectUsageError(['connect', '127.0.0.1:1', '--pin-spki', join(dir, 'nothing.pub')], `tls13: --pin-spki ${join(dir, 'nothing.pub')}: not a SHA-256 pin (sha256/BASE64, 44 base64 characters, or 64 hex digits) nor a key or certificate file`));

  it('names a --pin-spki file that holds no key', () =>
    expectUsageError(['connect', '127.0.0.1:1', '--pin-spki', notPem], `tls13: --pin-spki ${notPem}: no PEM block found`));

  it('names the missing --cert file of serve', () =>
    expectUsageError(['serve', '--port', '0', '--cert', join(dir, 'missing.pem'), '--key', notPem], `tls13: --cert ${join(dir, 'missing.pem')}: no such file or directory`));

  it('names the --cert file that holds no PEM block', () =>
    expectUsageError(['serve', '--port', '0', '--cert', notPem, '--key', notPem], `tls13: --cert ${notPem}: no PEM block found`));

  it('names an RSASSA-PSS key restricted to SHA-1, as a --key and as the key of the --cert', async () => {
    const sha1Key = asPssKey(rsaTestKey(), { hash: 'sha1', minSaltLength: 20 });
    const p256 = makeIdentity({ subject: { CN: 'p256' }, keyType: 'p256' }, seededRandom('p256'));
    const [keyFile, certFile, p256Cert, p256Key] = ['sha1-pss.key', 'sha1-pss.pem', 'p256.pem', 'p256.key'].map((name) => join(dir, name)) as [string, string, string, string];
    writeFileSync(keyFile, toPem('PRIVATE KEY', encodePkcs8(sha1Key)));
    writeFileSync(certFile, toPem('CERTIFICATE', makeIdentity({ subject: { CN: 'sha1' }, privateKey: sha1Key }, seededRandom('sha1-pss')).der));
    writeFileSync(p256Cert, toPem('CERTIFICATE', p256.der));
    writeFileSync(p256Key, toPem('PRIVATE KEY', encodePkcs8(p256.privateKey)));
    await expectUsageError(['serve', '--port', '0', '--cert', p256Cert, '--key', keyFile], `tls13: --key ${keyFile}: RSASSA-PSS key: RSASSA-PSS with sha1 is not supported`);
    await expectUsageError(['serve', '--port', '0', '--cert', certFile, '--key', p256Key], `tls13: --cert ${certFile}: the first certificate's key is not usable: RSASSA-PSS key: RSASSA-PSS with sha1 is not supported`);
  });

  it('requires --port for serve', () => expectUsageError(['serve', '--cert', notPem, '--key', notPem], 'tls13: serve: --port is required'));

  it('rejects client auth without a way to judge client certificates', async () => {
    const cert = join(dir, 'c.pem');
    const key = join(dir, 'c.key');
    await runCli(['cert', '--out-cert', cert, '--out-key', key]);
    await expectUsageError(['serve', '--port', '0', '--cert', cert, '--key', key, '--client-auth', 'require'], /^tls13: --client-auth require: needs --client-ca/);
  });

  it('rejects a malformed HOST:PORT and a malformed SPKI pin for connect', async () => {
    await expectUsageError(['connect', 'example.com'], /^tls13: connect: example.com: expected HOST:PORT/);
    await expectUsageError(['connect', 'example.com:99999'], /^tls13: connect: example.com:99999: expected HOST:PORT/);
    await expectUsageError(['connect', 'example.com:443', '--pin-spki', 'sha256/short'], /^tls13: --pin-spki sha256\/short: not a SHA-256 pin/);
  });
});

// Found by the CLI fuzzer (scripts/fuzz/cli.ts): a value with a newline or an escape sequence was echoed as
// it is, so the one-line usage error became two lines, or coloured the terminal.
describe('usage errors echo what the user typed on one line', () => {
  it.each([
    [['demo', '--scenario', 'a\nb'], /^tls13: --scenario a\\u000ab: unknown scenario/],
    [['cert', '--out-cert', join(dir, 'c.pem'), '--out-key', join(dir, 'k.pem'), '--type', '\u001b[31mred'], /^tls13: --type \\u001b\[31mred: expected one of/],
    [['connect', 'a\nb'], /^tls13: connect: a\\u000ab: expected HOST:PORT/],
  ])('tls13 %j', async (argv, line) => {
    await expectUsageError(argv, line);
  });
});

// Found by the CLI fuzzer: with --insecure, a --servername the engine refuses was an "internal error" with a
// stack trace, and the socket it left open ended the process with an unhandled 'error' event.
describe('connect checks --servername before it opens a socket', () => {
  it('tls13 connect 127.0.0.1:1 --servername a,,b --insecure', async () => {
    await expectUsageError(['connect', '127.0.0.1:1', '--servername', 'a,,b', '--insecure'], 'tls13: connect: --servername "a,,b" is neither a DNS name nor an IP address');
  });
});
