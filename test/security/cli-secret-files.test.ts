// Attacker: another user of the machine, reading the files `tls13` writes secrets into. A key log holds
// every traffic secret (it decrypts the recorded connection), a trace holds the secrets and the decrypted
// application data. The key log and the trace were created with the process's default mode (0644 under the
// usual umask 022): readable by every local user. Both are now created with mode 0600, and an existing
// regular file given for them is narrowed to 0600 before the first secret goes in, as the session file
// (--sess-out) and the private key (cert --out-key) already were.
import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCli, secretFilesScratch } from '../cli/helpers.js';

const file = secretFilesScratch('tls13-secret-files-');
const othersMayRead = (path: string) => (statSync(path).mode & 0o077) !== 0;

async function demo(...flags: string[]) {
  const result = await runCli(['demo', '--scenario', '1rtt', '--crypto', 'node', ...flags]);
  expect(result.code).toBe(0);
}

describe('files holding secrets are readable by their owner only', () => {
  it('a new key log (--keylog, and SSLKEYLOGFILE) is created with mode 0600', async () => {
    await demo('--keylog', file('new.keys'));
    expect(readFileSync(file('new.keys'), 'latin1')).toMatch(/^CLIENT_HANDSHAKE_TRAFFIC_SECRET /m);
    expect(othersMayRead(file('new.keys'))).toBe(false);
    const result = await runCli(['demo', '--scenario', '1rtt', '--crypto', 'node'], { SSLKEYLOGFILE: file('env.keys') });
    expect(result.code).toBe(0);
    expect(othersMayRead(file('env.keys'))).toBe(false);
  });

  it('an existing world-readable key log is narrowed to 0600, and appended to, not truncated', async () => {
    writeFileSync(file('old.keys'), '# earlier lines\n');
    chmodSync(file('old.keys'), 0o644);
    await demo('--keylog', file('old.keys'));
    expect(readFileSync(file('old.keys'), 'latin1')).toMatch(/^# earlier lines\nCLIENT_/);
    expect(othersMayRead(file('old.keys'))).toBe(false);
  });

  it('a trace file (secrets and decrypted data) is created with mode 0600, and an existing one narrowed', async () => {
    for (const format of ['text', 'json', 'html']) {
      await demo('--trace', `${format}=${file(`new.${format}`)}`);
      expect(othersMayRead(file(`new.${format}`))).toBe(false);
    }
    writeFileSync(file('old.txt'), 'old');
    chmodSync(file('old.txt'), 0o644);
    await demo('--trace', `text=${file('old.txt')}`);
    expect(readFileSync(file('old.txt'), 'latin1')).not.toMatch(/^old/);
    expect(othersMayRead(file('old.txt'))).toBe(false);
  });
});
