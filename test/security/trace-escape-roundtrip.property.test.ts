// Attacker's test for the escaping shared by the traces (wire/show-value.ts escapeControls, UNPRINTABLE):
// jsonTraceLine escapes its whole JSON line after JSON.stringify. Random peer texts built from what that pass
// meets (every class UNPRINTABLE names, astral tag characters, lone surrogates, backslashes, quotes, "\u"
// spelled out, ordinary text) in each text field of an event: the line is one line of JSON with none of them
// raw, and reads back as exactly the texts that went in (no escape doubled or undone).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { TlsEvent } from '../../src/handshake/events.js';
import { jsonTraceLine } from '../../src/trace/json.js';
import { TextNarrator } from '../../src/trace/text.js';
import { UNPRINTABLE } from '../../src/wire/show-value.js';

const PIECES = [
  '\x00', '\n', '\x1b', '\x7f', '\x85', '\x9b', '\u00ad', '\u061c', '\u180e', '\u200b', '\u200f', '\u2028', '\u2029', '\u202e',
  '\u2060', '\u2066', '\u2069', '\ufeff', '\u{e0001}', '\u{e0041}', '\u{e007f}', '\ud800', '\udfff', '\\', '"', '\\u001b', '\\\\u2028',
  'a', 'é', '😀', '\u{1f3f4}\u{e0067}\u{e0062}\u{e007f}', ' ', '}', '{"v":2}',
];
const peerText = fc.array(fc.constantFrom(...PIECES), { maxLength: 12 }).map((parts) => parts.join(''));
const raw = new RegExp(UNPRINTABLE.source, 'u');

describe('trace escaping round trip', () => {
  it('jsonTraceLine: one line, nothing unprintable raw, the same strings read back', () => {
    fc.assert(
      fc.property(peerText, peerText, peerText, (value, reason, detail) => {
        const events: TlsEvent[] = [
          { type: 'decision', topic: 'alpn', value, reason },
          { type: 'alert', direction: 'out', level: 'fatal', description: 'illegal_parameter', reason: 'IllegalParameter', detail },
          { type: 'closed', by: 'us', error: value },
        ];
        for (const event of events) {
          const line = jsonTraceLine('server', event);
          expect(line).not.toMatch(raw);
          expect(line).not.toMatch(/[\n\r]/);
          expect(JSON.parse(line)).toEqual({ v: 1, side: 'server', ...event });
        }
      }),
      { numRuns: 2000, seed: 16 },
    );
  });

  it('the text narrator: nothing unprintable raw in any line of those events, with and without colours', () => {
    fc.assert(
      fc.property(peerText, peerText, (value, reason) => {
        const events: TlsEvent[] = [
          { type: 'decision', topic: 'alpn', value, reason },
          { type: 'closed', by: 'peer', error: reason },
          { type: 'data', data: new TextEncoder().encode(value) },
        ];
        for (const color of [false, true]) {
          for (const event of events) {
            const text = new TextNarrator({ color }).render('client', event).join('\n').replace(/\x1b\[\d+m/g, '');
            expect(text).not.toMatch(raw);
            expect(text.split('\n')).toHaveLength(1);
          }
        }
      }),
      { numRuns: 1000, seed: 16 },
    );
  });
});
