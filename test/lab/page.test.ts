// docs/lab.html is built from the source (npm run lab) and committed: this fails when the committed page
// is older than the code it bundles, and checks that the page is one offline file.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildLabPage } from '../../scripts/lab-page.js';
import { appendixADiagram, litDiagram } from '../../src/lab/diagram.js';

const root = join(import.meta.dirname, '..', '..');
const committed = readFileSync(join(root, 'docs', 'lab.html'), 'utf8');

describe('docs/lab.html', () => {
  it('is what npm run lab builds from the current source, byte for byte, build after build', async () => {
    const fresh = await buildLabPage(root);
    expect(fresh === committed, 'docs/lab.html is stale: run npm run lab and commit it').toBe(true);
    expect(await buildLabPage(root)).toBe(fresh);
  });

  it('loads nothing from anywhere: no external resource, and a policy that forbids it', () => {
    expect(committed).toContain(`content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'"`);
    expect(committed).not.toMatch(/<(link|img|iframe)\b|<script\s+src=|@import|url\(\s*['"]?(https?:|\/\/)/i);
    // One script element, the bundle: an embedded "</script" would end it early, and "<!--" would change how
    // the HTML parser reads the rest (HTML §4.12.1.3).
    const script = committed.slice(committed.indexOf('<script>') + '<script>'.length, committed.lastIndexOf('</script>'));
    expect(committed.match(/<\/script/gi)).toHaveLength(1);
    expect(script).not.toContain('<!--');
    expect(script.length).toBeGreaterThan(100_000);
  });
});

describe('Appendix A diagrams', () => {
  it('come from the state machine files, and light the current state as a whole word', () => {
    const client = appendixADiagram(readFileSync(join(root, 'src/handshake/client/machine.ts'), 'utf8'));
    expect(client).toMatch(/^ *START <----\+/);
    expect(client).toContain('WAIT_CERT_CR');
    const lit = litDiagram(client, 'WAIT_CERT');
    expect(lit.match(/<mark>/g)).toHaveLength(1);
    expect(lit).toContain('WAIT_CERT_CR');
    expect(litDiagram('A & <B>', 'CLOSED')).toBe('A &amp; &lt;B&gt;');
  });
});
