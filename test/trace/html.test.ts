import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { scratchDirectory } from '../../src/testing/interop.js';
import type { TlsEvent } from '../../src/handshake/events.js';
import { hex } from '../../src/wire/bytes.js';
import { escapeHtml, renderHtml, type SidedEvent } from '../../src/trace/html.js';
import { WALKTHROUGHS } from '../../src/trace/walkthrough.js';

const scratch = scratchDirectory('tls13-lab-html-');
const { dir } = scratch;
afterAll(scratch.remove);

function session(slug: string): SidedEvent[] {
  return WALKTHROUGHS.find((w) => w.slug === slug)!.run().pair.log;
}

type MessageEvent = Extract<TlsEvent, { type: 'handshake-message' }>;
const sentMessages = (log: SidedEvent[]) => log.map((e) => e.event).filter((e): e is MessageEvent => e.type === 'handshake-message' && e.direction === 'out');

/** The blocks of the page that show one handshake message each, in order. */
function messageBlocks(page: string): string[] {
  return page.split('<details class="msg"').slice(1);
}

describe('illustrated HTML page', () => {
  it('escapes every piece of text that came from the connection', () => {
    const hostile = '<script>alert("x")</script>&\'';
    const page = renderHtml(
      [
        { side: 'server', event: { type: 'decision', topic: 'alpn', value: hostile, reason: hostile } },
        { side: 'client', event: { type: 'data', data: new TextEncoder().encode(hostile) } },
        { side: 'client', event: { type: 'alert', direction: 'out', level: 'fatal', description: 'decode_error', reason: 'x', detail: hostile } },
      ],
      { title: hostile, description: [hostile] },
    );
    expect(page.match(/<script/g)).toHaveLength(1);
    expect(page).not.toContain('alert("x")');
    expect(page).toContain(escapeHtml(hostile));
    expect(escapeHtml(hostile)).toBe('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;');
  });

  it('is one self-contained file: nothing is loaded from anywhere', () => {
    const page = renderHtml(session('1-rtt'));
    expect(page).not.toMatch(/<link|<img|<iframe|\bsrc=|@import|url\(/i);
    expect(page).toContain("default-src 'none'");
  });

  it('shows every byte of every handshake message, each at its offset, in order', () => {
    const log = session('mutual-tls-pinned');
    const messages = sentMessages(log);
    const blocks = messageBlocks(renderHtml(log));
    expect(blocks).toHaveLength(messages.length);
    messages.forEach((message, m) => {
      const cells = [...blocks[m]!.matchAll(/<span data-i="(\d+)">([0-9a-f]{2})<\/span>/g)];
      expect(cells.map((c) => Number(c[1]))).toEqual(Array.from(message.raw, (_, i) => i));
      expect(cells.map((c) => c[2]).join('')).toBe(hex(message.raw));
    });
  });

  it('gives each field the byte range of its span (after the 4-byte header) with its path and meaning', () => {
    const log = session('1-rtt');
    const messages = sentMessages(log);
    const blocks = messageBlocks(renderHtml(log));
    messages.forEach((message, m) => {
      const ranges = new Set([...blocks[m]!.matchAll(/data-s="(\d+)" data-e="(\d+)"/g)].map((r) => `${r[1]}-${r[2]}`));
      expect(ranges.has('0-4')).toBe(true);
      for (const span of message.spans!) {
        expect(ranges.has(`${span.offset + 4}-${span.offset + 4 + span.length}`)).toBe(true);
        expect(blocks[m]).toContain(`title="${escapeHtml(span.path)}"`);
        if (span.meaning !== undefined) expect(blocks[m]).toContain(escapeHtml(span.meaning));
      }
    });
  });

  it('lists decisions, each secret once, and the alert of a failed handshake', () => {
    const log = session('stolen-certificate');
    const page = renderHtml(log);
    const secretNames = new Set(log.flatMap((e) => (e.event.type === 'secret' ? [e.event.name] : [])));
    const table = page.slice(page.indexOf('<h2>Secrets</h2>'), page.indexOf('<h2>Alerts</h2>'));
    for (const name of secretNames) expect(table.split(`<td>${name}</td>`)).toHaveLength(2);
    expect(page.slice(page.indexOf('<h2>Alerts</h2>'))).toContain('<b>decrypt_error</b>');
    expect(page.slice(page.indexOf('<h2>Decisions</h2>'))).toContain('<b>cipher_suite</b>');
  });

  it('shows secret values only when asked, and their names always', () => {
    const log = session('1-rtt');
    const hidden = renderHtml(log);
    const shown = renderHtml(log, { secrets: true });
    for (const { event } of log) {
      if (event.type !== 'secret') continue;
      expect(hidden).not.toContain(hex(event.secret));
      expect(shown).toContain(hex(event.secret));
    }
    expect(hidden).toContain('client_handshake_traffic_secret');
  });
});

/**
 * Headless Chromium loads the page with a probe script appended: it hovers a field, a byte, and clicks,
 * and writes what lit up into the DOM, which --dump-dom prints. Console errors go to stderr.
 */
describe('illustrated HTML page in headless Chromium', () => {
  const chromium = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));

  it('runs its script without console errors, and field and byte highlighting work', (test) => {
    if (!chromium) {
      console.warn('SKIPPED: chromium not installed (this test is optional, also in CI)');
      return test.skip('chromium not installed');
    }
    const log = session('1-rtt');
    const probe = `<script>
      const msg = document.querySelector('details.msg');
      const field = [...msg.querySelectorAll('li.f')].find((f) => f.dataset.s === '4');
      field.querySelector('.row').dispatchEvent(new MouseEvent('mouseover', { bubbles: true }));
      const lit = [...msg.querySelectorAll('.hex .hl')].map((b) => b.dataset.i).join(',');
      msg.querySelector('[data-i="10"]').dispatchEvent(new MouseEvent('click', { bubbles: true }));
      const picked = msg.querySelector('.row.hl').parentElement;
      document.body.dataset.probe = JSON.stringify({ ready: document.body.dataset.ready, lit, picked: [picked.dataset.s, picked.dataset.e], pinned: msg.classList.contains('pinned') });
    </script>`;
    const page = renderHtml(log).replace('</body>', `${probe}</body>`);
    const file = join(dir, 'page.html');
    writeFileSync(file, page);
    const result = execFileSync(
      chromium,
      ['--headless', '--no-sandbox', '--disable-gpu', '--enable-logging=stderr', '--v=0', '--dump-dom', `file://${file}`],
      { encoding: 'utf8', timeout: 60_000, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const probed = JSON.parse(/data-probe="([^"]*)"/.exec(result)![1]!.replace(/&quot;/g, '"'));
    // ClientHello: the first field after the header is legacy_version, bytes 4 and 5.
    const firstSpan = sentMessages(log)[0]!.spans!.filter((s) => s.offset === 0).sort((a, b) => b.length - a.length)[0]!;
    expect(probed.ready).toBe('true');
    expect(probed.lit).toBe(Array.from({ length: firstSpan.length }, (_, i) => 4 + i).join(','));
    // Byte 10 lies in the client random (bytes 6..37 of the message): its innermost field is the random.
    expect(probed.picked).toEqual(['6', '38']);
    expect(probed.pinned).toBe(true);
  });

  it('logs no console errors while loading the page', (test) => {
    if (!chromium) {
      console.warn('SKIPPED: chromium not installed (this test is optional, also in CI)');
      return test.skip('chromium not installed');
    }
    const file = join(dir, 'plain.html');
    writeFileSync(file, renderHtml(session('mutual-tls-pinned')));
    let stderr = '';
    try {
      execFileSync(chromium, ['--headless', '--no-sandbox', '--disable-gpu', '--enable-logging=stderr', '--v=0', '--dump-dom', `file://${file}`], {
        encoding: 'utf8',
        timeout: 60_000,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    } catch (e) {
      stderr = String((e as { stderr?: string }).stderr ?? e);
    }
    expect(stderr).not.toMatch(/CONSOLE|Uncaught|Refused to/);
  });
});
