// The host-name checks run on every connection (the client's serverName) and every CA-validated handshake;
// their short cuts must decide exactly what the long way decides (sixth round of issue 16, docs/performance-history.md).
import { describe, expect, it } from 'vitest';
import { endsInNumber, matchHostname, parseReferenceIdentity } from '../../src/auth/hostname.js';
import { issue, nodeKey } from './helpers.js';

describe('host-name short cuts', () => {
  it('folds upper-case ASCII on either side, and leaves a name without any as it is', () => {
    const mixed = issue({ CN: 'x' }, nodeKey('p256'), undefined, { sans: { dns: ['WWW.Example.COM', 'api.example.com'] } });
    expect(matchHostname(mixed.cert, 'www.example.com')).toEqual({ ok: true, matched: 'DNS:WWW.Example.COM' });
    expect(matchHostname(mixed.cert, 'Www.Example.Com.')).toEqual({ ok: true, matched: 'DNS:WWW.Example.COM' });
    expect(matchHostname(mixed.cert, 'API.example.com')).toEqual({ ok: true, matched: 'DNS:api.example.com' });
    expect(matchHostname(mixed.cert, 'wwx.example.com')).toMatchObject({ ok: false });
    expect(parseReferenceIdentity('Server.EXAMPLE.')).toEqual({ kind: 'dns', text: 'server.example' });
  });

  it('reads the last label with one trailing dot dropped, as splitting at every dot does', () => {
    const lastLabelBySplitting = (name: string) => {
      const labels = name.split('.');
      if (labels.length > 1 && labels[labels.length - 1] === '') labels.pop();
      return labels[labels.length - 1]!;
    };
    const names = ['', '.', '..', 'a', 'a.', 'a..', '.a', 'a.b', 'a.b.', '1', '1.', 'a.1', 'a.1.', 'a.1..', '1.a.', 'x.0x7f', 'x.0x7f.', 'x.0X', '0x', 'x.0x.', 'x.12a'];
    for (const name of names) {
      const last = lastLabelBySplitting(name);
      expect(endsInNumber(name), JSON.stringify(name)).toBe(/^\d+$/.test(last) || /^0x[0-9a-f]*$/i.test(last));
    }
  });

  it('turns host names away before reading them as IPv4, and still reads every dotted quad', () => {
    expect(parseReferenceIdentity('255.255.255.255')).toMatchObject({ kind: 'ip', text: '255.255.255.255' });
    expect(parseReferenceIdentity('0.0.0.0')).toMatchObject({ kind: 'ip', text: '0.0.0.0' });
    expect(parseReferenceIdentity('server.test')).toEqual({ kind: 'dns', text: 'server.test' });
    // 16 characters of digits and dots: no quad, and a numeric last label, so no DNS name either.
    expect(parseReferenceIdentity('255.255.255.2550')).toMatch(/ends in a number/);
  });
});
