// The command reference in docs/cli.md: each block between
//   <!-- generated: tls13 connect --help -->  and  <!-- end generated -->
// holds what `tls13 connect --help` prints, rendered from the option tables the parser reads. `npm run docs`
// rewrites the blocks; test/docs/cli.test.ts fails when docs/cli.md is stale. The prose around stays.
import { helpText } from './help.js';
import { COMMANDS, overview } from './main.js';

const BLOCK = /(<!-- generated: tls13 (\S+ )?--help -->\n)[\s\S]*?(<!-- end generated -->)/g;

/** `markdown` with every generated block brought up to date; an unknown command in a marker throws. */
export function updateCliReference(markdown: string): string {
  return markdown.replace(BLOCK, (_, open: string, name: string | undefined, close: string) => {
    const command = name === undefined ? undefined : COMMANDS.find((c) => c.name === name.trim());
    if (name !== undefined && !command) throw new Error(`docs/cli.md names an unknown command: tls13 ${name}--help`);
    return `${open}\`\`\`text\n${command ? helpText(command) : overview()}\`\`\`\n${close}`;
  });
}

/** The commands whose help docs/cli.md does not carry (every one should). */
export function commandsMissingFrom(markdown: string): string[] {
  const present = new Set([...markdown.matchAll(BLOCK)].map((m) => (m[2] ?? '').trim()));
  return ['', ...COMMANDS.map((c) => c.name)].filter((name) => !present.has(name)).map((name) => `tls13 ${name ? `${name} ` : ''}--help`);
}
