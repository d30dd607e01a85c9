// The AES-CCM suites of RFC 8446 §B.4 end to end on an in-memory pair (this file runs under both providers:
// noble's CCM from src/crypto/ccm.ts, node:crypto's aes-128-ccm). Off by default, as in OpenSSL.
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/crypto/random.js';
import { DEFAULT_CIPHER_SUITES } from '../../src/handshake/suites.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { makeIdentity, TEST_NOW } from '../../src/testing/certs.js';
import { splitRecords } from '../../src/testing/tamper.js';
import { utf8 } from '../../src/wire/bytes.js';

const TLS_AES_128_CCM_SHA256 = 0x1304;
const TLS_AES_128_CCM_8_SHA256 = 0x1305;
const server = makeIdentity({ subject: { CN: 'server' } }, seededRandom('ccm identity'));

function pair(clientSuites: number[] | undefined, serverSuites: number[] | undefined) {
  return new InMemoryPair(
    { trust: { kind: 'pinned-certificate', certificates: [server.der] }, now: () => TEST_NOW, random: seededRandom('ccm c'), ...(clientSuites ? { cipherSuites: clientSuites } : {}) },
    { certificate: server, now: () => TEST_NOW, random: seededRandom('ccm s'), ...(serverSuites ? { cipherSuites: serverSuites } : {}) },
  );
}

describe('TLS_AES_128_CCM_SHA256 and TLS_AES_128_CCM_8_SHA256 (RFC 8446 §B.4)', () => {
  it.each([
    ['TLS_AES_128_CCM_SHA256', 16, TLS_AES_128_CCM_SHA256],
    ['TLS_AES_128_CCM_8_SHA256', 8, TLS_AES_128_CCM_8_SHA256],
  ])('%s completes a handshake and carries data both ways, each record %i bytes longer than its inner plaintext', (name, tagLength, code) => {
    const p = pair([code], [code, 0x1301]).run();
    expect(p.client.info.cipherSuite).toBe(name);
    expect(p.server.info.cipherSuite).toBe(name);
    const message = utf8.encode('hello over CCM');
    p.client.write(message);
    const sent = p.client.takeOutput();
    // TLSInnerPlaintext = content | content type (RFC 8446 §5.2), then the AEAD's tag (RFC 6655 §3).
    expect(splitRecords(sent).map((r) => r.fragment.length)).toEqual([message.length + 1 + tagLength]);
    p.server.receive(sent);
    p.server.write(utf8.encode('and back'));
    p.run();
    const data = (side: 'client' | 'server') => p.events(side).flatMap((e) => (e.type === 'data' ? [utf8.decode(e.data)] : []));
    expect(data('server')).toEqual(['hello over CCM']);
    expect(data('client')).toEqual(['and back']);
  });

  it('resumes a TLS_AES_128_CCM_8_SHA256 session through a HelloRetryRequest, 0-RTT rejected, binders over the new transcript', () => {
    const tickets = { count: 1, key: new Uint8Array(32).fill(4), maxEarlyDataSize: 64 };
    const first = new InMemoryPair(
      { trust: { kind: 'pinned-certificate', certificates: [server.der] }, now: () => TEST_NOW, random: seededRandom('ccm r1 c'), cipherSuites: [TLS_AES_128_CCM_8_SHA256] },
      { certificate: server, now: () => TEST_NOW, random: seededRandom('ccm r1 s'), cipherSuites: [TLS_AES_128_CCM_8_SHA256], tickets },
    ).run();
    const ticket = first.events('client').flatMap((e) => (e.type === 'session-ticket' ? [e.ticket] : []))[0]!;
    const second = new InMemoryPair(
      {
        trust: { kind: 'pinned-certificate', certificates: [server.der] },
        now: () => TEST_NOW,
        random: seededRandom('ccm r2 c'),
        cipherSuites: [TLS_AES_128_CCM_8_SHA256],
        keyShareGroups: [0x001d],
        resumption: { ticket, earlyData: utf8.encode('early') },
      },
      { certificate: server, now: () => TEST_NOW, random: seededRandom('ccm r2 s'), cipherSuites: [TLS_AES_128_CCM_8_SHA256], tickets, groups: [0x0017] },
    ).run();
    expect(second.client.info).toMatchObject({ cipherSuite: 'TLS_AES_128_CCM_8_SHA256', resumed: true });
    expect(second.events('client').some((e) => e.type === 'handshake-message' && e.message.kind === 'hello_retry_request')).toBe(true);
    expect(second.events('server').filter((e) => e.type === 'alert')).toEqual([]);
  });

  it('prefers what the server lists first among the suites both offer', () => {
    const p = pair([0x1301, TLS_AES_128_CCM_8_SHA256, TLS_AES_128_CCM_SHA256], [TLS_AES_128_CCM_SHA256, 0x1301]).run();
    expect(p.server.info.cipherSuite).toBe('TLS_AES_128_CCM_SHA256');
  });

  it('is off by default: not offered, and not accepted from a client that offers only CCM', () => {
    expect(DEFAULT_CIPHER_SUITES).not.toContain(TLS_AES_128_CCM_SHA256);
    expect(DEFAULT_CIPHER_SUITES).not.toContain(TLS_AES_128_CCM_8_SHA256);
    const p = pair([TLS_AES_128_CCM_SHA256, TLS_AES_128_CCM_8_SHA256], undefined).run();
    expect(p.events('server').filter((e) => e.type === 'alert' && e.direction === 'out').map((e) => e.type === 'alert' && e.description)).toEqual(['handshake_failure']);
  });
});
