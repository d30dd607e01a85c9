// Writes vectors/rpk/*.json: deterministic RFC 7250 handshake traces (src/testing/rpk-vectors.ts).
// test/vectors/rpk.test.ts regenerates them and fails when they drift: run this after a change that alters
// them (npm run build && node dist/scripts/rpk-vectors.js), and read the diff.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateRpkVector, RPK_VECTOR_NAMES, rpkVectorFile } from '../src/testing/rpk-vectors.js';

// Compiled to dist/scripts/, run from the repository root or anywhere: find vectors/ from this file.
const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, here.split(/[\\/]/).includes('dist') ? '../..' : '..');
const out = join(root, 'vectors', 'rpk');
mkdirSync(out, { recursive: true });
for (const name of RPK_VECTOR_NAMES) writeFileSync(join(out, `${name}.json`), rpkVectorFile(generateRpkVector(name)));
console.log(`wrote ${RPK_VECTOR_NAMES.length} vectors to ${out}: ${RPK_VECTOR_NAMES.join(', ')}`);
