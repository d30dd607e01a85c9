// The illustrated page in headless Chromium (driven by playwright-core, which downloads no browser): at
// 1280 px the page never scrolls sideways, secrets table included, and the header says whether the
// handshake failed. Screenshots go to reports/html-pages/ (gitignored) for a human to look at.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { launchChromium, type Chromium } from '../../src/testing/browser.js';
import { renderHtml, type SidedEvent } from '../../src/trace/html.js';
import { WALKTHROUGHS } from '../../src/trace/walkthrough.js';

const artifacts = fileURLToPath(new URL('../../reports/html-pages/', import.meta.url));
let chromium: Chromium | undefined;

/** One headless Chromium for the file (src/testing/browser.ts), launched by the first test that needs it. */
async function browser(test: { skip: (note?: string) => never }): Promise<Chromium> {
  if (!chromium) {
    chromium = await launchChromium(test);
    mkdirSync(artifacts, { recursive: true });
  }
  return chromium;
}

afterAll(async () => chromium?.close());

function session(slug: string): SidedEvent[] {
  return WALKTHROUGHS.find((w) => w.slug === slug)!.run().pair.log;
}

/** Loads the page at 1280 × 800 and reports its widths and header; writes a full-page screenshot. */
async function look(test: { skip: (note?: string) => never }, html: string, name: string) {
  const page = await (await browser(test)).context.newPage();
  try {
    await page.setContent(html, { waitUntil: 'load' });
    await page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: true });
    // A string, evaluated in the page: this project's TypeScript has no DOM types.
    return (await page.evaluate(`({
      scrollWidth: document.documentElement.scrollWidth,
      clientWidth: document.documentElement.clientWidth,
      // Any card whose content is wider than the card: the secrets table is the usual suspect.
      overflowing: [...document.querySelectorAll('aside section, details.msg')]
        .filter((el) => el.scrollWidth > el.clientWidth + 1)
        .map((el) => (el.querySelector('h2, .heading') || el).textContent),
      headerClass: document.querySelector('header').className,
      status: document.querySelector('header .status').textContent,
      headerColor: getComputedStyle(document.querySelector('header')).backgroundColor,
    })`)) as { scrollWidth: number; clientWidth: number; overflowing: string[]; headerClass: string; status: string; headerColor: string };
  } finally {
    await page.close();
  }
}

describe('illustrated HTML page at 1280 px in headless Chromium', () => {
  it('a successful handshake with every secret shown: no horizontal scrolling, a header that says it worked', async (test) => {
    const seen = await look(test, renderHtml(session('mutual-tls-pinned'), { secrets: true, title: 'mutual TLS' }), 'success-with-secrets');
    expect(seen.overflowing).toEqual([]);
    expect(seen.scrollWidth).toBeLessThanOrEqual(seen.clientWidth);
    expect(seen.headerClass).toBe('ok');
    expect(seen.status).toBe('✓ Handshake complete');
  }, 60_000);

  it('a failed handshake: the header says failed, with the alert, in another colour', async (test) => {
    const ok = await look(test, renderHtml(session('1-rtt')), 'success');
    const failed = await look(test, renderHtml(session('stolen-certificate'), { secrets: true }), 'failed');
    expect(failed.headerClass).toBe('failed');
    expect(failed.status).toMatch(/^✗ Failed: the server sent a fatal decrypt_error alert/);
    expect(failed.headerColor).not.toBe(ok.headerColor);
    expect(failed.scrollWidth).toBeLessThanOrEqual(failed.clientWidth);
  }, 60_000);
});
