// npm run docs: writes docs/walkthrough/*.md from real, deterministic runs (src/trace/walkthrough.ts).
// The pages are checked by test/docs/walkthrough.test.ts: run this after a change that alters them.
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateWalkthroughs } from '../src/trace/walkthrough.js';
import { renderWithoutCertificatesPage, WITHOUT_CERTIFICATES_PAGE } from '../src/scenarios/without-certificates.js';

// Compiled to dist/scripts/, run from the repository root or anywhere: find docs/ from this file.
const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, here.split(/[\\/]/).includes('dist') ? '../..' : '..');
const out = join(root, 'docs', 'walkthrough');
mkdirSync(out, { recursive: true });
const pages = generateWalkthroughs();
// Pages of walkthroughs that no longer exist go away.
for (const file of readdirSync(out)) if (file.endsWith('.md') && !pages.some((p) => p.file === file)) rmSync(join(out, file));
for (const { file, markdown } of pages) writeFileSync(join(out, file), markdown);
console.log(`wrote ${pages.length} pages to ${out}: ${pages.map((p) => p.file).join(', ')}`);
writeFileSync(join(root, 'docs', WITHOUT_CERTIFICATES_PAGE), renderWithoutCertificatesPage());
console.log(`wrote docs/${WITHOUT_CERTIFICATES_PAGE}`);
