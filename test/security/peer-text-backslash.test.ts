// Attacker's test: a peer spells what looks like an escape. Peer text was shown with its unprintable characters
// escaped (\u001b, or \1b in an RFC 4514 name) but its backslash left as it was, so a certificate name, a SAN or
// an ALPN name holding the six characters `\u000a` (or `\0a`) printed exactly like one holding a real line feed:
// the reader of the text trace, of `tls13 connect`'s summary or of `--show-certs` could not tell which bytes the
// peer sent, and a name holding a space or a comma read as two names. Now each value the peer chose is escaped
// once, where it is put into text (wire/show-value.ts escapePeerText, x509.ts escapeUnprintable and
// escapeListedName): the backslash doubled, a separator escaped; the last layer (escapeControls) leaves
// backslashes alone, so our own escapes are never escaped twice.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseOfferedHostName, matchHostname } from '../../src/auth/hostname.js';
import { describeChain } from '../../src/cli/show-certs.js';
import { nobleProvider } from '../../src/crypto/noble.js';
import { seededRandom } from '../../src/crypto/random.js';
import type { TlsEvent } from '../../src/handshake/events.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { encodePkcs8 } from '../../src/auth/keys.js';
import { makeIdentity, TEST_NOW, type Identity } from '../../src/testing/certs.js';
import { TextNarrator } from '../../src/trace/text.js';
import { runCli, startServe } from '../cli/helpers.js';

const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/;

/** Two peers' choices that printed alike: the escape spelt out in plain characters, and the real character. */
const SPELT = { cn: 'x\\0ay \\1b[31m', san: 'a\\u000ab.example', alpn: 'h2\\u000a' };
const REAL = { cn: 'x\ny \x1b[31m', san: 'a\nb.example', alpn: 'h2\n' };

function identity(seed: string, cn: string, dns: string[]): Identity {
  return makeIdentity({ subject: { CN: cn }, sans: { dns }, keyType: 'p256' }, seededRandom(seed));
}

const spelt = identity('spelt', SPELT.cn, [SPELT.san, 'one.example two.example']);
const real = identity('real', REAL.cn, [REAL.san, 'one.example', 'two.example']);

describe('a certificate whose names spell escapes', () => {
  it('has an RFC 4514 subject that differs from the one with the real characters', () => {
    expect(spelt.certificate.subject.text).toBe('CN=x\\\\0ay \\\\1b[31m');
    expect(real.certificate.subject.text).toBe('CN=x\\0ay \\1b[31m');
  });

  it('prints apart in `--show-certs` (subject and SANs), and a SAN with a space reads as one name', () => {
    const [a, b] = [spelt, real].map((id) => describeChain(id.chain, nobleProvider).join('\n'));
    const sans = (text: string) => /SANs +(.*)/.exec(text)![1];
    expect(sans(a!)).toBe('DNS:a\\\\u000ab.example DNS:one.example\\20two.example');
    expect(sans(b!)).toBe('DNS:a\\0ab.example DNS:one.example DNS:two.example');
    expect(a).not.toBe(b);
    for (const text of [a!, b!]) expect(text).not.toMatch(CONTROL);
  });

  it("prints apart in a failed host name check's detail", () => {
    const [a, b] = [spelt, real].map((id) => (matchHostname(id.certificate, 'other.example') as { detail: string }).detail);
    expect(a).toContain('[a\\\\u000ab.example, one.example\\20two.example]');
    expect(b).toContain('[a\\0ab.example, one.example, two.example]');
  });
});

