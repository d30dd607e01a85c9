// The external PSK and certificate compression flags of serve and connect: each mistake is one clear line and exit 2, before anything is sent.
import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, startServe } from './helpers.js';

const KEY = '00112233445566778899aabbccddeeff';

describe('--psk, --psk-identity, --psk-hash, --psk-ke', () => {
  it.each([
    [['--psk', KEY], '--psk: each --psk needs its --psk-identity (got 1 --psk and 0 --psk-identity)'],
    [['--psk', 'xyz', '--psk-identity', 'a'], '--psk (the 1st): not hex, two digits per byte (3 characters, the 1st not a hex digit); the key itself is not shown'],
    [['--psk', '0011', '--psk-identity', 'a'], '--psk: 2 bytes is too short; at least 16 (RFC 9257 §6: 128 bits of entropy)'],
    // An all-zero key is refused by the engine (test/security/all-zero-secrets); here before it, in one line, not a stack trace.
    [['--psk', '00'.repeat(16), '--psk-identity', 'a'], '--psk (the 1st): all zeros, a key anyone can use'],
    [['--psk', KEY, '--psk-identity', 'a', '--psk-hash', 'md5'], '--psk-hash md5: expected one of sha256, sha384'],
    [['--psk-identity', 'a'], '--psk-identity, --psk-hash and --psk-ke need --psk HEX'],
    [['--psk', KEY, '--psk-identity', ''], '--psk-identity: may not be empty'],
  ])('serve %j: one line, exit 2', async (flags, message) => {
    const { code, stdout, stderr } = await runCli(['serve', '--port', '0', ...flags]);
    expect({ code, stdout, stderr }).toEqual({ code: 2, stdout: '', stderr: `tls13: ${message}\n` });
  });

  it('connect refuses a short key the same way', async () => {
    const { code, stderr } = await runCli(['connect', '127.0.0.1:1', '--psk', '00', '--psk-identity', 'a']);
    expect(code).toBe(2);
    expect(stderr).toBe('tls13: --psk: 1 bytes is too short; at least 16 (RFC 9257 §6: 128 bits of entropy)\n');
  });

  // Attacker: whoever reads the CI log or the terminal's scrollback. A key with one typo in it is still
  // the key: the error echoed it whole to stderr, a general log (secrets belong only in key logs and traces).
  it.each([
    ['a character that is no hex digit', `${KEY}${KEY}`.replace(/^(.{40})./, '$1g'), '64 characters, the 41st not a hex digit'],
    ['an odd number of digits', `${KEY}${KEY}0`, '65 characters, an odd number'],
  ])('a mistyped key (%s) is never echoed: only where the mistake is', async (_, key, where) => {
    for (const command of [['serve', '--port', '0'], ['connect', '127.0.0.1:1']]) {
      const { code, stdout, stderr } = await runCli([...command, '--psk', KEY, '--psk-identity', 'a', '--psk', key, '--psk-identity', 'b']);
      expect({ code, stdout, stderr }).toEqual({ code: 2, stdout: '', stderr: `tls13: --psk (the 2nd): not hex, two digits per byte (${where}); the key itself is not shown\n` });
      expect(stderr).not.toContain(KEY.slice(0, 8));
    }
  });

  it('serve --help marks psk_ke as giving up forward secrecy', async () => {
    const { stdout } = await runCli(['serve', '--help']);
    expect(stdout).toContain('--psk-ke');
    expect(stdout).toContain('NO FORWARD SECRECY');
  });
});

describe('serve --psk and connect --psk --resume', () => {
  it('resumes the ticket of the PSK session on the second connection, its 0-RTT accepted, both sides naming the PSK', async () => {
    const server = await startServe(['--psk', KEY, '--psk-identity', 'alice', '--early-data']);
    try {
      const { code, stdout, stderr } = await runCli(['connect', `127.0.0.1:${server.port}`, '--psk', KEY, '--psk-identity', 'alice', '--resume', '--early-data', 'GET /early HTTP/1.0\\r\\n\\r\\n']);
      expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
      expect(stdout.match(/^ {2}(resumed: |trusted by |early data: ).*$/gm)).toEqual([
        '  trusted by external-psk: holds the external PSK "alice"',
        '  resumed: no',
        '  trusted by resumed external-psk: resumed a session of the external PSK "alice", which we still hold',
        '  resumed: yes',
        '  early data: accepted (23 bytes sent as 0-RTT)',
      ]);
      // The server's pages: the client is alice both times, the second resumed with its 0-RTT data.
      expect(stdout.match(/^(client|resumed|early data): .*$/gm)).toEqual([
        'client: external PSK "alice" (sha256)', 'resumed: no', 'early data: none',
        'client: external PSK "alice" (sha256)', 'resumed: yes', 'early data: accepted, 23 bytes',
      ]);
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });
});

describe('--compress-cert', () => {
  it('refuses an unknown algorithm in one line', async () => {
    const { code, stderr } = await runCli(['connect', '127.0.0.1:1', '--compress-cert', 'zlib,lzma']);
    expect({ code, stderr }).toEqual({ code: 2, stderr: 'tls13: --compress-cert zlib,lzma: expected zlib, brotli and/or zstd, comma-separated\n' });
  });
});

describe('serve and connect with --compress-cert', () => {
  it('compresses the server certificate with the first algorithm of the client list the server has', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tls13-compress-'));
    const file = (name: string) => join(dir, name);
    await runCli(['cert', '--out-cert', file('server.pem'), '--out-key', file('server.key'), '--type', 'p256', '--dns', 'localhost']);
    const server = await startServe(['--cert', file('server.pem'), '--key', file('server.key'), '--compress-cert', 'zlib,brotli']);
    try {
      const { code, stdout } = await runCli(['connect', `127.0.0.1:${server.port}`, '--servername', 'localhost', '--pin-cert', file('server.pem'), '--compress-cert', 'brotli,zlib', '--trace', 'text', '--no-secrets']);
      expect(code).toBe(0);
      expect(stdout).toContain('← CompressedCertificate');
      expect(stdout).toMatch(/certificate_compression: brotli: \d+ → \d+ bytes/);
      expect(stdout).toContain('HTTP/1.1 200 OK');
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });
});
