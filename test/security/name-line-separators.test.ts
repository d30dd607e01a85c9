// Attacker's script (red team, session 15): a peer chooses the names in its certificate, and their RFC 4514 text
// (`subject.text`) is what `tls13 serve` logs, `tls13 connect` prints and errors quote. Session 14 escaped control
// characters and the invisible and direction-changing formats there (name-injection.test.ts), but not U+2028
// LINE SEPARATOR and U+2029 PARAGRAPH SEPARATOR, which JSON.stringify leaves raw and which Python's
// str.splitlines(), editors and log viewers break lines at (a forged "client CN=admin" line), nor the tag
// characters U+E0001 and U+E0020-E007F, invisible, beyond the BMP where the old pattern could not reach. The
// caller's own values already had U+2028/2029 escaped (wire/show-value.ts escapeControls).
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/crypto/random.js';
import { makeIdentity } from '../../src/testing/certs.js';

const subjectText = (CN: string) => makeIdentity({ subject: { CN }, keyType: 'p256' }, seededRandom('line separators')).certificate.subject.text;

describe('a certificate name with Unicode line breaks or tag characters', () => {
  it('shows a line separator and a paragraph separator as their UTF-8 octets', () => {
    expect(subjectText('mallory\u2028127.0.0.1:9: client CN=admin\u2029')).toBe('CN=mallory\\e2\\80\\a8127.0.0.1:9: client CN=admin\\e2\\80\\a9');
  });

  it('shows tag characters (invisible, beyond the BMP) as their UTF-8 octets', () => {
    expect(subjectText('alice\u{e0001}\u{e0041}')).toBe('CN=alice\\f3\\a0\\80\\81\\f3\\a0\\81\\81');
  });

  it('the control: other text beyond the BMP, and accents, read as themselves', () => {
    expect(subjectText('Zoë 🔒 設備')).toBe('CN=Zoë 🔒 設備');
  });
});
