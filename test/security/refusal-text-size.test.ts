// Attacker: a client whose one 64 KiB ClientHello the server must refuse, written so that the refusal is as long as
// possible. Each refusal named every value the client listed: 32,000 cipher suites or groups ("unknown(0x3000)",
// 17 characters each), or 64 KiB of ALPN names made of control characters (escaped to six characters each).
// The alert's detail and the `closed` error were ~540 KB per connection, 8.5 times the attacker's bytes, and
// `tls13 serve` writes that to its log for every failed handshake: the log fills at 8.5 times the attacker's
// bandwidth. Was open. Now a refusal names the first 16 values and counts the others.
import { describe, expect, it } from 'vitest';
import { Connection } from '../../src/handshake/connection.js';
import type { TlsEvent } from '../../src/handshake/events.js';
import { encodeHandshake } from '../../src/wire/messages.js';
import type { ClientHello } from '../../src/wire/types.js';
import { baseHello, ext, EXT, groupsAndSharesHello, record, serverConfig, shareEntry, u16 } from '../handshake/abort-harness.js';

const COUNT = 32_000;
const unknownValues = Array.from({ length: COUNT }, (_, i) => 0x3000 + i);

/** The server's refusal of `hello`: its alert's detail and its `closed` error. */
function refusal(hello: ClientHello, alpnProtocols?: string[]): { alert: string; detail: string; error: string; helloLength: number } {
  const bytes = encodeHandshake(hello);
  const server = Connection.server(serverConfig(alpnProtocols ? { alpnProtocols } : {}));
  for (let at = 0; at < bytes.length; at += 16_384) server.receive(record(22, bytes.subarray(at, at + 16_384)));
  const events: TlsEvent[] = server.takeEvents();
  const alert = events.find((e) => e.type === 'alert' && e.direction === 'out');
  const closed = events.find((e) => e.type === 'closed');
  if (alert?.type !== 'alert' || closed?.type !== 'closed') throw new Error('the server did not refuse the ClientHello');
  return { alert: alert.description, detail: alert.detail ?? '', error: closed.error ?? '', helloLength: bytes.length };
}

describe('a 64 KiB ClientHello refused: the refusal stays short', () => {
  it('32,000 cipher suites, none ours', () => {
    const hello = baseHello();
    hello.cipherSuites = unknownValues;
    const { alert, detail, error, helloLength } = refusal(hello);
    expect(helloLength).toBeGreaterThan(64_000);
    expect(alert).toBe('handshake_failure');
    expect(detail).toMatch(/^client offered unknown\(0x3000\), .* and 31984 more$/);
    expect(error.length).toBeLessThan(1_000);
  });

  it('32,000 groups, none ours', () => {
    const hello = groupsAndSharesHello(unknownValues, shareEntry(0x3000, Uint8Array.of(1)));
    const { alert, detail, error, helloLength } = refusal(hello);
    expect(helloLength).toBeGreaterThan(64_000);
    expect(alert).toBe('handshake_failure');
    expect(detail).toMatch(/^no common group: the client supports unknown\(0x3000\), .* and 31984 more$/);
    expect(error.length).toBeLessThan(1_000);
  });

  it('64 KiB of ALPN names of control characters, none ours', () => {
    const names = Array.from({ length: 250 }, () => new Uint8Array(255).fill(0x0a));
    const list = names.flatMap((n) => [n.length, ...n]);
    const hello = baseHello();
    hello.extensions.push(ext(EXT.alpn, [...u16(list.length), ...list]));
    const { alert, detail, error, helloLength } = refusal(hello, ['http/1.1']);
    expect(helloLength).toBeGreaterThan(64_000);
    expect(alert).toBe('no_application_protocol');
    expect(detail).toMatch(/^client offered (\\u000a)+, .* and 234 more; we speak http\/1\.1$/);
    expect(error.length).toBeLessThan(30_000);
  });
});
