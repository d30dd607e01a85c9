import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/crypto/random.js';
import type { ClientConfig, ServerConfig } from '../../src/handshake/config.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { makeIdentity, TEST_NOW } from '../../src/testing/certs.js';
import { splitRecords } from '../../src/testing/tamper.js';
import { utf8 } from '../../src/wire/bytes.js';
import { isGrease } from '../../src/wire/enums.js';
import * as X from '../../src/wire/extensions.js';
import { ExtensionType } from '../../src/wire/enums.js';

const server = makeIdentity({ subject: { CN: 'server' } }, seededRandom('record-options'));

function pair(client: Partial<ClientConfig>, serverExtra: Partial<ServerConfig>, capture: Uint8Array[] = []) {
  return new InMemoryPair(
    { trust: { kind: 'pinned-certificate', certificates: [server.der] }, now: () => TEST_NOW, random: seededRandom('c'), ...client },
    { certificate: server, random: seededRandom('s'), ...serverExtra },
    { tamper: ({ bytes }) => (capture.push(bytes), bytes) },
  ).run();
}

describe('record_size_limit (RFC 8449) and record padding (RFC 8446 §5.4)', () => {
  it('keeps every protected record the client sends within the limit the server announced', () => {
    const capture: Uint8Array[] = [];
    const p = pair({ clientHello: { recordSizeLimit: 2 ** 14 + 1 } }, { recordSizeLimit: 256 }, capture);
    capture.length = 0;
    p.client.write(new Uint8Array(5000).fill(7));
    p.run();
    const records = capture.flatMap((flight) => splitRecords(flight));
    // 256 bytes of TLSInnerPlaintext at most: 255 of content, the type byte, a 16-byte tag.
    expect(Math.max(...records.map((r) => r.fragment.length))).toBe(256 + 16);
    const received = p.events('server').flatMap((e) => (e.type === 'data' ? [e.data.length] : []));
    expect(received.reduce((a, b) => a + b, 0)).toBe(5000);
  });

  it('keeps the server within the limit the client offered, and answers the offer even without a limit of its own', () => {
    const capture: Uint8Array[] = [];
    const p = pair({ clientHello: { recordSizeLimit: 512 } }, {}, capture);
    const ee = p.events('client').find((e) => e.type === 'handshake-message' && e.message.kind === 'encrypted_extensions');
    const answer = ee?.type === 'handshake-message' && ee.message.kind === 'encrypted_extensions' ? X.findExtension(ee.message.extensions, ExtensionType.record_size_limit) : undefined;
    expect(answer && X.recordSizeLimit.parse(answer.data)).toBe(2 ** 14 + 1);
    capture.length = 0;
    p.server.write(new Uint8Array(3000));
    p.run();
    expect(Math.max(...capture.flatMap((f) => splitRecords(f)).map((r) => r.fragment.length))).toBe(512 + 16);
  });

  it('pads protected records as the padding policy asks, and the peer strips the padding', () => {
    const capture: Uint8Array[] = [];
    const p = pair({ recordPadding: () => 100 }, {}, capture);
    capture.length = 0;
    p.client.write(utf8.encode('hi'));
    p.run();
    const [record] = capture.flatMap((f) => splitRecords(f));
    expect(record!.fragment.length).toBe(2 + 1 + 100 + 16);
    expect(p.events('server').flatMap((e) => (e.type === 'data' ? [utf8.decode(e.data)] : []))).toEqual(['hi']);
  });
});

describe('GREASE (RFC 8701)', () => {
  it('puts GREASE values in suites, versions, groups, key shares, signature algorithms and extensions, and the server ignores them', () => {
    const p = pair({ clientHello: { grease: true } }, {});
    expect(p.client.isConnected && p.server.isConnected).toBe(true);
    const ch = p.events('server').find((e) => e.type === 'handshake-message' && e.message.kind === 'client_hello');
    if (ch?.type !== 'handshake-message' || ch.message.kind !== 'client_hello') throw new Error('no ClientHello');
    const hello = ch.message;
    const body = (type: number) => X.findExtension(hello.extensions, type)!.data;
    expect(hello.cipherSuites.some(isGrease)).toBe(true);
    expect(hello.extensions.filter((e) => isGrease(e.type))).toHaveLength(2);
    expect(X.supportedVersionsClientHello.parse(body(ExtensionType.supported_versions)).some(isGrease)).toBe(true);
    expect(X.supportedGroups.parse(body(ExtensionType.supported_groups)).some(isGrease)).toBe(true);
    expect(X.keyShareClientHello.parse(body(ExtensionType.key_share)).some((s) => isGrease(s.group))).toBe(true);
    expect(X.signatureAlgorithms.parse(body(ExtensionType.signature_algorithms)).some(isGrease)).toBe(true);
  });
});

describe('record_size_limit enforced on what we receive (RFC 8449 §4)', () => {
  it('sends record_overflow for a record larger than the limit it announced', () => {
    // The server announces 256 but is tricked into believing the client allows full records.
    const p = pair({ clientHello: { recordSizeLimit: 2 ** 14 + 1 } }, { recordSizeLimit: 256 });
    (p.client as unknown as { records: { writer: { recordSizeLimit: number } } }).records.writer.recordSizeLimit = 2 ** 14 + 1;
    p.client.write(new Uint8Array(1000));
    p.run();
    const alert = p.events('server').find((e) => e.type === 'alert' && e.direction === 'out');
    expect(alert).toMatchObject({ description: 'record_overflow' });
  });

  it.each([
    ['TLS_AES_128_GCM_SHA256', 0x1301],
    ['TLS_AES_128_CCM_8_SHA256', 0x1305],
  ])('under %s, takes exactly the limit of inner plaintext and refuses one byte more (the tag length is the suite\'s)', (_, suite) => {
    const alertsAfterWriting = (dataLength: number) => {
      const p = pair({ cipherSuites: [suite], clientHello: { recordSizeLimit: 2 ** 14 + 1 } }, { cipherSuites: [suite], recordSizeLimit: 256 });
      (p.client as unknown as { records: { writer: { recordSizeLimit: number } } }).records.writer.recordSizeLimit = 2 ** 14 + 1;
      p.client.write(new Uint8Array(dataLength));
      p.run();
      return p.events('server').flatMap((e) => (e.type === 'alert' && e.direction === 'out' ? [e.description] : []));
    };
    // TLSInnerPlaintext = data | content type: 255 bytes of data fill the 256 announced.
    expect(alertsAfterWriting(255)).toEqual([]);
    expect(alertsAfterWriting(256)).toEqual(['record_overflow']);
  });
});
