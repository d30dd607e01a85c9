// `tls13 serve` and `tls13 connect` with session features, over 127.0.0.1: HelloRetryRequest shaped by
// --groups, resumption with --resume, 0-RTT with --early-data (accepted, and rejected then resent),
// --key-update, and --export checked against an exporter computed with node:crypto from the key log.
import { createHash, createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startCli, waitFor } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'tls13-sessions-'));
const file = (name: string) => join(dir, name);

/** HKDF-Expand-Label (RFC 8446 §7.1) with SHA-256, by node:crypto. */
function expandLabel(secret: Buffer, label: string, context: Buffer, length: number): Buffer {
  const fullLabel = Buffer.from(`tls13 ${label}`);
  const info = Buffer.concat([Buffer.from([length >> 8, length & 0xff, fullLabel.length]), fullLabel, Buffer.from([context.length]), context]);
  let block = Buffer.alloc(0);
  const out: Buffer[] = [];
  for (let i = 1; Buffer.concat(out).length < length; i++) {
    block = createHmac('sha256', secret).update(Buffer.concat([block, info, Buffer.from([i])])).digest();
    out.push(block);
  }
  return Buffer.concat(out).subarray(0, length);
}

/** TLS-Exporter (RFC 8446 §7.5) from an EXPORTER_SECRET key-log value. */
function exporterFromKeylog(exporterSecret: Buffer, label: string, context: Buffer, length: number): string {
  const sha256 = (data: Buffer) => createHash('sha256').update(data).digest();
  const derived = expandLabel(exporterSecret, label, sha256(Buffer.alloc(0)), 32);
  return expandLabel(derived, 'exporter', sha256(context), length).toString('hex');
}

let server: ReturnType<typeof startCli>;
let port: number;

beforeAll(async () => {
  await runCli(['cert', '--out-cert', file('server.pem'), '--out-key', file('server.key'), '--type', 'p256', '--dns', 'localhost', '--ip', '127.0.0.1', '--eku', 'serverAuth']);
  server = startCli(['serve', '--port', '0', '--cert', file('server.pem'), '--key', file('server.key'), '--groups', 'secp256r1', '--early-data', '--tickets', '3']);
  port = await waitFor(() => {
    const m = /^listening on 127\.0\.0\.1:(\d+)$/m.exec(server.stdout.text);
    return m ? Number(m[1]) : undefined;
  });
});

afterAll(async () => {
  expect(await server.stop()).toBe(0);
});

const connectArgs = () => ['connect', `127.0.0.1:${port}`, '--servername', 'localhost', '--pin-cert', file('server.pem')];

/** The lines of a --trace json run that are handshake messages, as [direction, kind]. */
function messages(stdout: string): string[] {
  return stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { type: string; direction?: string; message?: { kind: string } })
    .filter((event) => event.type === 'handshake-message')
    .map((event) => `${event.direction} ${event.message!.kind}`);
}

