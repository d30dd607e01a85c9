// Attacker: another local user who can write the directory where a victim points --keylog, --trace FILE or
// --sess-out (a shared /tmp without the kernel's protected_symlinks, a group-writable project directory).
// Before the victim runs tls13 the attacker plants, at that name, a symbolic link to a file of the victim's
// (or of root's), a second hard link to one, or a world-readable file of the attacker's own; or, once tls13
// has checked the name, swaps another file in under it. The secrets must go into no file but one that is
// the victim's own, mode 0600, under that name only; and no other file may be chmod-ed, appended to or
// truncated. A symbolic link to a terminal, a pipe or /dev/null (`--keylog /dev/stderr`) still works.
import { chmodSync, chownSync, linkSync, readFileSync, renameSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { openKeylog } from '../../src/cli/io.js';
import { openTraceSink } from '../../src/cli/demo.js';
import { capture, runCli, secretFilesScratch } from '../cli/helpers.js';

const file = secretFilesScratch('tls13-planted-');

/** A file of the victim's that the attacker wants overwritten, appended to or made unreadable. */
function precious(name: string): string {
  writeFileSync(file(name), 'precious\n');
  chmodSync(file(name), 0o644);
  return file(name);
}

function untouched(path: string): void {
  expect(readFileSync(path, 'latin1')).toBe('precious\n');
  expect(statSync(path).mode & 0o777).toBe(0o644);
}

const demo = (...flags: string[]) => runCli(['demo', '--scenario', '1rtt', '--crypto', 'node', ...flags]);

describe('a name planted where tls13 writes secrets', () => {
  it('a symbolic link to a regular file as --keylog: refused, its target neither appended to nor chmod-ed', async () => {
    const target = precious('bashrc');
    symlinkSync(target, file('keys.link'));
    const result = await demo('--keylog', file('keys.link'));
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--keylog .*keys\.link: .*symbolic link/);
    untouched(target);
  });

  it('a symbolic link as --trace FILE (created afresh): refused, its target not truncated', async () => {
    const target = precious('passwd');
    symlinkSync(target, file('trace.link'));
    const result = await demo('--trace', `text=${file('trace.link')}`);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--trace .*trace\.link: .*symbolic link/);
    untouched(target);
  });

  it('a second hard link to a file as --keylog: refused, the file neither appended to nor chmod-ed', async () => {
    const target = precious('profile');
    linkSync(target, file('keys.hard'));
    const result = await demo('--keylog', file('keys.hard'));
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--keylog .*keys\.hard: .*2 names/);
    untouched(target);
  });

  // Only root can give a file away; a user other than root cannot narrow another's file (fchmod: EPERM).
  it.runIf(process.getuid?.() === 0)('a world-writable file of another user as --keylog: refused (root could chmod it, its owner chmod it back)', async () => {
    writeFileSync(file('theirs.keys'), '');
    chownSync(file('theirs.keys'), 65534, 65534);
    chmodSync(file('theirs.keys'), 0o666);
    const result = await demo('--keylog', file('theirs.keys'));
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--keylog .*theirs\.keys: .*belongs to user 65534/);
    expect(readFileSync(file('theirs.keys'), 'latin1')).toBe('');
  });

  it('a world-readable file swapped in under the key log after it was opened gets no secret', () => {
    const stderr = capture();
    const append = openKeylog(file('swapped.keys'), { stdout: capture(), stderr, env: {} })!;
    append('CLIENT_RANDOM first');
    writeFileSync(file('attacker.keys'), '');
    chmodSync(file('attacker.keys'), 0o666);
    renameSync(file('attacker.keys'), file('swapped.keys'));
    append('CLIENT_TRAFFIC_SECRET_0 secret');
    expect(readFileSync(file('swapped.keys'), 'latin1')).toBe('');
    expect(stderr.text).toMatch(/swapped\.keys: .*replaced.*no more key-log lines/);
  });

  it('a world-readable file swapped in under a trace file after it was opened gets no secret', () => {
    const sink = openTraceSink(`json=${file('swapped.json')}`, { stdout: capture(), stderr: capture(), env: {} });
    writeFileSync(file('attacker.json'), '');
    chmodSync(file('attacker.json'), 0o666);
    renameSync(file('attacker.json'), file('swapped.json'));
    expect(() => sink.event('client', { type: 'secret', name: 'c hs traffic', label: 'c hs traffic', secret: new Uint8Array(32) } as never)).toThrow(/replaced/);
    expect(readFileSync(file('swapped.json'), 'latin1')).toBe('');
  });

  it('cert --out-key over an existing world-readable file: the private key is not left readable by others', async () => {
    writeFileSync(file('old.key'), '');
    chmodSync(file('old.key'), 0o644);
    const result = await runCli(['cert', '--out-cert', file('new.pem'), '--out-key', file('old.key'), '--cn', 'svc']);
    expect(result.code).toBe(0);
    expect(readFileSync(file('old.key'), 'latin1')).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(statSync(file('old.key')).mode & 0o077).toBe(0);
  });

  it('cert --out-key at a planted symbolic link: refused, its target not overwritten', async () => {
    const target = precious('authorized_keys');
    symlinkSync(target, file('key.link'));
    const result = await runCli(['cert', '--out-cert', file('linked.pem'), '--out-key', file('key.link'), '--cn', 'svc']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/key\.link: .*symbolic link/);
    untouched(target);
  });

  it('a symbolic link to a device or a pipe (--keylog /dev/stderr) is written through', async () => {
    symlinkSync('/dev/null', file('null.link'));
    const result = await demo('--keylog', file('null.link'), '--trace', `json=${file('null.link')}`);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
  });
});
