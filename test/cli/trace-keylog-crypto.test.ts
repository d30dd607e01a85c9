// --trace text|json|html[=FILE], --keylog / SSLKEYLOGFILE and --crypto node|noble on connect and serve, over
// 127.0.0.1. Both ends' key logs must agree line for line (two independent writers of the same secrets).
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cryptoProvider, parseCommandArgs } from '../../src/cli/args.js';
import { connectCommand, numberedTraceFile } from '../../src/cli/connect.js';
import { nobleProvider } from '../../src/crypto/noble.js';
import { nodeCryptoProvider } from '../../src/node/crypto.js';
import { runCli, startServe, waitFor } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'tls13-trace-'));
const file = (name: string) => join(dir, name);

type JsonEvent = { v: number; side: string; type: string; direction?: string; message?: { kind: string } };
const jsonLines = (text: string): JsonEvent[] => text.trimEnd().split('\n').map((line) => JSON.parse(line) as JsonEvent);
const messageKinds = (events: JsonEvent[]) => events.filter((e) => e.type === 'handshake-message').map((e) => `${e.direction} ${e.message!.kind}`);
const lines = (path: string) => readFileSync(path, 'utf8').trimEnd().split('\n');

let server: Awaited<ReturnType<typeof startServe>>;

beforeAll(async () => {
  await runCli(['cert', '--out-cert', file('server.pem'), '--out-key', file('server.key'), '--type', 'p256', '--dns', 'localhost']);
  // The server on noble, the clients on node:crypto (connect's default, or spelled out): each handshake here
  // is one provider against the other.
  server = await startServe(
    ['--cert', file('server.pem'), '--key', file('server.key'), '--crypto', 'noble', '--trace', `json=${file('server.jsonl')}`, '--no-secrets'],
    { SSLKEYLOGFILE: file('server.keys') },
  );
});

afterAll(async () => {
  expect(await server.stop()).toBe(0);
});

const connectArgs = () => ['connect', `127.0.0.1:${server.port}`, '--pin-cert', file('server.pem')];

describe('--keylog and SSLKEYLOGFILE', () => {
  it('makes serve (SSLKEYLOGFILE) and connect (--keylog) write the same five lines for a connection', async () => {
    const { code } = await runCli([...connectArgs(), '--keylog', file('client.keys'), '--crypto', 'node']);
    expect(code).toBe(0);
    const client = lines(file('client.keys'));
    expect(client.map((l) => l.split(' ')[0]).sort()).toEqual(['CLIENT_HANDSHAKE_TRAFFIC_SECRET', 'CLIENT_TRAFFIC_SECRET_0', 'EXPORTER_SECRET', 'SERVER_HANDSHAKE_TRAFFIC_SECRET', 'SERVER_TRAFFIC_SECRET_0']);
    const random = client[0]!.split(' ')[1]!;
    await waitFor(() => (existsSync(file('server.keys')) && lines(file('server.keys')).filter((l) => l.includes(random)).length === 5 ? true : undefined));
    expect(lines(file('server.keys')).filter((l) => l.includes(random)).sort()).toEqual([...client].sort());
  });

  it('makes connect honour SSLKEYLOGFILE, and --keylog win over it', async () => {
    expect((await runCli(connectArgs(), { SSLKEYLOGFILE: file('env.keys') })).code).toBe(0);
    expect(lines(file('env.keys'))).toHaveLength(5);
    expect((await runCli([...connectArgs(), '--keylog', file('flag.keys')], { SSLKEYLOGFILE: file('env.keys') })).code).toBe(0);
    expect(lines(file('env.keys'))).toHaveLength(5);
    expect(lines(file('flag.keys'))).toHaveLength(5);
  });
});

