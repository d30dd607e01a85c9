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

  it('rejects a value outside the choices', () => expectUsageError(['connect', '127.0.0.1:1', '--trace', 'xml'], 'tls13: --trace xml: expected one of text, json, none'));

  it('names the missing --cert file of serve', () =>
    expectUsageError(['serve', '--port', '0', '--cert', join(dir, 'missing.pem'), '--key', notPem], `tls13: --cert ${join(dir, 'missing.pem')}: no such file`));

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
