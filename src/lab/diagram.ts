// The RFC 8446 Appendix A state diagrams the lab lights up are the ones drawn at the top of the engine's
// state machine files (src/handshake/client/machine.ts, server/machine.ts): the build reads them from
// there, so the page always shows the diagram the code follows.
import { escapeHtml } from '../trace/html.js';

/** The diagram in a machine file's head comment: the lines between its first two empty comment lines. */
export function appendixADiagram(source: string): string {
  const lines = source.split('\n');
  const start = lines.findIndex((l) => l.trimEnd() === '//');
  const end = lines.findIndex((l, i) => i > start && l.trimEnd() === '//');
  if (start < 0 || end < 0) throw new Error('no state diagram between two empty comment lines at the top of the file');
  const body = lines.slice(start + 1, end).map((l) => l.replace(/^\/\/ ?/, '').trimEnd());
  const indent = Math.min(...body.filter((l) => l.trim() !== '').map((l) => l.length - l.trimStart().length));
  return body.map((l) => l.slice(indent)).join('\n');
}

/** The diagram as HTML with every occurrence of `state` marked (a state name is a whole word). */
export function litDiagram(diagram: string, state: string): string {
  const escaped = escapeHtml(diagram);
  if (!/^[A-Z_]+$/.test(state)) return escaped;
  return escaped.replace(new RegExp(`(?<![A-Z_])${state}(?![A-Z_])`, 'g'), `<mark>${state}</mark>`);
}
