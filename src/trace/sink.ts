// One place that turns a `--trace` argument into a running renderer: `text`, `json` or `html`, each
// optionally `=FILE`. Events go in as they happen; `end()` finishes the output (the HTML page is written
// whole at the end). Core-safe: the caller supplies where the text goes (stdout, or a file it opened).
import type { Role, TlsEvent } from '../handshake/events.js';
import { renderHtml } from './html.js';
import { jsonTraceLine } from './json.js';
import { TextNarrator } from './text.js';

export const TRACE_FORMATS = ['text', 'json', 'html'] as const;
export type TraceFormat = (typeof TRACE_FORMATS)[number];

export interface TraceSpec {
  format: TraceFormat;
  /** Where to write; undefined means standard output. */
  file?: string;
}

/** Parses `text`, `json`, `html`, or any of them with `=FILE`. Throws an Error that says what is expected. */
export function parseTraceSpec(text: string): TraceSpec {
  const at = text.indexOf('=');
  const format = at < 0 ? text : text.slice(0, at);
  const file = at < 0 ? undefined : text.slice(at + 1);
  if (!(TRACE_FORMATS as readonly string[]).includes(format)) throw new Error(`--trace ${text}: expected text, json or html, optionally =FILE`);
  if (file === '') throw new Error(`--trace ${text}: the file name is missing after =`);
  return file === undefined ? { format: format as TraceFormat } : { format: format as TraceFormat, file };
}

export interface TraceTarget {
  write(text: string): unknown;
}

export interface TraceSinkOptions {
  /** Show secret values (default false: only when asked). */
  secrets?: boolean;
  /** ANSI colours in the text trace (only for a terminal; the caller checks NO_COLOR). */
  color?: boolean;
  /** Title and description of the HTML page. */
  title?: string;
  description?: string[];
}

export interface TraceSink {
  readonly spec: TraceSpec;
  event(side: Role, event: TlsEvent): void;
  /** Writes what is still buffered (the HTML page). Call once, at the end. */
  end(): void;
}

/** A renderer for `spec` writing to `target`. Text traces include annotated hex dumps. */
export function createTraceSink(spec: TraceSpec | string, target: TraceTarget, options: TraceSinkOptions = {}): TraceSink {
  const parsed = typeof spec === 'string' ? parseTraceSpec(spec) : spec;
  const secrets = options.secrets ?? false;
  switch (parsed.format) {
    case 'text': {
      const narrator = new TextNarrator({ secrets, hexdump: true, color: options.color ?? false });
      return {
        spec: parsed,
        event: (side, event) => {
          for (const line of narrator.render(side, event)) target.write(`${line}\n`);
        },
        end: () => {},
      };
    }
    case 'json':
      return { spec: parsed, event: (side, event) => target.write(`${jsonTraceLine(side, event, { secrets })}\n`), end: () => {} };
    case 'html': {
      const events: Array<{ side: Role; event: TlsEvent }> = [];
      const page: Parameters<typeof renderHtml>[1] = { secrets };
      if (options.title !== undefined) page.title = options.title;
      if (options.description !== undefined) page.description = options.description;
      return { spec: parsed, event: (side, event) => events.push({ side, event }), end: () => target.write(renderHtml(events, page)) };
    }
    default: {
      const never: never = parsed.format;
      throw new Error(`unknown trace format ${String(never)}`);
    }
  }
}
