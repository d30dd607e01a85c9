// Attacker: a server whose certificate's subjectAltName carries control characters (IA5String allows
// 0x00-0x1f and 0x7f): `tls13 connect --show-certs` prints every name of the chain it was sent, trusted or
// not, so a line feed or an escape sequence there would forge lines or drive the user's terminal.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { describeChain } from '../../src/cli/show-certs.js';
import { provider } from '../auth/helpers.js';
import { ca, leaf } from './path-helpers.js';
import { runCli, startServe, waitFor } from '../cli/helpers.js';

const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/;
const FORGED = 'x\n      subject      CN=bank\x1b[2J\x07';

describe('show-certs prints a peer certificate\'s names escaped', () => {
  it('a subjectAltName URI, rfc822Name or dNSName with a line feed, ESC or BEL: one line each, no control character', () => {
    const int = ca();
    const sneaky = leaf(int, { dns: [`a${FORGED}.example`], uri: [`https://a.example/${FORGED}`], email: [`a${FORGED}@example.com`] });
    const lines = describeChain([sneaky.der, int.der], provider);
    const text = lines.join('\n');
    expect(text).not.toMatch(CONTROL);
    expect(text.split('\n').filter((line) => /^ {6}subject {6}CN=bank/.test(line))).toHaveLength(0);
  });
});

describe("the peer's subjectAltName in connect's summary and serve's log", () => {
  const FORGED_URI = 'https://a.example/x\n127.0.0.1:9: client CN=admin\x1b[2J';
  const dir = mkdtempSync(join(tmpdir(), 'tls13-san-injection-'));
  const file = (name: string) => join(dir, name);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a URI with a line feed and ESC, in a pinned server certificate and in a client certificate serve accepts: escaped', async () => {
    const cert = (name: string, ...flags: string[]) => runCli(['cert', '--out-cert', file(`${name}.pem`), '--out-key', file(`${name}.key`), '--type', 'p256', ...flags]);
    expect((await cert('server', '--dns', 'localhost', '--uri', FORGED_URI)).code).toBe(0);
    expect((await cert('client', '--cn', 'client', '--eku', 'clientAuth', '--uri', FORGED_URI)).code).toBe(0);
    const server = await startServe(['--cert', file('server.pem'), '--key', file('server.key'), '--pin-client-cert', file('client.pem')]);
    try {
      const client = await runCli(['connect', `127.0.0.1:${server.port}`, '--servername', 'localhost', '--pin-cert', file('server.pem'), '--cert', file('client.pem'), '--key', file('client.key')]);
      expect(client.code).toBe(0);
      const summary = client.stdout.split('\n\n')[0]!;
      // As the subject shows its names (RFC 4514 octets), a space as \20: one name of a list never reads as two.
      expect(summary).toContain('https://a.example/x\\0a127.0.0.1:9:\\20client\\20CN=admin\\1b[2J');
      expect(summary).not.toMatch(CONTROL);
      await waitFor(() => (/client CN=client/.test(server.stdout.text) ? true : undefined));
    } finally {
      await server.stop();
    }
    expect(server.stdout.text).not.toMatch(CONTROL);
    expect(server.stdout.text.split('\n').filter((line) => line.startsWith('127.0.0.1:9:'))).toHaveLength(0);
  }, 30_000);
});
