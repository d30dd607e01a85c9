#!/usr/bin/env node
// Builds dist/ with tsc only when it is stale: when a TypeScript file under src/ or scripts/ (or a
// tsconfig) is newer than the oldest compiled output. `npm start` and the tests that run bin/tls13.js
// call it, so a first run builds and later runs start at once.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Every file under `dir` whose name ends with `suffix`. */
function filesUnder(dir, suffix) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(suffix))
    .map((entry) => join(entry.parentPath, entry.name));
}

/** The reason dist/ must be rebuilt, or undefined when it is up to date. */
export function staleReason() {
  // src/lab/browser is bundled into docs/lab.html by esbuild (npm run lab); tsc does not compile it (tsconfig.json).
  const compiled = (file) => !relative(root, file).startsWith(join('src', 'lab', 'browser'));
  const sources = [...filesUnder(join(root, 'src'), '.ts').filter(compiled), ...filesUnder(join(root, 'scripts'), '.ts'), join(root, 'tsconfig.json'), join(root, 'tsconfig.build.json')];
  for (const source of sources) {
    const rel = relative(root, source);
    const output = rel.startsWith('tsconfig') ? join(root, 'dist', 'src', 'cli', 'main.js') : join(root, 'dist', rel.replace(/\.ts$/, '.js'));
    if (!existsSync(output)) return `${relative(root, output)} is missing`;
    if (statSync(source).mtimeMs > statSync(output).mtimeMs) return `${rel} is newer than ${relative(root, output)}`;
  }
  return undefined;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const reason = staleReason();
  if (reason) {
    process.stderr.write(`building dist/ (${reason})\n`);
    execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit', cwd: root });
  }
}
