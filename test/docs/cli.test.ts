// docs/cli.md: its `--help` blocks are what the parser's option tables say (generated; stale fails here),
// it names every command, flag and demo scenario, and every ```sh example runs as written.
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/cli/main.js';
import { commandsMissingFrom, updateCliReference } from '../../src/cli/reference.js';
import { SCENARIOS } from '../../src/scenarios/catalog.js';
import { ensureBuilt, runShell } from '../cli/helpers.js';
import { scriptFor, shellBlocks } from './examples.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const markdown = readFileSync(join(root, 'docs', 'cli.md'), 'utf8');

describe('docs/cli.md is generated from the option tables', () => {
  it('carries the --help of tls13 and of every command', () => {
    expect(commandsMissingFrom(markdown)).toEqual([]);
  });

  it('is up to date (else: npm run docs)', () => {
    expect(updateCliReference(markdown)).toBe(markdown);
  });

  it('names every flag of every command, every demo scenario, and html, --step, --pcap, --crypto', () => {
    for (const command of COMMANDS) for (const name of Object.keys(command.options)) expect(markdown, `${command.name} --${name}`).toContain(`--${name}`);
    for (const name of Object.keys(SCENARIOS)) expect(markdown).toMatch(new RegExp(`^ +${name}( \\(default\\))?: `, 'm'));
    for (const text of ['html=', '--step', '--pcap', '--crypto']) expect(markdown).toContain(text);
  });

  it('suggests no openssl command that OpenSSL 3.0 refuses (s_server -early_data with -www)', () => {
    for (const line of markdown.split('\n').filter((l) => /^openssl s_server/.test(l))) expect(line).not.toMatch(/-www.*-early_data|-early_data.*-www/);
  });
});

describe('docs/cli.md examples run as written', () => {
  beforeAll(() => ensureBuilt(), 60_000);

  it('every sh line, in order, in an empty directory', async () => {
    const lines = shellBlocks(markdown).flat();
    expect(lines.filter((line) => /(^|\| )tls13 /.test(line)).length).toBeGreaterThanOrEqual(25);
    const dir = mkdtempSync(join(tmpdir(), 'tls13-cli-doc-'));
    const result = await runShell(await scriptFor(lines), dir, {}, 150_000);
    expect(result.stderr).not.toMatch(/failed|did not start|\n\s+at /);
    expect(result.code).toBe(0);
    // What the prose promises of them.
    expect(result.stdout).toContain('server (NOT verified, anyone could have sent this)');
    expect(result.stdout).toContain('certificate chain as the server sent it:');
    expect(result.stdout).toContain('resumed: yes');
    expect(result.stdout).toContain('early data: accepted');
    expect(result.stdout).toContain('-- Enter: next message, q: stop --');
    expect(statSync(join(dir, 'session.json')).mode & 0o777).toBe(0o600);
    // The key-types block: an RSASSA-PSS CA (SHA-384), an Ed448 server, a P-521 client.
    expect(result.stdout).toContain('wrote pss-ca.pem (certificate) and pss-ca.key (rsa-pss private key)');
    expect(result.stdout).toMatch(/negotiated: TLSv1\.3, \S+, group \S+, signature ed448/);
    for (const file of ['conn.html', 'hrr.html', 'refused.html', '0rtt.pcap', '0rtt.keys', 'server.keys', 'client.keys', 'bob.pub']) {
      expect(statSync(join(dir, file)).size, file).toBeGreaterThan(0);
    }
  }, 180_000);
});
