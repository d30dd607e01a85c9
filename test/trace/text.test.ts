import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/crypto/random.js';
import type { TlsEvent } from '../../src/handshake/events.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { makeIdentity, TEST_NOW } from '../../src/testing/certs.js';
import { hexDump, messageHeading, TextNarrator } from '../../src/trace/text.js';
import { hex } from '../../src/wire/bytes.js';

function tracedHandshake() {
  const random = seededRandom('text-trace');
  const server = makeIdentity({ subject: { CN: 'server' }, sans: { dns: ['example.test'] } }, random);
  return new InMemoryPair(
    { serverName: 'example.test', trust: { kind: 'pinned-certificate', certificates: [server.der] }, now: () => TEST_NOW, random: seededRandom('c'), trace: true, alpnProtocols: ['h2'] },
    { certificate: server, random: seededRandom('s'), now: () => TEST_NOW, trace: true, alpnProtocols: ['h2'] },
  ).run();
}

type MessageEvent = Extract<TlsEvent, { type: 'handshake-message' }>;

function messages(pair: InMemoryPair): MessageEvent[] {
  return pair.log.map((e) => e.event).filter((e): e is MessageEvent => e.type === 'handshake-message' && e.direction === 'out');
}

/** The (offset, bytes) rows of a dump, read back from its text. */
function rows(lines: string[]): Array<{ offset: number; bytes: number[] }> {
  return lines.flatMap((line) => {
    const m = /^(\w{4})  ((?:[0-9a-f]{2} )*[0-9a-f]{2})/.exec(line);
    return m ? [{ offset: parseInt(m[1]!, 16), bytes: m[2]!.split(' ').map((b) => parseInt(b, 16)) }] : [];
  });
}

describe('text trace', () => {
  it('draws client messages pointing right and server messages pointing left, as RFC 8446 §2 does', () => {
    expect(messageHeading('client', 'client_hello')).toBe('ClientHello →');
    expect(messageHeading('server', 'certificate_verify')).toBe('← CertificateVerify');
  });

  it('shows every byte of each message once, in order, at its offset', () => {
    for (const message of messages(tracedHandshake())) {
      const dump = rows(hexDump(message.raw, message.spans!));
      expect(Array.from(message.raw)).toEqual(dump.flatMap((r) => r.bytes));
      for (const row of dump) expect(Array.from(message.raw.subarray(row.offset, row.offset + row.bytes.length))).toEqual(row.bytes);
    }
  });

  it('puts each annotated field path, value and meaning beside the bytes', () => {
    for (const message of messages(tracedHandshake())) {
      const text = hexDump(message.raw, message.spans!).join('\n');
      for (const span of message.spans!) {
        expect(text).toContain(span.path);
        if (span.meaning !== undefined) expect(text).toContain(`(${span.meaning})`);
      }
    }
  });

  it('places the cipher suite of the ServerHello at its RFC 8446 §4.1.3 offset', () => {
    const hello = messages(tracedHandshake()).find((m) => m.message.kind === 'server_hello')!;
    // header 4 + legacy_version 2 + random 32 + session id length 1 + session id 32 = 71 = 0x47
    const line = hexDump(hello.raw, hello.spans!).find((l) => l.includes('server_hello.cipher_suite'));
    expect(line).toMatch(/^0047  13 01 +server_hello\.cipher_suite = 4865 \(TLS_AES_128_GCM_SHA256\)/);
  });

  it('tells a message and a secret once when both ends report them', () => {
    const pair = tracedHandshake();
    const narrator = new TextNarrator();
    const text = pair.log.flatMap(({ side, event }) => narrator.render(side, event)).join('\n');
    expect(text.match(/^ClientHello →/gm)).toHaveLength(1);
    expect(text.match(/secret client_handshake_traffic_secret/g)).toHaveLength(1);
    expect(text).toContain('[server] receives ClientHello');
    expect(text).toContain('[server] alpn: h2');
  });

  it('shows secret values only when asked, and colours only when told to', () => {
    const pair = tracedHandshake();
    const secret = pair.log.map((e) => e.event).find((e) => e.type === 'secret')!;
    if (secret.type !== 'secret') throw new Error('no secret');
    const plain = new TextNarrator().render('client', secret).join('\n');
    expect(plain).toContain('(value hidden)');
    expect(plain).not.toContain(hex(secret.secret));
    expect(plain).not.toContain('\x1b[');
    const shown = new TextNarrator({ secrets: true, color: true }).render('client', secret).join('\n');
    expect(shown).toContain(hex(secret.secret));
    expect(shown).toContain('\x1b[33m');
  });

  it('names the alert we sent and why', () => {
    const narrator = new TextNarrator();
    const lines = narrator.render('client', { type: 'alert', direction: 'out', level: 'fatal', description: 'bad_certificate', reason: 'BadCertificate', detail: 'not pinned' });
    expect(lines).toEqual(['  [client] sends fatal alert bad_certificate (BadCertificate: not pinned)']);
  });
});
