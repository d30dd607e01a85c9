import { createHash, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SCENARIOS } from '../../src/scenarios/catalog.js';
import type { CertifiedKey } from '../../src/handshake/config.js';
import { runCli } from './helpers.js';

const MUTUAL_TLS_HEADINGS = [
  'ClientHello →',
  '← ServerHello',
  '← EncryptedExtensions',
  '← CertificateRequest',
  '← Certificate',
  '← CertificateVerify',
  '← Finished',
  'Certificate →',
  'CertificateVerify →',
  'Finished →',
];

function headings(stdout: string): string[] {
  return stdout
    .split('\n')
    .filter((line) => /^(← \w+|\w+ →)/.test(line))
    .map((line) => line.replace(/\s+\d+ bytes$/, ''));
}

describe('tls13 demo', () => {
  it('narrates every handshake message of mutual TLS in RFC 8446 §2 order and exits 0', async () => {
    const { code, stdout, stderr } = await runCli(['demo']);
    expect(code).toBe(0);
    expect(stderr).toBe('');
    expect(headings(stdout)).toEqual(MUTUAL_TLS_HEADINGS);
    expect(stdout).toContain('state WAIT_CERT_CR → WAIT_CERT');
    expect(stdout).toContain('secret client_handshake_traffic_secret ("c hs traffic"');
    expect(stdout).toContain('received 16 bytes of application data: "hello from alice"');
  });

  it('names the pinned client by subject and the SPKI pin node:crypto computes for its certificate', async () => {
    const alice = (SCENARIOS['mutual-tls']!.setup('pin-check').client.certificate as CertifiedKey).chain[0]!;
    const x509 = new X509Certificate(alice);
    const spki = x509.publicKey.export({ type: 'spki', format: 'der' });
    const pin = createHash('sha256').update(spki).digest('base64');
    const fingerprint = x509.fingerprint256.replace(/:/g, '').toLowerCase();
    const { stdout } = await runCli(['demo', '--seed', 'pin-check']);
    expect(stdout).toContain(`verdict: the server trusts the client: pinned-certificate: certificate sha256 ${fingerprint} is pinned`);
    expect(stdout).toContain(`client is CN=alice, SANs spiffe://tls13-lab.test/alice, Ed25519 key, SPKI pin sha256/${pin}`);
  });

  it('prints the same bytes for the same seed and different ones for another seed', async () => {
    const a = await runCli(['demo', '--seed', 'one', '--trace', 'text']);
    const b = await runCli(['demo', '--seed', 'one', '--trace', 'text']);
    const c = await runCli(['demo', '--seed', 'two', '--trace', 'text']);
    expect(a.stdout).toBe(b.stdout);
    expect(c.stdout).not.toBe(a.stdout);
  });

  it('runs the 1rtt scenario without a client certificate and with ALPN', async () => {
    const { code, stdout } = await runCli(['demo', '--scenario', '1rtt']);
    expect(code).toBe(0);
    expect(headings(stdout)).toEqual(['ClientHello →', '← ServerHello', '← EncryptedExtensions', '← Certificate', '← CertificateVerify', '← Finished', 'Finished →']);
    expect(stdout).toContain('alpn: http/1.1');
    expect(stdout).toContain('verdict: the client is anonymous');
  });

  it('runs the post-quantum scenario: the hybrid share annotated field by field, the decision explained', async () => {
    const { code, stdout } = await runCli(['demo', '--scenario', 'post-quantum', '--trace', 'text']);
    expect(code).toBe(0);
    expect(stdout).toContain('The hybrid share is 1216 bytes: 1184 ML-KEM-768 encapsulation key + 32 X25519 ephemeral public key.');
    expect(stdout).toMatch(/client_shares\[0\]\.key_exchange\.mlkem768_encapsulation_key \(ML-KEM-768 encapsulation key/);
    expect(stdout).toMatch(/client_shares\[0\]\.key_exchange\.x25519_public_key \(X25519 ephemeral public key/);
    expect(stdout).toMatch(/server_hello\.extensions\[\d+\]\.key_share\.key_exchange\.mlkem768_ciphertext \(ML-KEM-768 ciphertext/);
    expect(stdout).toContain('[server] group: X25519MLKEM768 (our most preferred group the client sent a key share for; hybrid: secure if either X25519 or ML-KEM holds)');
    expect(stdout).toContain('connected: TLSv1.3, TLS_AES_128_GCM_SHA256, group X25519MLKEM768');
  });

  it('gives one JSON object per line with schema version 1 and byte strings as hex', async () => {
    const { code, stdout } = await runCli(['demo', '--trace', 'json']);
    expect(code).toBe(0);
    const events = stdout.trimEnd().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(events.length).toBeGreaterThan(20);
    for (const e of events) {
      expect(e['v']).toBe(1);
      expect(['client', 'server']).toContain(e['side']);
    }
    const hello = events.find((e) => e['type'] === 'handshake-message') as { message: { kind: string; random: string }; spans: Array<{ path: string }> };
    expect(hello.message.kind).toBe('client_hello');
    expect(hello.spans.map((s) => s.path)).toContain('client_hello.random');
    expect(hello.message.random).toMatch(/^[0-9a-f]{64}$/);
    const secrets = events.filter((e) => e['type'] === 'secret');
    expect(secrets.length).toBeGreaterThan(0);
    for (const s of secrets) expect(s['secret']).toMatch(/^[0-9a-f]{64}$/);
  });

  it('hides every secret value with --no-secrets', async () => {
    const json = await runCli(['demo', '--trace', 'json']);
    const values = json.stdout
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as { type: string; secret?: string })
      .filter((e) => e.type === 'secret')
      .map((e) => e.secret!);
    const text = await runCli(['demo', '--trace', 'text', '--no-secrets']);
    const hidden = await runCli(['demo', '--trace', 'json', '--no-secrets']);
    for (const value of values) {
      expect(text.stdout).not.toContain(value);
      expect(hidden.stdout).not.toContain(value);
    }
    expect(text.stdout).toContain('(value hidden)');
  });

  it('appends each secret once to the --keylog file, keyed by the ClientHello random', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tls13-demo-'));
    const file = join(dir, 'keys.log');
    const { stdout } = await runCli(['demo', '--trace', 'json', '--keylog', file]);
    const random = (JSON.parse(stdout.split('\n')[0]!) as { message: { random: string } }).message.random;
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    expect(lines.map((l) => l.split(' ')[0])).toEqual([
      'CLIENT_HANDSHAKE_TRAFFIC_SECRET',
      'SERVER_HANDSHAKE_TRAFFIC_SECRET',
      'CLIENT_TRAFFIC_SECRET_0',
      'SERVER_TRAFFIC_SECRET_0',
      'EXPORTER_SECRET',
    ]);
    for (const line of lines) expect(line).toMatch(new RegExp(`^[A-Z_0-9]+ ${random} [0-9a-f]{64}$`));
  });

  it('honours SSLKEYLOGFILE when --keylog is not given', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'tls13-demo-')), 'env.log');
    await runCli(['demo'], { SSLKEYLOGFILE: file });
    expect(readFileSync(file, 'utf8').trimEnd().split('\n')).toHaveLength(5);
  });

  it('uses colour only on a terminal and never with NO_COLOR', async () => {
    const { main } = await import('../../src/cli/main.js');
    const run = async (isTTY: boolean, env: Record<string, string>) => {
      let text = '';
      const stdout = { isTTY, write: (s: string) => (text += s) };
      await main(['demo'], { stdout, stderr: { write: () => true }, env });
      return text;
    };
    expect(await run(true, {})).toContain('\x1b[');
    expect(await run(true, { NO_COLOR: '1' })).not.toContain('\x1b[');
    expect(await run(false, {})).not.toContain('\x1b[');
  });

  it('rejects an unknown scenario with one line naming the known ones and exit code 2', async () => {
    const { code, stdout, stderr } = await runCli(['demo', '--scenario', 'nope']);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    // The registry grows; the line names every scenario, the first two being the original ones.
    expect(stderr).toBe(`tls13: --scenario nope: unknown scenario (known: ${Object.keys(SCENARIOS).join(', ')})\n`);
    expect(Object.keys(SCENARIOS).slice(0, 2)).toEqual(['mutual-tls', '1rtt']);
  });
});
