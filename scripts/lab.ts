// npm run lab: writes docs/lab.html (see scripts/lab-page.ts). Commit the result: test/lab/page.test.ts
// fails when the committed page is older than the source.
import { writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildLabPage } from './lab-page.js';

// Compiled to dist/scripts/, run from the repository root or anywhere: find the tree from this file.
const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, here.split(/[\\/]/).includes('dist') ? '../..' : '..');
const page = await buildLabPage(root);
const file = join(root, 'docs', 'lab.html');
writeFileSync(file, page);
console.log(`wrote ${file} (${Buffer.byteLength(page)} bytes)`);
