// The walkthrough pages in docs/walkthrough/ are generated from real runs; this fails when the committed
// pages no longer match what the code produces (run `npm run docs` and review the diff).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateWalkthroughs, WALKTHROUGHS } from '../../src/trace/walkthrough.js';
import { namedGroupName } from '../../src/wire/enums.js';
import { SHARE_LAYOUTS } from '../../src/wire/key-share-layout.js';

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
    expect(WALKTHROUGHS.map((w) => w.slug)).toEqual(['1-rtt', 'hello-retry-request', 'post-quantum', 'resumption', '0-rtt', 'mutual-tls-pinned', 'stolen-certificate', 'raw-public-keys']);
    expect(page('hello-retry-request')).toContain('### 2. ← HelloRetryRequest');
    expect(page('resumption')).not.toContain('← Certificate\n');
    expect(page('0-rtt')).toContain('EndOfEarlyData →');
    expect(page('0-rtt')).toContain('0-RTT accepted');
    expect(page('mutual-tls-pinned')).toContain('← CertificateRequest');
    expect(page('stolen-certificate')).toContain('fatal **decrypt_error** alert');
    expect(page('raw-public-keys')).toMatch(/raw key sha256\//);
  });

  it('shows the hybrid share field by field and its size cost, measured: each group costs its share lengths over x25519', () => {
    const page = pages.find((p) => p.file === 'post-quantum.md')!.markdown;
    expect(page).toContain('key_exchange.mlkem768_encapsulation_key (ML-KEM-768 encapsulation key');
    expect(page).toContain('key_exchange.mlkem768_ciphertext (ML-KEM-768 ciphertext');
    expect(page).toContain('hybrid: secure if either X25519 or ML-KEM holds');
    const rows = [...page.matchAll(/^\| (\S+) \| (\S+) \| (\d+)[^|]*\| (\d+)[^|]*\|$/gm)].map(([, shares, group, ch, sh]) => ({ shares, group, ch: Number(ch), sh: Number(sh) }));
    const [x25519] = rows;
    expect(x25519).toMatchObject({ shares: 'x25519', group: 'x25519' });
    const length = (parts: readonly { length: number }[]) => parts.reduce((sum, p) => sum + p.length, 0);
    for (const [id, layout] of SHARE_LAYOUTS) {
      const row = rows.find((r) => r.shares === namedGroupName(id));
      expect(row).toMatchObject({ group: namedGroupName(id), ch: x25519!.ch + length(layout.client) - 32, sh: x25519!.sh + length(layout.server) - 32 });
    }
    // Both shares, as browsers send them: the hybrid entry (4 bytes of header) and one more supported group.
    expect(page).toContain(`| X25519MLKEM768 + x25519 | X25519MLKEM768 | ${x25519!.ch + 1216 + 4 + 2} `);
  });
});
