// Regenerates vectors/rfc8448/*.json from vectors/rfc8448/rfc8448.txt.
// Usage (from the repository root, after `npm run build`): node dist/scripts/extract-rfc8448.js [repo-root]
// test/vectors/rfc8448-extraction.test.ts fails whenever the committed JSON differs from this output.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { extractRfc8448, rfc8448JsonFiles } from '../src/testing/rfc8448-extract.js';

const vectorsDir = join(process.argv[2] ?? process.cwd(), 'vectors', 'rfc8448');
const extraction = extractRfc8448(readFileSync(join(vectorsDir, 'rfc8448.txt'), 'utf8'));
for (const [name, json] of rfc8448JsonFiles(extraction)) {
  writeFileSync(join(vectorsDir, name), json);
  console.log(`wrote ${join(vectorsDir, name)}`);
}
