// The walkthrough pages in docs/walkthrough/ are generated from real runs; this fails when the committed
// pages no longer match what the code produces (run `npm run docs` and review the diff).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateWalkthroughs, WALKTHROUGHS } from '../../src/trace/walkthrough.js';

const dir = join(import.meta.dirname, '..', '..', 'docs', 'walkthrough');
const pages = generateWalkthroughs();

describe('walkthrough docs', () => {
  it('has a committed page for every walkthrough and none for walkthroughs that are gone', () => {
    expect(readdirSync(dir).filter((f) => f.endsWith('.md')).sort()).toEqual(pages.map((p) => p.file).sort());
  });

  for (const { file, markdown } of pages) {
    it(`docs/walkthrough/${file} matches what the code produces (npm run docs regenerates it)`, () => {
      expect(existsSync(join(dir, file))).toBe(true);
      expect(readFileSync(join(dir, file), 'utf8')).toBe(markdown);
    });
  }

  it('is deterministic: two runs give the same pages', () => {
    expect(generateWalkthroughs()).toEqual(pages);
  });

  it('tells each scenario as it happened', () => {
    const page = (slug: string) => pages.find((p) => p.file === `${slug}.md`)!.markdown;
    expect(WALKTHROUGHS.map((w) => w.slug)).toEqual(['1-rtt', 'hello-retry-request', 'resumption', '0-rtt', 'mutual-tls-pinned', 'stolen-certificate', 'raw-public-keys']);
    expect(page('hello-retry-request')).toContain('### 2. ← HelloRetryRequest');
    expect(page('resumption')).not.toContain('← Certificate\n');
    expect(page('0-rtt')).toContain('EndOfEarlyData →');
    expect(page('0-rtt')).toContain('0-RTT accepted');
    expect(page('mutual-tls-pinned')).toContain('← CertificateRequest');
    expect(page('stolen-certificate')).toContain('fatal **decrypt_error** alert');
    expect(page('raw-public-keys')).toMatch(/raw key sha256\//);
  });
});
