// Every relative link of README.md and docs/*.md reaches its file, and its #anchor a heading of that file (the
// anchor GitHub makes of it): a section moved to another page (docs/performance-history.md, session 15) leaves no
// link behind that lands on the top of the wrong page.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { root } from './examples.js';

const PAGES = ['README.md', ...readdirSync(join(root, 'docs')).filter((name) => name.endsWith('.md')).map((name) => `docs/${name}`)];

/** Markdown without its fenced code blocks (a `](` inside code is not a link). */
const prose = (markdown: string) => markdown.replace(/^```[\s\S]*?^```$/gm, '');

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces as hyphens. */
export function headingAnchor(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** The anchors of a page's headings; a repeated heading gets -1, -2, ... as on GitHub. */
export function anchorsOf(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  for (const [, heading] of prose(markdown).matchAll(/^#{1,6}\s+(.*)$/gm)) {
    const anchor = headingAnchor(heading!);
    const count = seen.get(anchor) ?? 0;
    seen.set(anchor, count + 1);
    anchors.add(count === 0 ? anchor : `${anchor}-${count}`);
  }
  return anchors;
}

const anchorsByFile = new Map<string, Set<string>>();
const anchorsOfFile = (file: string) => anchorsByFile.get(file) ?? anchorsByFile.set(file, anchorsOf(readFileSync(file, 'utf8'))).get(file)!;

/** The relative links of a page that do not resolve: each as `target: why`. */
function brokenLinks(page: string): string[] {
  const broken: string[] = [];
  for (const [, target] of prose(readFileSync(join(root, page), 'utf8')).matchAll(/\]\(([^)\s]+)\)/g)) {
    if (/^[a-z]+:/i.test(target!)) continue; // https:, mailto:
    const [path, anchor] = target!.split('#') as [string, string | undefined];
    const file = path === '' ? join(root, page) : resolve(dirname(join(root, page)), path);
    if (!existsSync(file)) broken.push(`${target}: no file ${relative(root, file)}`);
    else if (anchor !== undefined && file.endsWith('.md') && !anchorsOfFile(file).has(anchor)) broken.push(`${target}: no such heading`);
  }
  return broken;
}

describe('relative links of README.md and docs/*.md', () => {
  it('anchors as GitHub makes them', () => {
    expect(headingAnchor('The bulk method: why 0.48–1.14, and what reads better')).toBe('the-bulk-method-why-048114-and-what-reads-better');
    expect(headingAnchor("Profiles before issue 16's work (loaded machine)")).toBe('profiles-before-issue-16s-work-loaded-machine');
    expect([...anchorsOf('# A\n## A\n```\n# B\n```\n### A\n')]).toEqual(['a', 'a-1', 'a-2']);
  });

  it('finds links to check, anchors among them', () => {
    const links = PAGES.flatMap((page) => [...prose(readFileSync(join(root, page), 'utf8')).matchAll(/\]\((?![a-z]+:)([^)\s]+)\)/gi)]);
    expect(links.length).toBeGreaterThan(50);
    expect(links.filter(([, target]) => target!.includes('performance-history.md#')).length).toBeGreaterThan(40);
  });

  it.each(PAGES)('%s', (page) => {
    expect(brokenLinks(page)).toEqual([]);
  });
});
