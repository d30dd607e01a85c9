// Attacker's scripts: a client chooses the bytes of its ALPN protocol names (RFC 7301: opaque, 1..255 bytes),
// its PSK identities and its server_name; `tls13 serve` logs a refused client's failure on stderr, a
// terminal or a CI log. A client that offered only an ALPN name with ESC sequences in it, to a server with
// --alpn, had the names written raw in "we sent no_application_protocol (client offered ...)": it drove the
// operator's terminal (ESC[2J, OSC titles) and, with a line feed, forged a log line. Every failure line
// `serve` and `connect` print now escapes control characters as name-injection.test.ts's names are.
import { describe, expect, it } from 'vitest';
import { connect, createServer, TlsAlertError } from '../../src/node/adapter.js';
import { listen, serverCertificates } from '../node/fixtures.js';
import { describeFailure } from '../../src/cli/failure.js';
import { serveCertificateDir, startServe, waitFor } from '../cli/helpers.js';

const FORGED = 'h2\n127.0.0.1:9: client CN=admin\x1b[2J\x1b]0;pwned\x07\x9b';
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/;

const { file } = serveCertificateDir('tls13-peer-text-');

describe("a client's ALPN names in the engine's error", () => {
  it('are escaped in the message of the alert the server sent (what any node application logs)', async () => {
    const server = createServer({ certificate: serverCertificates['ECDSA P-256'], ALPNProtocols: ['http/1.1'] });
    const refused = new Promise<Error>((resolve) => server.once('tlsClientError', resolve));
    const port = await listen(server);
    try {
      const client = connect({ host: '127.0.0.1', port, servername: 'localhost', rejectUnauthorized: false, ALPNProtocols: [FORGED] });
      client.on('error', () => {});
      const error = await refused;
      client.destroy();
      expect(error).toBeInstanceOf(TlsAlertError);
      expect(error.message).toMatch(/no_application_protocol.*client offered h2\\u000a127\.0\.0\.1:9: client CN=admin\\u001b\[2J/);
      expect(error.message).not.toMatch(CONTROL);
    } finally {
      server.close();
    }
  });
});

describe("a client's text in `tls13 serve`'s log", () => {
  it('an ALPN name with control characters, refused: one line, the characters escaped', async () => {
    const server = await startServe(['--cert', file('server.pem'), '--key', file('server.key'), '--alpn', 'http/1.1']);
    try {
      const client = connect({ host: '127.0.0.1', port: server.port, servername: 'localhost', rejectUnauthorized: false, ALPNProtocols: [FORGED] });
      client.on('error', () => {});
      await waitFor(() => (server.stderr.text.includes('\n') ? true : undefined));
      client.destroy();
    } finally {
      await server.stop();
    }
    const lines = server.stderr.text.split('\n').filter(Boolean);
    expect(lines).toEqual([expect.stringMatching(/^127\.0\.0\.1:\d+: handshake failed: we sent no_application_protocol \(client offered h2.*; we speak http\/1\.1\)$/)]);
    expect(server.stderr.text).not.toMatch(CONTROL);
  }, 20_000);
});

describe('every failure line of `serve` and `connect` (describeFailure)', () => {
  it('escapes the control characters of any message, whichever part of the engine or node quoted the peer', () => {
    const errors = [new TlsAlertError('bad_certificate', 'sent', 'BadCertificate', `name ${FORGED}`), new Error(`transport: ${FORGED}`)];
    for (const error of errors) {
      const line = describeFailure(error, 'client');
      expect(line).toContain('\\u001b[2J');
      expect(line).not.toMatch(CONTROL);
    }
  });
});
