// Red team, session 18 (the merged escaping of peer text: wire/show-value.ts escapePeerText, auth/x509.ts
// escapeUnprintable and escapeListedName). An escape that can be forged is one that two different peer values
// print the same through: then the reader of a trace or of `tls13 connect` cannot tell which bytes the peer sent.
// The property: from the printed text alone, a reader gets back exactly the values the peer sent, for random
// values made of what escaping meets (backslashes, escapes spelt out, controls, separators, astral characters),
// one value or a list of them joined by the separator the text uses; and the last layer (escapeControls) changes
// none of it, so no escape is doubled or undone on the way out.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { escapeListedName, escapeUnprintable } from '../../src/auth/x509.js';
import { escapeControls, escapePeerText, UNPRINTABLE } from '../../src/wire/show-value.js';

const PIECES = [
  '\x00', '\n', '\x1b', '\x7f', '\x85', '\u00ad', '\u200b', '\u2028', '\u202e', '\ufeff', '\u{e0041}', '\\', '\\\\', '\\u001b', '\\0a', '\\20',
  '\\2c', 'u001b', '0a', ' ', ',', 'a', 'é', '😀', '"', '[', ']',
];
const peerValue = fc.array(fc.constantFrom(...PIECES), { maxLength: 10 }).map((parts) => parts.join(''));
const raw = new RegExp(UNPRINTABLE.source, 'u');

/** Reads back a value escaped with `\uXXXX` units (escapePeerText's default): `\\` is a backslash. */
function readUnicodeEscaped(text: string): string {
  return text.replace(/\\(\\|u[0-9a-f]{4})/g, (_, escape: string) => (escape === '\\' ? '\\' : String.fromCharCode(parseInt(escape.slice(1), 16))));
}

/** Reads back a value escaped with RFC 4514 octets (`\0a`, x509.ts): `\\` is a backslash, a run of octets UTF-8. */
function readOctetEscaped(text: string): string {
  let out = '';
  let octets: number[] = [];
  const flush = () => {
    out += new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(Uint8Array.from(octets));
    octets = [];
  };
  for (let i = 0; i < text.length; ) {
    if (text[i] === '\\' && /^[0-9a-f]{2}$/.test(text.slice(i + 1, i + 3))) {
      octets.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 3;
      continue;
    }
    flush();
    if (text[i] === '\\' && text[i + 1] === '\\') {
      out += '\\';
      i += 2;
    } else {
      const c = String.fromCodePoint(text.codePointAt(i)!);
      out += c;
      i += c.length;
    }
  }
  flush();
  return out;
}

describe('peer text, escaped, reads back as exactly what the peer sent', () => {
  it('escapePeerText, one value and a comma-separated list (the ALPN refusal): nothing raw, the same values back', () => {
    fc.assert(
      fc.property(fc.array(peerValue, { minLength: 1, maxLength: 4 }), (values) => {
        for (const value of values) {
          const shown = escapePeerText(value);
          expect(shown).not.toMatch(raw);
          expect(escapeControls(shown)).toBe(shown);
          expect(readUnicodeEscaped(shown)).toBe(value);
        }
        const list = values.map((v) => escapePeerText(v, { separators: ',' })).join(', ');
        expect(list.split(', ').map(readUnicodeEscaped)).toEqual(values);
      }),
      { numRuns: 3000, seed: 18 },
    );
  });

  it('escapeUnprintable (a name in a certificate) and escapeListedName (names joined by spaces): the same values back', () => {
    fc.assert(
      fc.property(fc.array(peerValue, { minLength: 1, maxLength: 4 }), (names) => {
        for (const name of names) {
          const shown = escapeUnprintable(name);
          expect(shown).not.toMatch(raw);
          expect(escapeControls(shown)).toBe(shown);
          expect(readOctetEscaped(shown)).toBe(name);
        }
        const listed = names.map(escapeListedName).join(' ');
        expect(escapeControls(listed)).toBe(listed);
        expect(listed.split(' ').map(readOctetEscaped)).toEqual(names);
      }),
      { numRuns: 3000, seed: 18 },
    );
  });
});
