import { describe, expect, it } from 'vitest';
import type { TlsEvent } from '../../src/handshake/events.js';
import { createTraceSink, parseTraceSpec } from '../../src/trace/sink.js';

const secret: TlsEvent = { type: 'secret', name: 'exporter_master_secret', label: 'exp master', keylog: 'EXPORTER_SECRET', clientRandom: Uint8Array.of(1), secret: Uint8Array.of(0xab, 0xcd) };

function collect() {
  const chunks: string[] = [];
  return { chunks, target: { write: (text: string) => chunks.push(text) } };
}

describe('trace sinks', () => {
  it('reads a format with an optional =FILE', () => {
    expect(parseTraceSpec('text')).toEqual({ format: 'text' });
    expect(parseTraceSpec('html=out/page.html')).toEqual({ format: 'html', file: 'out/page.html' });
    expect(parseTraceSpec('json=a=b.jsonl')).toEqual({ format: 'json', file: 'a=b.jsonl' });
    expect(() => parseTraceSpec('xml')).toThrow('--trace xml: expected text, json or html, optionally =FILE');
    expect(() => parseTraceSpec('html=')).toThrow('the file name is missing');
  });

  it('writes text and JSON as events come, without secret values unless asked', () => {
    const text = collect();
    createTraceSink('text', text.target).event('client', secret);
    expect(text.chunks.join('')).toContain('(value hidden)');
    const json = collect();
    const sink = createTraceSink('json', json.target, { secrets: true });
    sink.event('server', secret);
    expect(JSON.parse(json.chunks[0]!)).toMatchObject({ v: 1, side: 'server', secret: 'abcd' });
  });

  it('writes the HTML page once, at the end', () => {
    const html = collect();
    const sink = createTraceSink({ format: 'html' }, html.target, { title: 'a <title>' });
    sink.event('client', secret);
    expect(html.chunks).toEqual([]);
    sink.end();
    expect(html.chunks).toHaveLength(1);
    expect(html.chunks[0]).toContain('<title>a &lt;title&gt;</title>');
  });
});
