// The tracing flags of `tls13 demo`: --trace FORMAT[=FILE], --step with scripted input, --pcap.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import type { Io } from '../../src/cli/io.js';
import { requireBinary, scratchDirectory } from '../../src/testing/interop.js';
import { capture, runCli } from '../cli/helpers.js';

const scratch = scratchDirectory('tls13-lab-demo-trace-');
const { dir } = scratch;
afterAll(scratch.remove);

const HEADINGS = /^(?:\S+ →|← \S+)  \d+ bytes$/;
const headings = (text: string) => text.split('\n').filter((l) => HEADINGS.test(l));

async function stepped(answers: string[]): Promise<{ code: number; stdout: string }> {
  const stdout = capture();
  const io: Io = { stdout, stderr: capture(), env: {}, stdin: Readable.from(answers) };
  const code = await main(['demo', '--step'], io);
  return { code, stdout: stdout.text };
}

describe('tls13 demo tracing flags', () => {
  it('writes an illustrated page with --trace html=FILE and keeps the narration on the terminal', async () => {
    const file = join(dir, 'demo.html');
    const { code, stdout } = await runCli(['demo', '--trace', `html=${file}`]);
    expect(code).toBe(0);
    const page = readFileSync(file, 'utf8');
    expect(page.startsWith('<!DOCTYPE html>')).toBe(true);
    for (const heading of headings(stdout)) expect(page).toContain(heading.split('  ')[0]!);
    expect(page).toContain('class="ev record"');
    expect(stdout).toContain('verdict: the server trusts the client');
  });

  it('prints only the page with --trace html', async () => {
    const { code, stdout } = await runCli(['demo', '--trace', 'html']);
    expect(code).toBe(0);
    expect(stdout.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(stdout.trimEnd().endsWith('</html>')).toBe(true);
  });

  it('writes JSON lines to a file with --trace json=FILE, the same lines --trace json prints', async () => {
    const file = join(dir, 'demo.jsonl');
    const toFile = await runCli(['demo', '--trace', `json=${file}`]);
    const toStdout = await runCli(['demo', '--trace', 'json']);
    expect(readFileSync(file, 'utf8')).toBe(toStdout.stdout);
    expect(toFile.stdout).toContain('ClientHello →');
  });

  it('rejects an unknown trace format with exit code 2', async () => {
    const { code, stderr } = await runCli(['demo', '--trace', 'xml']);
    expect(code).toBe(2);
    expect(stderr).toBe('tls13: --trace xml: expected text, json or html, optionally =FILE\n');
  });

  it('pauses before each handshake message after the first and stops at q', async () => {
    const { code, stdout } = await stepped(['\n', '\n', 'q\n']);
    expect(code).toBe(0);
    expect(stdout.match(/-- Enter: next message, q: stop --/g)).toHaveLength(3);
    expect(headings(stdout).map((h) => h.split('  ')[0])).toEqual(['ClientHello →', '← ServerHello', '← EncryptedExtensions']);
    expect(stdout.trimEnd().endsWith('stopped (q)')).toBe(true);
  });

  it('without standard input (an in-process Io has none) runs without pauses and says so in one line', async () => {
    const all = await runCli(['demo']);
    // Before the fix this waited forever on the process's own stdin: fail after 10 s instead of hanging.
    const ran = await Promise.race([runCli(['demo', '--step']), new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 10_000).unref())]);
    expect(ran).toBeDefined();
    expect(ran!.code).toBe(0);
    expect(ran!.stderr).toBe('--step: no standard input to answer from; running without pauses\n');
    expect(ran!.stdout).toBe(all.stdout);
  }, 20_000);

  it('without standard input and with a bad flag: the usage error is the only line (CLI fuzzing: the --step note came first)', async () => {
    const { code, stderr } = await runCli(['demo', '--step', '--crypto', 'rsa']);
    expect(code).toBe(2);
    expect(stderr).toBe('tls13: --crypto rsa: expected one of node, noble\n');
  });

  it('tells the same story stepped as in one go, with pauses and a line where each message is sent', async () => {
    const all = await runCli(['demo']);
    const { code, stdout } = await stepped(Array.from({ length: 20 }, () => '\n'));
    expect(code).toBe(0);
    const pauses = stdout.match(/-- Enter: next message, q: stop -- \n/g)!;
    expect(pauses).toHaveLength(headings(all.stdout).length - 1);
    expect(headings(stdout)).toEqual(headings(all.stdout));
    const told = stdout.replace(/-- Enter: next message, q: stop -- \n/g, '').split('\n').filter((l) => !/^ {2}\[(client|server)\] sends [A-Za-z]+ \(\d+ bytes\)$/.test(l));
    expect(told.sort()).toEqual(all.stdout.split('\n').sort());
  });

  it('shows each message as its receiver processes it, with the reaction (state, decisions, alert) before the next pause', async () => {
    const { stdout } = await stepped(Array.from({ length: 20 }, () => '\n'));
    const steps = stdout.split('-- Enter: next message, q: stop -- \n');
    for (const step of steps) {
      const [heading, ...others] = headings(step);
      expect(others).toEqual([]);
      if (!heading) continue;
      const title = heading.replace(/ →|← /, '').split('  ')[0]!;
      const receiver = heading.endsWith('bytes') && heading.startsWith('←') ? 'client' : 'server';
      // The message, then its receiver reading it, within the same step.
      expect(step.indexOf(`[${receiver}] receives ${title}`)).toBeGreaterThan(step.indexOf(heading));
    }
    const serverHello = steps.find((step) => headings(step)[0]?.startsWith('← ServerHello'))!;
    expect(serverHello).toContain('[client] state WAIT_SH → WAIT_EE');
    const clientHello = steps.find((step) => headings(step)[0]?.startsWith('ClientHello →'))!;
    expect(clientHello).toMatch(/\[server\] receives ClientHello[\s\S]*\[server\] cipher_suite: [\s\S]*\[server\] sends ServerHello/);
  });

  it('a refusal while stepping: the alert comes with the message that caused it; a message never processed is shown at the end', async () => {
    const stdout = capture();
    const io: Io = { stdout, stderr: capture(), env: {}, stdin: Readable.from(Array.from({ length: 20 }, () => '\n')) };
    expect(await main(['demo', '--step', '--scenario', 'stolen-certificate'], io)).toBe(0);
    const steps = stdout.text.split('-- Enter: next message, q: stop -- \n');
    const certificateVerify = steps.find((step) => headings(step)[0]?.startsWith('CertificateVerify →'))!;
    expect(certificateVerify).toMatch(/\[server\] receives CertificateVerify\n {2}\[server\] sends fatal alert decrypt_error/);
    expect(steps.at(-1)).toMatch(/Finished → {2}36 bytes\n.*\n {2}\(the server never processed it\)/);
  });

  it('refuses --step when a JSON trace takes standard output', async () => {
    const { code, stderr } = await runCli(['demo', '--step', '--trace', 'json']);
    expect(code).toBe(2);
    expect(stderr).toContain('--step needs the narration on standard output');
  });

  it('writes a pcap that tshark decodes with the --keylog file: every handshake message of mutual TLS', async (test) => {
    const tshark = requireBinary('tshark', test);
    const pcap = join(dir, 'demo.pcap');
    const keylog = join(dir, 'demo.keylog');
    expect((await runCli(['demo', '--pcap', pcap, '--keylog', keylog])).code).toBe(0);
    const types = execFileSync(tshark, ['-r', pcap, '-o', `tls.keylog_file:${keylog}`, '-Y', 'tls', '-T', 'fields', '-e', 'tls.handshake.type'], { encoding: 'utf8', timeout: 30_000 });
    expect(types.split(/[\n,]/).filter((t) => t !== '').map(Number)).toEqual([1, 2, 8, 13, 11, 15, 20, 11, 15, 20]);
  });
});
