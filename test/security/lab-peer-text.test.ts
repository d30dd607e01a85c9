// Attacker's scripts against the lab (docs/lab.html, whose script puts every panel in place with innerHTML):
// a learner opens a link someone sent (the permalink fragment: scenario, seed, options, tampering) and pastes a
// certificate someone handed out, whose CN and SAN URI are written to break out of an element, an attribute or
// a <script> block. The page, stepped from the first step to the last in headless Chromium, and the HTML trace
// it offers for download, are checked as the browser parsed them: no script of the attacker's ran, no element
// or event-handler attribute came from their text. Found to hold: lab/view.ts and trace/html.ts escape every
// text (escapeHtml), the browser script sets the seed and errors as values and text (browser/main.ts).
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { encodePkcs8 } from '../../src/auth/keys.js';
import { toPem } from '../../src/auth/pem.js';
import { seededRandom } from '../../src/crypto/random.js';
import { CUSTOM, defaultCustomOptions } from '../../src/lab/options.js';
import { runLab } from '../../src/lab/run.js';
import { htmlDownload, permalinkFragment } from '../../src/lab/takeaway.js';
import { launchChromium, type Chromium } from '../../src/testing/browser.js';
import { makeIdentity } from '../../src/testing/certs.js';

const PAYLOAD = '"><img src=x onerror=window.pwned=1></script><script>window.pwned=1</script>';
const identity = makeIdentity(
  { subject: { CN: PAYLOAD, O: "'><svg onload=window.pwned=1>" }, sans: { dns: ['pasted.example'], uri: [`javascript:window.pwned=1//${PAYLOAD}`] }, keyType: 'p256' },
  seededRandom('lab-peer-text'),
);
const pasted = { certificatePem: toPem('CERTIFICATE', identity.der), keyPem: toPem('PRIVATE KEY', encodePkcs8(identity.privateKey)) };
// The client judges the pasted server by the lab's CA: refused, and the refusal quotes the pasted names.
const custom = { ...defaultCustomOptions(), serverCredential: 'pasted' as const, clientTrust: 'ca' as const };
const options = { scenario: CUSTOM, seed: PAYLOAD, custom };

const pageUrl = pathToFileURL(join(import.meta.dirname, '..', '..', 'docs', 'lab.html')).href;
let chromium: Chromium | undefined;
afterAll(async () => chromium?.close());

/** What the browser made of the page: the attacker's flag, and anything that is not ours. */
const INSPECT = `({
  pwned: window.pwned,
  scripts: document.scripts.length,
  foreign: [...document.querySelectorAll('img, svg, iframe, object, embed, base, link, frame, math')].length,
  handlers: [...document.querySelectorAll('*')].flatMap((e) => [...e.attributes].map((a) => a.name).filter((n) => n.startsWith('on'))),
  scriptLinks: [...document.querySelectorAll('[href], [src], [action]')].filter((e) => /^\\s*javascript:/i.test(e.getAttribute('href') ?? e.getAttribute('src') ?? e.getAttribute('action'))).length,
  text: document.body.textContent,
})`;
interface Inspected {
  pwned: unknown;
  scripts: number;
  foreign: number;
  handlers: string[];
  scriptLinks: number;
  text: string;
}

function expectUntouched(seen: Inspected): void {
  expect(seen.pwned).toBeUndefined();
  expect(seen.scripts).toBe(1);
  expect(seen.foreign).toBe(0);
  expect(seen.handlers).toEqual([]);
  expect(seen.scriptLinks).toBe(0);
}

describe('the lab with a hostile permalink and a hostile pasted certificate, in headless Chromium', () => {
  it('every step of the run: no script of theirs, no element or attribute of theirs, the names shown as text', async (test) => {
    chromium ??= await launchChromium(test);
    const page: Page = await chromium.context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    try {
      await page.goto(`${pageUrl}#${permalinkFragment(options, [], 0)}`);
      await page.waitForSelector('body[data-ready="true"]');
      // Without a pasted certificate the run cannot start: the error is text.
      expect(await page.locator('#error').textContent()).toMatch(/paste a certificate/);
      await page.click('#paste > summary');
      await page.fill('#pem-certificate', pasted.certificatePem);
      await page.fill('#pem-key', pasted.keyPem);
      await page.click('#run-button');
      await page.waitForSelector('#steps li');
      let steps = 0;
      let text = '';
      for (;;) {
        const seen = (await page.evaluate(INSPECT)) as Inspected;
        expectUntouched(seen);
        text += seen.text;
        steps++;
        if (await page.locator('#next').isDisabled()) break;
        await page.click('#next');
      }
      expect(steps).toBeGreaterThan(3);
      // The refusal quotes the pasted certificate's names (RFC 4514 text escapes " < > with a backslash).
      expect(text).toContain('\\"\\>\\<img src=x onerror=window.pwned=1\\>');
      expect(await page.inputValue('#seed')).toBe(PAYLOAD);
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  }, 120_000);

  it("the HTML trace the lab offers for download, of the same run: the seed in its title, the story, the certificate's names", async (test) => {
    chromium ??= await launchChromium(test);
    const download = htmlDownload(runLab({ ...options, pasted }));
    const page = await chromium.context.newPage();
    try {
      await page.setContent(String(download.data), { waitUntil: 'load' });
      const seen = (await page.evaluate(INSPECT)) as Inspected;
      expectUntouched(seen);
      expect(await page.title()).toBe(`tls13 lab: custom (seed ${PAYLOAD})`);
      expect(seen.text).toContain('\\"\\>\\<img src=x onerror=window.pwned=1\\>');
      expect(download.name).not.toMatch(/[<>"'/]/);
    } finally {
      await page.close();
    }
  }, 60_000);
});
