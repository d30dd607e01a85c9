// Attacker: a server whose certificate's subjectAltName carries control characters (IA5String allows
// 0x00-0x1f and 0x7f): `tls13 connect --show-certs` prints every name of the chain it was sent, trusted or
// not, so a line feed or an escape sequence there would forge lines or drive the user's terminal.
import { describe, expect, it } from 'vitest';
import { describeChain } from '../../src/cli/show-certs.js';
import { provider } from '../auth/helpers.js';
import { ca, leaf } from './path-helpers.js';

const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/;
const FORGED = 'x\n      subject      CN=bank\x1b[2J\x07';

describe('show-certs prints a peer certificate\'s names escaped', () => {
  it('a subjectAltName URI, rfc822Name or dNSName with a line feed, ESC or BEL: one line each, no control character', () => {
    const int = ca();
    const sneaky = leaf(int, { dns: [`a${FORGED}.example`], uri: [`https://a.example/${FORGED}`], email: [`a${FORGED}@example.com`] });
    const lines = describeChain([sneaky.der, int.der], provider);
    const text = lines.join('\n');
    expect(text).not.toMatch(CONTROL);
    expect(text.split('\n').filter((line) => /^ {6}subject {6}CN=bank/.test(line))).toHaveLength(0);
  });
});
