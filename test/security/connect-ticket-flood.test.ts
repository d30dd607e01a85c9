// Attacker's script against `tls13 connect --sess-out`: the server decides how many NewSessionTickets it
// sends (RFC 8446 §4.6.1 sets no number), each a few dozen bytes. connect kept every ticket for the whole
// connection and rewrote the session file for each one (open, chmod, the server's whole chain base64-encoded
// as JSON, write, close): memory without bound, and kilobytes of work per 50 bytes from the network. It needs
// the newest ticket only (the one --sess-out saves and --resume uses): kept alone, written once.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { createServer } from '../../src/node/adapter.js';
import { certPem, listen, serverCertificates, ca } from '../node/fixtures.js';
import { runCli } from '../cli/helpers.js';

const opened = vi.hoisted(() => [] as string[]);
vi.mock('node:fs', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs')>();
  const openSync = ((path: fs.PathLike, ...rest: unknown[]) => (opened.push(String(path)), (actual.openSync as (...a: unknown[]) => number)(path, ...rest))) as typeof actual.openSync;
  return { ...actual, openSync, default: { ...actual, openSync } };
});

const dir = mkdtempSync(join(tmpdir(), 'tls13-ticket-flood-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a server that sends many session tickets to tls13 connect --sess-out', () => {
  it('the session file is written once, with the newest ticket', async () => {
    writeFileSync(join(dir, 'ca.pem'), certPem(ca));
    const server = createServer({ certificate: serverCertificates['ECDSA P-256'], tickets: { count: 255 } }, (socket) => socket.end('hello\n'));
    const port = await listen(server);
    try {
      const sessionFile = join(dir, 'session.json');
      const { code, stderr } = await runCli(['connect', `localhost:${port}`, '--ca', join(dir, 'ca.pem'), '--send', 'hi', '--sess-out', sessionFile]);
      expect(stderr).toBe('');
      expect(code).toBe(0);
      expect(opened.filter((path) => path === sessionFile)).toHaveLength(1);
      expect(JSON.parse(readFileSync(sessionFile, 'utf8'))).toMatchObject({ format: 'tls13-lab session', serverName: 'localhost' });
    } finally {
      server.close();
    }
  });
});
