// Attacker's scripts against `tls13 serve`'s HTTP replies: a client writes request lines and headers meant to
// come back in the reply: CR LF (raw, or percent-encoded) to add a header of its own (Set-Cookie), markup for a
// browser to run, paths that climb out of a directory (`..`, `%2e%2e`, NUL) in case a route read files, an
// oversized head. Every reply's head is the same fixed lines whatever was asked, and its body quotes nothing
// of the request: no route reads a file (serve-routes.ts matches three paths and answers with the status
// page). The page is plain text, and says so with X-Content-Type-Options: nosniff (added this round: the
// page quotes the client's own certificate names, in which a SAN URI may hold markup, and a browser that
// sniffed would have run it).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { connect } from '../../src/node/adapter.js';
import { serveCertificateDir, startServe } from '../cli/helpers.js';

const { file } = serveCertificateDir('tls13-serve-replies-');

const REQUESTS = [
  'GET /\r\nSet-Cookie: session=attacker HTTP/1.1\r\n\r\n',
  'GET /x%0d%0aSet-Cookie:%20session=attacker HTTP/1.1\r\nHost: localhost\r\n\r\n',
  'GET /<script>window.pwned=1</script> HTTP/1.1\r\nHost: <script>window.pwned=1</script>\r\nUser-Agent: "><img src=x onerror=window.pwned=1>\r\n\r\n',
  'GET /../../../../../../etc/passwd HTTP/1.1\r\n\r\n',
  'GET /%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd HTTP/1.1\r\n\r\n',
  'GET /secret\0/../../etc/passwd HTTP/1.1\r\n\r\n',
  `GET /${'A'.repeat(20_000)} HTTP/1.1\r\n`,
];
/** What no reply may hold: any text of the requests above. */
const ECHOED = /session=attacker|script|onerror|passwd|root:|\.\.|%2e|AAAA/i;

/** The whole reply to one request, as the client read it. */
async function ask(port: number, request: string): Promise<string> {
  const client = connect({ host: '127.0.0.1', port, servername: 'localhost', ca: readFileSync(file('server.pem'), 'utf8') });
  client.on('secureConnect', () => client.write(request));
  let reply = '';
  client.on('data', (chunk: Buffer) => (reply += chunk.toString('latin1')));
  await new Promise<void>((resolve) => client.on('close', () => resolve()));
  return reply;
}

describe("`tls13 serve`: a client's request never comes back in the reply", () => {
  it('fixed header lines, a text/plain page with nosniff, nothing of the request in head or body', async () => {
    const server = await startServe(['--cert', file('server.pem'), '--key', file('server.key')]);
    try {
      for (const request of REQUESTS) {
        const reply = await ask(server.port, request);
        const [head, body] = [reply.slice(0, reply.indexOf('\r\n\r\n')), reply.slice(reply.indexOf('\r\n\r\n') + 4)];
        const lines = head.split('\r\n');
        expect(lines[0]).toMatch(/^HTTP\/1\.1 (200 OK|431 Request Header Fields Too Large)$/);
        expect(lines.slice(1)).toEqual(['Content-Type: text/plain; charset=utf-8', 'X-Content-Type-Options: nosniff', `Content-Length: ${Buffer.byteLength(body, 'latin1')}`, 'Connection: close']);
        expect(reply).not.toMatch(ECHOED);
      }
    } finally {
      await server.stop();
    }
  }, 60_000);
});