describe('tls13 connect --resume against tls13 serve', () => {
  it('resumes the second connection and the server sends 0-RTT-capable tickets (serve --tickets 3)', async () => {
    const { code, stdout, stderr } = await runCli([...connectArgs(), '--groups', 'secp256r1', '--resume']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/resumed: no\n[\s\S]*resuming with the newest of 3 ticket\(s\) from the first connection \(lifetime 7200 s, 0-RTT up to 16384 bytes\)[\s\S]*resumed: yes\n/);
    // The server's page for each connection.
    expect(stdout.match(/^resumed: (yes|no)$/gm)).toEqual(['resumed: no', 'resumed: yes']);
  });

  it('sends --early-data as 0-RTT on the resumed connection, and the server answers it', async () => {
    const { code, stdout } = await runCli([...connectArgs(), '--groups', 'secp256r1', '--resume', '--early-data', 'GET /early HTTP/1.0\\r\\n\\r\\n']);
    expect(code).toBe(0);
    expect(stdout).toContain('  early data: accepted (23 bytes sent as 0-RTT)');
    expect(stdout).toContain('early data: accepted, 23 bytes\n');
  });

  it('goes through a HelloRetryRequest when its key share is x25519 and the server takes only secp256r1; 0-RTT is then rejected and resent', async () => {
    const { code, stdout, stderr } = await runCli([
      ...connectArgs(), '--groups', 'x25519,secp256r1', '--key-share-groups', 'x25519', '--resume', '--early-data', 'GET / HTTP/1.0\\r\\n\\r\\n', '--trace', 'json',
    ]);
    expect(code).toBe(0);
    const seen = messages(stdout);
    expect(seen.filter((m) => m === 'in hello_retry_request')).toHaveLength(2);
    expect(seen.filter((m) => m === 'out client_hello')).toHaveLength(4);
    // RFC 8446 §4.2.10: early data is never accepted after a HelloRetryRequest.
    expect(stderr).toContain('  early data: rejected (18 bytes sent again after the handshake)');
    expect(stderr).toContain('  resumed: yes');
    // The server's page (hex in the JSON data events) says the same.
    const pages = [...stdout.matchAll(/"type":"data","data":"([0-9a-f]+)"/g)].map((m) => Buffer.from(m[1]!, 'hex').toString());
    expect(pages.at(-1)).toContain('resumed: yes\nearly data: rejected\n');
  });

  it('prints --export values equal to the exporter computed from the key log, with and without context', async () => {
    for (const context of [undefined, '00ff10']) {
      const keylog = file(`export-${context ?? 'none'}.keys`);
      const { code, stdout } = await runCli([...connectArgs(), '--export', 'EXPORTER-my:app:32', ...(context ? ['--export-context', context] : []), '--keylog', keylog]);
      expect(code).toBe(0);
      const line = /exporter EXPORTER-my:app \(32 bytes, (empty context|context 00ff10)\): ([0-9a-f]{64})/.exec(stdout);
      const secret = /^EXPORTER_SECRET \S+ ([0-9a-f]+)$/m.exec(readFileSync(keylog, 'latin1'))![1]!;
      expect(line?.[2]).toBe(exporterFromKeylog(Buffer.from(secret, 'hex'), 'EXPORTER-my:app', Buffer.from(context ?? '', 'hex'), 32));
    }
  });

  it('sends KeyUpdate(update_requested) with --key-update, the server follows, and the reply still arrives', async () => {
    const { code, stdout } = await runCli([...connectArgs(), '--key-update', '--trace', 'json']);
    expect(code).toBe(0);
    const seen = messages(stdout);
    expect(seen).toContain('out key_update');
    expect(seen).toContain('in key_update');
    expect(stdout).toMatch(/"type":"data"/);
  });

  it('serves a resumed node:tls client, and the page says so', async () => {
    const get = (session?: Buffer) =>
      new Promise<{ page: string; session?: Buffer }>((resolve, reject) => {
        let last: Buffer | undefined;
        const socket = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ca: readFileSync(file('server.pem')), minVersion: 'TLSv1.3', ...(session ? { session } : {}) }, () =>
          socket.write('GET / HTTP/1.0\r\n\r\n'),
        );
        socket.on('session', (s: Buffer) => (last = s));
        let page = '';
        socket.on('data', (d: Buffer) => (page += d.toString()));
        socket.on('end', () => resolve({ page, ...(last ? { session: last } : {}) }));
        socket.on('error', reject);
      });
    const first = await get();
    expect(first.page).toContain('resumed: no\n');
    const second = await get(first.session!);
    expect(second.page).toContain('resumed: yes\n');
  });
});

describe('session flag mistakes', () => {
  it('refuses --early-data without --resume, a bad --export, an unknown group, with exit code 2', async () => {
    for (const [argv, message] of [
      [['--early-data', 'x'], /--early-data needs --resume/],
      [['--export', 'EXPORTER-x'], /--export EXPORTER-x: expected LABEL:LEN/],
      [['--export', 'x:1', '--export-context', 'zz'], /--export-context zz: expected hex digits/],
      [['--groups', 'x25519,curve9'], /unknown group curve9/],
    ] as const) {
      const { code, stderr } = await runCli(['connect', '127.0.0.1:1', ...argv]);
      expect(code).toBe(2);
      expect(stderr).toMatch(message);
    }
  });

  it('refuses an --export no TLS 1.3 exporter can give, before connecting, instead of a stack trace once connected', async () => {
    // HKDF-Expand gives at most 255 * 32 bytes under SHA-256 (RFC 5869 §2.3), and "tls13 " + label fits 255
    // bytes (RFC 8446 §7.1): LEN 9000 or a 250-byte label threw from the 'secureConnect' handler.
    for (const [spec, message] of [
      [`EXPORTER-x:${255 * 32 + 1}`, /LEN from 1 to 8160/],
      [`${'a'.repeat(250)}:32`, /LABEL of at most 249 bytes/],
    ] as const) {
      const { code, stderr } = await runCli([...connectArgs(), '--export', spec]);
      expect(code).toBe(2);
      expect(stderr).toMatch(message);
      expect(stderr).not.toMatch(/\n\s+at /);
    }
  });

  it('refuses --request-post-handshake-auth without a client trust flag to judge the certificate', async () => {
    const { code, stdout, stderr } = await runCli(['serve', '--port', '0', '--cert', file('server.pem'), '--key', file('server.key'), '--request-post-handshake-auth']);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toBe('tls13: --request-post-handshake-auth: needs --client-ca, --pin-client-cert or --pin-client-spki to judge client certificates\n');
  });
});
