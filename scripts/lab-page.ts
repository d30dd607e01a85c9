// Builds docs/lab.html: the lab's script (src/lab/browser/main.ts) bundled by esbuild with the engine it
// imports, the Appendix A diagrams read from the state machine files, and the CSS, all inlined into one
// offline page. Deterministic: the same source gives the same bytes (test/lab/page.test.ts compares the
// committed page with a fresh build).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { appendixADiagram } from '../src/lab/diagram.js';

/** The page's HTML, built from the source tree at `root`. */
export async function buildLabPage(root: string): Promise<string> {
  const read = (path: string) => readFileSync(join(root, path), 'utf8');
  const diagrams = {
    client: appendixADiagram(read('src/handshake/client/machine.ts')),
    server: appendixADiagram(read('src/handshake/server/machine.ts')),
  };
  const bundle = await build({
    absWorkingDir: root,
    entryPoints: ['src/lab/browser/main.ts'],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    legalComments: 'eof',
    charset: 'utf8',
    define: { LAB_DIAGRAMS: JSON.stringify(diagrams) },
    logLevel: 'silent',
  });
  // Inside an inline <script>, "</script" would end it (HTML §4.12.1.3); "<\/script" means the same to JS.
  const script = bundle.outputFiles[0]!.text.replace(/<\/(script)/gi, '<\\/$1');
  const style = read('src/lab/lab.css');
  // Function replacers: the bundle contains "$&"-like sequences a replacement string would expand.
  return read('src/lab/page.html')
    .replace('/*STYLE*/', () => style.trim())
    .replace('/*SCRIPT*/', () => script.trim());
}
