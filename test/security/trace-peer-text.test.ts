// Attacker's scripts: a client chooses the bytes of its ALPN names (RFC 7301 §3.1: opaque, 1..255 bytes) and
// of its application data (an HTTP request head); `tls13 serve --trace text` and `--trace json` write them to
// standard output, the operator's terminal or a log. The text trace printed an ALPN name raw beside its hex
// bytes: a line feed forged the line `127.0.0.1:9: client CN=admin` in serve's output, ESC[2J cleared the
// operator's screen and an OSC sequence set its title. The application data was shown as a JSON string, which
// escapes C0 but leaves C1 controls (U+009B is CSI on an 8-bit terminal), the Unicode line separators and the
// bidi overrides raw; the JSON lines kept the ALPN name's C1 characters raw the same way. Every text the trace
// quotes is now written with those characters as \uXXXX (wire/show-value.ts escapeControls), which JSON reads
// back as the same string.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { connect } from '../../src/node/adapter.js';
import type { TlsEvent } from '../../src/handshake/events.js';
import { jsonTraceLine } from '../../src/trace/json.js';
import { TextNarrator } from '../../src/trace/text.js';
import { serveCertificateDir, startServe, waitFor } from '../cli/helpers.js';

const FORGED = 'h2\n127.0.0.1:9: client CN=admin\x1b[2J\x1b]0;pwned\x07\x9b';
/** An HTTP request head whose path holds C1 CSI, a line separator, a right-to-left override and a zero-width space. */
const REQUEST = 'GET /\u009b2J\u2028127.0.0.1:9: client CN=admin\u202enimda\u200b HTTP/1.1\r\n\r\n';
/** What may not reach a terminal raw: C0 but the line feed, DEL, C1, line separators, bidi and invisible formats. */
const UNSEEN = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069\ufeff]|\udb40[\udc01\udc20-\udc7f]/;

const { file } = serveCertificateDir('tls13-trace-peer-text-');

/** `tls13 serve --trace FORMAT` to stdout, one hostile client's connection; returns what serve printed. */
async function serveTrace(format: 'text' | 'json'): Promise<string> {
  const server = await startServe(['--cert', file('server.pem'), '--key', file('server.key'), '--alpn', 'http/1.1', '--trace', format, '--keylog', file(`${format}.keylog`)]);
  try {
    const client = connect({ host: '127.0.0.1', port: server.port, servername: 'localhost', rejectUnauthorized: false, ALPNProtocols: [FORGED, 'http/1.1'] });
    client.on('error', () => {});
    client.on('secureConnect', () => client.write(REQUEST));
    const reply = new Promise<void>((resolve) => client.once('data', () => resolve()));
    await reply;
    client.destroy();
    await waitFor(() => (server.stdout.text.includes(format === 'text' ? 'application data' : '"type":"data"') ? true : undefined));
  } finally {
    await server.stop();
  }
  return server.stdout.text;
}

describe('`tls13 serve --trace text`: a client chooses what the operator sees', () => {
  it('an ALPN name and a request head with controls: no forged line, nothing the terminal acts on, each shown escaped', async () => {
    const out = await serveTrace('text');
    expect(out).not.toMatch(UNSEEN);
    expect(out.split('\n').filter((line) => line.startsWith('127.0.0.1:9:'))).toEqual([]);
    // The ALPN name is still there, on its span's line, beside its bytes.
    expect(out).toMatch(/protocol_name_list\[0\] = h2\\u000a127\.0\.0\.1:9: client CN=admin\\u001b\[2J\\u001b\]0;pwned\\u0007\\u009b$/m);
    expect(out).toContain('"GET /\\u009b2J\\u2028127.0.0.1:9: client CN=admin\\u202enimda\\u200b HTTP/1.1\\r\\n\\r\\n"');
    // The key log of the same connection holds our labels and hex only (the client random is the client's).
    const keylog = readFileSync(file('text.keylog'), 'utf8').split('\n').filter(Boolean);
    expect(keylog.length).toBe(5);
    for (const line of keylog) {
      expect(line).toMatch(/^(CLIENT_HANDSHAKE_TRAFFIC_SECRET|SERVER_HANDSHAKE_TRAFFIC_SECRET|CLIENT_TRAFFIC_SECRET_0|SERVER_TRAFFIC_SECRET_0|EXPORTER_SECRET) [0-9a-f]{64} ([0-9a-f]{64}|[0-9a-f]{96})$/);
    }
  }, 30_000);
});

describe('`tls13 serve --trace json`: the same client', () => {
  it('every line is JSON with none of those characters raw, and reads back as the bytes the client sent', async () => {
    const lines = (await serveTrace('json')).split('\n').filter((line) => line.startsWith('{'));
    expect(lines.length).toBeGreaterThan(10);
    for (const line of lines) expect(line).not.toMatch(UNSEEN);
    const events = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    const hello = events.find((e) => e['type'] === 'handshake-message' && (e['message'] as { kind: string }).kind === 'client_hello')!;
    const names = (hello['spans'] as Array<{ path: string; value?: unknown }>).filter((s) => /protocol_name_list\[\d\]$/.test(s.path)).map((s) => s.value);
    expect(names).toEqual([FORGED, 'http/1.1']);
  }, 30_000);
});

describe('the text narrator: each text an event carries from a peer', () => {
  // A hostile server's text reaches `tls13 connect --trace text` through these fields: an alert's detail
  // quoting what the server sent, a decision's value and reason, an error a connection closed with.
  const events: TlsEvent[] = [
    { type: 'alert', direction: 'out', level: 'fatal', description: 'illegal_parameter', reason: 'IllegalParameter', detail: `server ALPN answer ${JSON.stringify([FORGED])}` },
    { type: 'decision', topic: 'ocsp', value: `good${FORGED}`, reason: `responder said ${FORGED}\u202e` },
    { type: 'closed', by: 'us', error: `bad record: ${FORGED}\u2029` },
    { type: 'data', data: new TextEncoder().encode(REQUEST) },
    { type: 'decision-needed', decision: { kind: 'verify-peer', chain: [], rawPublicKey: false, suggestion: { trusted: false, rule: 'ca', detail: `name ${FORGED}` } } },
  ];
  for (const event of events) {
    it(`${event.type}: escaped, with and without colours`, () => {
      for (const color of [false, true]) {
        const lines = new TextNarrator({ color }).render('client', event);
        expect(lines.length).toBeGreaterThan(0);
        // Our own colours are the only escape sequences: ESC [ digits m.
        const text = lines.join('\n').replace(/\x1b\[\d+m/g, '');
        expect(text).not.toMatch(UNSEEN);
        expect(text).toMatch(/\\u00(1b|9b)|\\u202e/);
      }
    });
  }

  it('jsonTraceLine: the same texts, valid JSON with the same strings', () => {
    for (const event of events) {
      const line = jsonTraceLine('client', event, { secrets: true });
      expect(line).not.toMatch(UNSEEN);
      expect(JSON.parse(line)).toEqual(JSON.parse(JSON.stringify({ v: 1, side: 'client', ...event }, (_k, v: unknown) => (v instanceof Uint8Array ? Buffer.from(v).toString('hex') : v))));
    }
  });
});
