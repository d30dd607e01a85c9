// npm run docs: brings the generated `--help` blocks of docs/cli.md up to date (src/cli/reference.ts).
// test/docs/cli.test.ts fails when they are stale: run this after changing a command's options.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { updateCliReference } from '../src/cli/reference.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, here.split(/[\\/]/).includes('dist') ? '../..' : '..');
const file = join(root, 'docs', 'cli.md');
const before = readFileSync(file, 'utf8');
const after = updateCliReference(before);
writeFileSync(file, after);
console.log(after === before ? `${file} was up to date` : `updated the generated blocks of ${file}`);
