// RFC 8446 §6.1: close_notify closes the sender's write side only. "Each party MUST send a close_notify
// alert before closing its write side of the connection ... This does not have any effect on its read side
// of the connection." and "Any data received after a closure alert has been received MUST be ignored."
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/crypto/random.js';
import type { TlsEvent } from '../../src/handshake/events.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { makeIdentity, TEST_NOW } from '../../src/testing/certs.js';
import { AlertDescription, AlertLevel } from '../../src/wire/enums.js';

const server = makeIdentity({ subject: { CN: 'half-close' }, keyType: 'ed25519', sans: { dns: ['half.example'] } }, seededRandom('half-close'));
const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
const utf8 = (s: string) => new TextEncoder().encode(s);

function connected(): InMemoryPair {
  const pair = new InMemoryPair(
    { serverName: 'half.example', trust: { kind: 'pinned-certificate', certificates: [server.der] }, now: () => TEST_NOW, random: seededRandom('c') },
    { certificate: server, now: () => TEST_NOW, random: seededRandom('s'), tickets: { count: 0 } },
  ).run();
  expect(pair.client.isConnected && pair.server.isConnected).toBe(true);
  return pair;
}

const dataOf = (events: TlsEvent[]) => events.flatMap((e) => (e.type === 'data' ? [text(e.data)] : []));
const alertsSent = (events: TlsEvent[]) => events.filter((e) => e.type === 'alert' && e.direction === 'out').map((e) => (e as { description: string }).description);

describe('half-close (RFC 8446 §6.1)', () => {
  it("lets the server answer after the client's close_notify, and the client read the answer", () => {
    const pair = connected();
    pair.client.write(utf8('GET / HTTP/1.0\r\n\r\n'));
    pair.client.close();
    expect(pair.client.isWritable).toBe(false);
    pair.run();
    expect(dataOf(pair.events('server'))).toEqual(['GET / HTTP/1.0\r\n\r\n']);
    expect(pair.events('server')).toContainEqual({ type: 'closed', by: 'peer' });
    // The server's write side is still open: it answers, then closes its side.
    expect(pair.server.isWritable).toBe(true);
    expect(pair.server.isClosed).toBe(false);
    pair.server.write(utf8('HTTP/1.0 200 OK\r\n\r\nhello'));
    pair.server.close();
    pair.run();
    expect(dataOf(pair.events('client'))).toEqual(['HTTP/1.0 200 OK\r\n\r\nhello']);
    expect(pair.client.isClosed && pair.server.isClosed).toBe(true);
    expect(alertsSent([...pair.events('client'), ...pair.events('server')])).toEqual(['close_notify', 'close_notify']);
  });

  it('never answers close_notify with close_notify by itself: the application decides when its side ends', () => {
    const pair = connected();
    pair.client.close();
    pair.run();
    expect(alertsSent(pair.events('server'))).toEqual([]);
    expect(pair.server.takeOutput()).toHaveLength(0);
  });

  it('ignores records that follow close_notify: no data delivered, no alert, nothing sent', () => {
    const pair = connected();
    // A peer that keeps sending after its close_notify, under the right keys and sequence numbers. Our
    // engine refuses to (write() throws once closed, and close() wipes its write keys), so this reaches past
    // that, into its record writer: close_notify, then data.
    const writer = (pair.server as unknown as { records: { writer: { alert(level: number, description: number): void; applicationData(d: Uint8Array): void } } }).records.writer;
    writer.alert(AlertLevel.warning, AlertDescription.close_notify);
    writer.applicationData(utf8('after close_notify'));
    pair.client.receive(pair.server.takeOutput());
    const events = pair.client.takeEvents();
    expect(events.filter((e) => e.type === 'data')).toEqual([]);
    expect(events).toContainEqual({ type: 'closed', by: 'peer' });
    expect(alertsSent(events)).toEqual([]);
    expect(pair.client.takeOutput()).toHaveLength(0);
    // The client's own side is still open.
    expect(pair.client.isWritable).toBe(true);
  });
});