describe('--trace on connect and serve', () => {
  it('writes the client JSON lines to a file and keeps the summary and reply on stdout; serve traces its side', async () => {
    const { code, stdout } = await runCli([...connectArgs(), '--trace', `json=${file('client.jsonl')}`]);
    expect(code).toBe(0);
    expect(stdout).toContain('negotiated: TLSv1.3');
    expect(stdout).toContain('HTTP/1.1 200 OK');
    const client = jsonLines(readFileSync(file('client.jsonl'), 'utf8'));
    expect(client.every((e) => e.v === 1 && e.side === 'client')).toBe(true);
    expect(messageKinds(client).slice(0, 2)).toEqual(['out client_hello', 'in server_hello']);
    const server = await waitFor(() => {
      const events = existsSync(file('server.jsonl')) ? jsonLines(readFileSync(file('server.jsonl'), 'utf8')) : [];
      return messageKinds(events).includes('in finished') ? events : undefined;
    });
    expect(server.every((e) => e.side === 'server')).toBe(true);
    expect(messageKinds(server).slice(0, 2)).toEqual(['in client_hello', 'out server_hello']);
    // --no-secrets on serve: secret events carry no value.
    expect(server.some((e) => e.type === 'secret')).toBe(true);
    expect(readFileSync(file('server.jsonl'), 'utf8')).not.toMatch(/"secret":"[0-9a-f]{64}"/);
  });

  it('prints JSON lines alone on stdout with --trace json, the summary going to stderr', async () => {
    const { code, stdout, stderr } = await runCli([...connectArgs(), '--trace', 'json']);
    expect(code).toBe(0);
    expect(messageKinds(jsonLines(stdout))).toContain('in certificate_verify');
    expect(stderr).toContain('negotiated: TLSv1.3');
  });

  it('writes one HTML page per connection with --resume: FILE, then FILE-2', async () => {
    const { code } = await runCli([...connectArgs(), '--resume', '--trace', `html=${file('client.html')}`]);
    expect(code).toBe(0);
    for (const page of ['client.html', 'client-2.html']) {
      const html = readFileSync(file(page), 'utf8');
      expect(html).toMatch(/^<!DOCTYPE html>/);
      expect(html.trimEnd()).toMatch(/<\/html>$/);
    }
  });

  it('makes serve --trace html=FILE write FILE-1.html, FILE-2.html for successive connections', async () => {
    const paged = await startServe(['--cert', file('server.pem'), '--key', file('server.key'), '--trace', `html=${file('served.html')}`]);
    for (let i = 0; i < 2; i++) expect((await runCli(['connect', `127.0.0.1:${paged.port}`, '--pin-cert', file('server.pem')])).code).toBe(0);
    for (const page of ['served-1.html', 'served-2.html']) {
      const html = await waitFor(() => (existsSync(file(page)) && readFileSync(file(page), 'utf8').includes('</html>') ? readFileSync(file(page), 'utf8') : undefined));
      expect(html).toMatch(/^<!DOCTYPE html>/);
    }
    expect(await paged.stop()).toBe(0);
  });

  it('numbers trace files before their extension, and leaves stdout traces alone', () => {
    expect(numberedTraceFile('html=out.html', 2)).toBe('html=out-2.html');
    expect(numberedTraceFile('json=dir.d/trace', 3)).toBe('json=dir.d/trace-3');
    expect(numberedTraceFile('html', 2)).toBe('html');
  });
});

describe('--crypto', () => {
  it('selects node:crypto or noble, falling back to the command\'s default', () => {
    const parse = (argv: string[]) => parseCommandArgs(connectCommand, ['127.0.0.1:1', ...argv]);
    expect(cryptoProvider(parse(['--crypto', 'node']), 'noble')).toBe(nodeCryptoProvider);
    expect(cryptoProvider(parse(['--crypto', 'noble']), 'node')).toBe(nobleProvider);
    expect(cryptoProvider(parse([]), 'node')).toBe(nodeCryptoProvider);
    expect(cryptoProvider(parse([]), 'noble')).toBe(nobleProvider);
  });
});
