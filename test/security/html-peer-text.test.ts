// Attacker's scripts against the HTML pages: a client of `tls13 serve --trace html=FILE` chooses its ALPN names
// (any bytes), its request, and the names in its certificate (a CN, SAN URIs such as `javascript:`), and the
// operator opens the page the server wrote in a browser. Each text is written to break out of where the page
// puts it: out of an element (`<img onerror>`), out of a quoted or unquoted attribute, out of the page's one
// <script> block (`</script>`), into a comment. The page is loaded in headless Chromium and checked as a
// browser parsed it: no script ran, no element or attribute came from the peer, and each text is there, as
// text. Found to hold (trace/html.ts escapeHtml on every text); these tests keep it so.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../../src/node/adapter.js';
import { launchChromium, type Chromium } from '../../src/testing/browser.js';
import { runCli, startServe, waitFor } from '../cli/helpers.js';

/** Texts that, unescaped, set window.pwned wherever the page puts them. */
const BREAKOUTS = [
  '</script><script>window.pwned=1</script>',
  '"><img src=x onerror=window.pwned=1>',
  "'><svg onload=window.pwned=1>",
  ' onmouseover=window.pwned=1 x=',
  '--><img src=x onerror=window.pwned=1>',
];
const CN = '<img src=x onerror=window.pwned=1></script><script>window.pwned=1</script>';
const URI = 'javascript:window.pwned=1//"><img src=x onerror=window.pwned=1>';
const REQUEST = `GET /${BREAKOUTS.join('')} HTTP/1.1\r\nHost: <script>window.pwned=1</script>\r\n\r\n`;

const dir = mkdtempSync(join(tmpdir(), 'tls13-html-peer-text-'));
const file = (name: string) => join(dir, name);
let chromium: Chromium | undefined;
beforeAll(async () => {
  const cert = (name: string, ...flags: string[]) => runCli(['cert', '--out-cert', file(`${name}.pem`), '--out-key', file(`${name}.key`), '--type', 'p256', ...flags]);
  await cert('server', '--dns', 'localhost');
  await cert('ca', '--cn', 'Client CA', '--ca');
  const hostile = ['--cn', CN, '--uri', URI, '--eku', 'clientAuth'];
  await cert('mallory', ...hostile, '--issuer-cert', file('ca.pem'), '--issuer-key', file('ca.key'));
  await cert('stranger', ...hostile);
}, 30_000);
afterAll(async () => {
  await chromium?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** One connection to serve: the client's certificate `name`, hostile ALPN names and request. */
async function hostileClient(port: number, name: string): Promise<void> {
  const client = connect({
    host: '127.0.0.1',
    port,
    servername: 'localhost',
    rejectUnauthorized: false,
    ALPNProtocols: [...BREAKOUTS, 'http/1.1'],
    cert: readFileSync(file(`${name}.pem`)),
    key: readFileSync(file(`${name}.key`)),
  });
  client.on('secureConnect', () => client.write(REQUEST));
  await new Promise<void>((resolve) => {
    client.on('error', () => resolve());
    client.on('close', () => resolve());
    client.on('data', () => client.end());
  });
}

interface Parsed {
  pwned: unknown;
  scripts: number;
  elements: string[];
  handlers: string[];
  links: number;
  title: string;
  text: string;
}

/** The page as Chromium parsed and ran it. */
async function parse(test: { skip: (note?: string) => never }, html: string): Promise<Parsed> {
  chromium ??= await launchChromium(test);
  const page = await chromium.context.newPage();
  try {
    await page.setContent(html, { waitUntil: 'load' });
    // A string, evaluated in the page: this project's TypeScript has no DOM types.
    return (await page.evaluate(`({
      pwned: window.pwned,
      scripts: document.scripts.length,
      elements: [...new Set([...document.querySelectorAll('*')].map((e) => e.localName))].sort(),
      handlers: [...document.querySelectorAll('*')].flatMap((e) => [...e.attributes].map((a) => a.name).filter((n) => n.startsWith('on'))),
      links: document.querySelectorAll('[href], [src], [action], [formaction]').length,
      title: document.title,
      text: document.body.textContent,
    })`)) as Parsed;
  } finally {
    await page.close();
  }
}

/** The elements our renderer writes (trace/html.ts), nothing else. */
const OURS = ['aside', 'b', 'body', 'code', 'details', 'div', 'h1', 'h2', 'head', 'header', 'html', 'i', 'li', 'main', 'meta', 'ol', 'p', 'script', 'section', 'span', 'style', 'summary', 'table', 'tbody', 'td', 'title', 'tr', 'ul'];

describe('`tls13 serve --trace html`: pages of hostile clients, parsed by Chromium', () => {
  it('a trusted client and a refused one: no script of theirs ran, no element or attribute of theirs, their texts shown as text', async (test) => {
    const server = await startServe(['--cert', file('server.pem'), '--key', file('server.key'), '--alpn', 'http/1.1', '--client-ca', file('ca.pem'), '--trace', `html=${file('page.html')}`]);
    try {
      await hostileClient(server.port, 'mallory');
      await hostileClient(server.port, 'stranger');
      await waitFor(() => (['page-1.html', 'page-2.html'].every((p) => readFileSync(file(p), { encoding: 'utf8', flag: 'a+' }).includes('</html>')) ? true : undefined));
    } finally {
      await server.stop();
    }
    const trusted = await parse(test, readFileSync(file('page-1.html'), 'utf8'));
    const refused = await parse(test, readFileSync(file('page-2.html'), 'utf8'));
    for (const page of [trusted, refused]) {
      expect(page.pwned).toBeUndefined();
      expect(page.scripts).toBe(1);
      expect(page.handlers).toEqual([]);
      expect(page.links).toBe(0);
      expect(page.title).toBe('tls13 serve');
      expect(page.elements.filter((e) => !OURS.includes(e))).toEqual([]);
      // The ALPN names are in the ClientHello's field tree, as the client wrote them.
      for (const text of BREAKOUTS) expect(page.text).toContain(text);
    }
    // The request, as the server received it (the page quotes application data as a JSON string).
    expect(trusted.text).toContain(JSON.stringify(REQUEST));
    // The refused client's names, in the alert the server sent (RFC 4514 text escapes < and > with a backslash).
    expect(refused.text).toContain('CN=\\<img src=x onerror=window.pwned=1\\>\\</script\\>');
  }, 60_000);
});
