// Attacker: whoever may write the directory where `tls13 serve --trace html=FILE` puts one page per
// connection (FILE-1.html, FILE-2.html, ... opened as each connection is accepted, written when it closes).
// A name that cannot be opened or written when its connection comes (a symbolic link planted there, which
// openOutputFile refuses; a directory; a full disk) threw out of the server's event handler: an uncaught
// exception that ended `tls13 serve` for every client. That connection's page is now left out, with one
// line on stderr, and the server goes on serving.
import { chmodSync, mkdirSync, readdirSync, readFileSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCli, serveCertificateDir, startServe, waitFor } from '../cli/helpers.js';

const { dir, file } = serveCertificateDir('tls13-serve-pages-');

const connect = (port: number) => runCli(['connect', `127.0.0.1:${port}`, '--servername', 'localhost', '--pin-cert', file('server.pem')]);

describe('serve --trace html: a page that cannot be written', () => {
  it('a symbolic link planted at the next page and a directory at the one after: those pages left out, the server serves on', async () => {
    writeFileSync(file('precious'), 'precious\n');
    symlinkSync(file('precious'), file('page-1.html'));
    mkdirSync(file('page-2.html'));
    const server = await startServe(['--cert', file('server.pem'), '--key', file('server.key'), '--trace', `html=${file('page.html')}`]);
    try {
      for (let i = 0; i < 3; i++) expect((await connect(server.port)).code).toBe(0);
      // The page is written when its connection closes on the server's side.
      await waitFor(() => (readdirSync(dir).includes('page-3.html') && readFileSync(file('page-3.html'), 'utf8').length > 0 ? true : undefined));
      expect(readFileSync(file('page-3.html'), 'utf8')).toMatch(/<html/i);
      expect(readFileSync(file('precious'), 'utf8')).toBe('precious\n');
      expect(server.stderr.text).toMatch(/--trace .*page-1\.html: .*symbolic link.*no page for this connection/);
      expect(server.stderr.text).toMatch(/--trace .*page-2\.html: .*no page for this connection/);
      expect(server.stderr.text.trim().split('\n')).toHaveLength(2);
    } finally {
      expect(await server.stop()).toBe(0);
    }
  }, 30_000);

  it('serve --trace json=FILE with another file swapped in under the name: no secret in it, one line on stderr, the server serves on', async () => {
    const server = await startServe(['--cert', file('server.pem'), '--key', file('server.key'), '--trace', `json=${file('trace.json')}`]);
    try {
      writeFileSync(file('attacker.json'), '');
      chmodSync(file('attacker.json'), 0o666);
      renameSync(file('attacker.json'), file('trace.json'));
      for (let i = 0; i < 2; i++) expect((await connect(server.port)).code).toBe(0);
      expect(readFileSync(file('trace.json'), 'utf8')).toBe('');
      expect(server.stderr.text).toMatch(/^tls13: --trace .*trace\.json: was replaced by another file since it was opened; no more trace lines\n$/);
    } finally {
      expect(await server.stop()).toBe(0);
    }
  }, 30_000);
});

