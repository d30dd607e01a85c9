// `tls13 <command> --help` and the command reference in docs/cli.md, both rendered from the commands'
// option tables (args.ts), so that neither can say something the parser does not do.
import type { Command, OptionSpec } from './args.js';

/** Help lines stay within this many columns (a terminal of 120, with room to spare). */
const WIDTH = 110;
/** Option names longer than this get their description on the next line. */
const NAME_COLUMN = 22;

/** Words of `text` in lines of at most `width` columns; a newline in `text` always starts a new line. */
export function wrap(text: string, width: number): string[] {
  return text.split('\n').flatMap((paragraph) => {
    const lines: string[] = [];
    let line = '';
    for (const word of paragraph.split(/\s+/).filter(Boolean)) {
      if (line && line.length + 1 + word.length > width) {
        lines.push(line);
        line = word;
      } else {
        line = line ? `${line} ${word}` : word;
      }
    }
    return [...lines, line];
  });
}

function optionLabel(name: string, spec: OptionSpec): string {
  return `--${name}${spec.value ? ` ${spec.value}` : ''}`;
}

/** The text of `tls13 <command> --help`. */
export function helpText(command: Command): string {
  const usage = command.usage.map((line, i) => `${i === 0 ? 'Usage: ' : '       '}${line}`);
  const description = command.description.split(/\n\n/).map((paragraph) => wrap(paragraph.replace(/\n/g, ' '), WIDTH).join('\n'));
  const options: string[] = [];
  const indent = ' '.repeat(2 + NAME_COLUMN + 1);
  for (const [name, spec] of Object.entries(command.options)) {
    if (spec.section) options.push('', spec.section);
    const label = `  ${optionLabel(name, spec)}`;
    const text = wrap(`${spec.help}${spec.multiple ? '; repeatable' : ''}`, WIDTH - indent.length);
    if (label.length <= NAME_COLUMN + 1) options.push(`${label.padEnd(indent.length)}${text[0]}`, ...text.slice(1).map((l) => indent + l));
    else options.push(label, ...text.map((l) => indent + l));
  }
  return `${usage.join('\n')}\n\n${description.join('\n\n')}\n\nOptions:\n${options.join('\n')}\n`;
}