describe('`tls13 connect --insecure --show-certs` to a server with such a certificate', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tls13-peer-text-backslash-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function connectTo(id: Identity, name: string): Promise<string> {
    const pem = (label: string, der: Uint8Array) => `-----BEGIN ${label}-----\n${Buffer.from(der).toString('base64')}\n-----END ${label}-----\n`;
    writeFileSync(join(dir, `${name}.pem`), pem('CERTIFICATE', id.der));
    writeFileSync(join(dir, `${name}.key`), pem('PRIVATE KEY', encodePkcs8(id.privateKey)));
    const server = await startServe(['--cert', join(dir, `${name}.pem`), '--key', join(dir, `${name}.key`)]);
    try {
      const result = await runCli(['connect', `127.0.0.1:${server.port}`, '--servername', 'localhost', '--insecure', '--show-certs']);
      return result.stdout;
    } finally {
      await server.stop();
    }
  }

  it('shows the two servers apart, line by line, and drives no terminal', async () => {
    const [a, b] = [await connectTo(spelt, 'spelt'), await connectTo(real, 'real')];
    const line = (text: string, start: string) => text.split('\n').find((l) => l.trimStart().startsWith(start))!;
    expect(line(a, 'server (NOT verified')).toContain('CN=x\\\\0ay \\\\1b[31m, SANs a\\\\u000ab.example one.example\\20two.example,');
    expect(line(b, 'server (NOT verified')).toContain('CN=x\\0ay \\1b[31m, SANs a\\0ab.example one.example two.example,');
    expect(line(a, 'SANs')).not.toBe(line(b, 'SANs'));
    expect(line(a, 'subject')).not.toBe(line(b, 'subject'));
    for (const text of [a, b]) expect(text.split('\n\n')[0]).not.toMatch(CONTROL);
  }, 30_000);
});

/** A handshake of a client offering `alpn` to a server that speaks only http/1.1; every event of both sides. */
function offering(alpn: string[], trace = false): Array<{ side: 'client' | 'server'; event: TlsEvent }> {
  const server = makeIdentity({ subject: { CN: 'server' } }, seededRandom('alpn server'));
  const pair = new InMemoryPair(
    { trust: { kind: 'pinned-certificate', certificates: [server.der] }, now: () => TEST_NOW, random: seededRandom('alpn/c'), alpnProtocols: alpn, trace },
    { certificate: server, now: () => TEST_NOW, random: seededRandom('alpn/s'), alpnProtocols: ['http/1.1'], trace },
  );
  return pair.run().log;
}

describe("a client's ALPN names", () => {
  const refusal = (alpn: string[]) => {
    const sent = offering(alpn).find(({ side, event }) => side === 'server' && event.type === 'alert' && event.direction === 'out');
    return (sent!.event as Extract<TlsEvent, { type: 'alert' }>).detail;
  };

  it("in the server's no_application_protocol detail: an escape spelt out is not a control character, one name with a comma not two", () => {
    expect(refusal([SPELT.alpn])).toBe('client offered h2\\\\u000a; we speak http/1.1');
    expect(refusal([REAL.alpn])).toBe('client offered h2\\u000a; we speak http/1.1');
    expect(refusal(['h2, http/2'])).toBe('client offered h2\\u002c http/2; we speak http/1.1');
    expect(refusal(['h2', ' http/2'])).toBe('client offered h2,  http/2; we speak http/1.1');
  });

  it('in the text trace with a hex dump: the annotation of the name tells the two apart', () => {
    const annotation = (alpn: string) => {
      const narrator = new TextNarrator({ hexdump: true });
      const lines = offering([alpn, 'http/1.1'], true).flatMap(({ side, event }) => narrator.render(side, event));
      return lines.find((l) => l.includes('protocol_name_list[0] ='))!.replace(/^.*protocol_name_list\[0\]/, '');
    };
    expect(annotation(SPELT.alpn)).toBe(' = h2\\\\u000a');
    expect(annotation(REAL.alpn)).toBe(' = h2\\u000a');
  });
});

describe('a ClientHello server_name that spells an escape', () => {
  it("is refused with the backslash shown doubled (a real control character never gets this far: decode_error)", () => {
    expect(parseOfferedHostName('a\\u001b[2J.example')).toBe('"a\\\\u001b[2J.example" is neither a DNS name nor an IP address');
  });
});
