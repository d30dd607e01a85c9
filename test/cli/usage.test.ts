import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
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

  it('names a --pin-spki value that is neither a pin nor a file', () =>
    expectUsageError(['connect', '127.0.0.1:1', '--pin-spki', join(dir, 'nothing.pub')], `tls13: --pin-spki ${join(dir, 'nothing.pub')}: not a SHA-256 pin (sha256/BASE64, 44 base64 characters, or 64 hex digits) nor a key or certificate file`));

  it('names a --pin-spki file that holds no key', () =>
    expectUsageError(['connect', '127.0.0.1:1', '--pin-spki', notPem], `tls13: --pin-spki ${notPem}: no PEM block found`));

  it('names the missing --cert file of serve', () =>
    expectUsageError(['serve', '--port', '0', '--cert', join(dir, 'missing.pem'), '--key', notPem], `tls13: --cert ${join(dir, 'missing.pem')}: no such file or directory`));

  it('names the --cert file that holds no PEM block', () =>
    expectUsageError(['serve', '--port', '0', '--cert', notPem, '--key', notPem], `tls13: --cert ${notPem}: no PEM block found`));

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
