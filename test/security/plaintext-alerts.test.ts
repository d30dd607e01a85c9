// Attacker: forge the end of a connection. The attacker on the path drops the records a side really sent
// and injects an unencrypted alert in their place: a close_notify to make a truncated stream look like a
// clean end (RFC 8446 §6.1), or a fatal alert to put words in the peer's mouth. Once a side reads with any
// keys, the peer protects every alert it sends (RFC 8446 §5, §6), so an unprotected alert is
// unexpected_message, never a close, and nothing the attacker dropped is ever reported.
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/crypto/random.js';
import type { TlsEvent } from '../../src/handshake/events.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { makeIdentity, TEST_NOW } from '../../src/testing/certs.js';
import { utf8 } from '../../src/wire/bytes.js';
import { AlertDescription, AlertLevel, ContentType, HandshakeType } from '../../src/wire/enums.js';

type Side = 'client' | 'server';

function newPair(seed: string) {
  const server = makeIdentity({ subject: { CN: 'server' } }, seededRandom(`${seed}-cert`));
  return new InMemoryPair(
    { trust: { kind: 'pinned-certificate', certificates: [server.der] }, now: () => TEST_NOW, random: seededRandom(`${seed}-c`) },
    { certificate: server, random: seededRandom(`${seed}-s`) },
  );
}

/** An unprotected TLSPlaintext alert record, as anyone on the path can write it. */
function forgedAlert(level: number, description: number): Uint8Array {
  return Uint8Array.of(ContentType.alert, 0x03, 0x03, 0x00, 0x02, level, description);
}

const FORGERIES = [
  ['close_notify', forgedAlert(AlertLevel.warning, AlertDescription.close_notify)],
  ['fatal decrypt_error', forgedAlert(AlertLevel.fatal, AlertDescription.decrypt_error)],
] as const;

/** Drops everything `from` has in flight: the attacker keeps the real records from arriving. */
function dropInFlight(pair: InMemoryPair, from: Side): number {
  const dropped = pair.pull(from).splice(0).length;
  return dropped;
}

function inject(pair: InMemoryPair, victim: Side, bytes: Uint8Array): TlsEvent[] {
  const start = pair.events(victim).length;
  pair.connection(victim).receive(bytes);
  pair.pull(victim);
  return pair.events(victim).slice(start);
}

/** The victim answered with unexpected_message, reported no clean close and no peer alert, and stopped. */
function expectRefused(pair: InMemoryPair, victim: Side, after: TlsEvent[]): void {
  const sent = after.filter((e) => e.type === 'alert' && e.direction === 'out');
  expect(sent.map((e) => e.type === 'alert' && e.description)).toEqual(['unexpected_message']);
  // The forged alert is never taken as the peer's word: no 'alert in', no close by the peer.
  expect(after.filter((e) => e.type === 'alert' && e.direction === 'in')).toEqual([]);
  expect(after.filter((e) => e.type === 'closed' && e.by === 'peer')).toEqual([]);
  expect(after.find((e) => e.type === 'closed')).toMatchObject({ type: 'closed', by: 'us' });
  expect(pair.connection(victim).state).toBe('CLOSED');
}

const dataSeen = (pair: InMemoryPair, side: Side) => pair.events(side).flatMap((e) => (e.type === 'data' ? [utf8.decode(e.data)] : []));

/** Delivers `from`'s records one by one until the peer has received a message of `type`; the rest stay in flight. */
function deliverThrough(pair: InMemoryPair, from: Side, type: number): void {
  const receiver: Side = from === 'client' ? 'server' : 'client';
  const arrived = () =>
    pair.events(receiver).some((e) => e.type === 'handshake-message' && e.direction === 'in' && e.raw[0] === type);
  while (!arrived()) if (!pair.stepRecord(from)) throw new Error(`no ${type} message from the ${from}`);
}

describe('attacker forges a plaintext alert once the victim reads with keys (RFC 8446 §5, §6)', () => {
  for (const [name, forged] of FORGERIES) {
    it(`server, right after the handshake: the client's request is dropped, a plaintext ${name} injected`, () => {
      const pair = newPair(`pa-srv-${name}`);
      pair.step('client'); // ClientHello
      pair.step('server'); // ServerHello .. Finished
      pair.step('client'); // client Finished: the server now reads with client application keys
      expect(pair.server.state).toBe('CONNECTED');
      pair.client.write(utf8.encode('transfer 100 to bob; and then 900 to mallory'));
      expect(dropInFlight(pair, 'client')).toBeGreaterThan(0);
      const after = inject(pair, 'server', forged);
      expectRefused(pair, 'server', after);
      expect(dataSeen(pair, 'server')).toEqual([]);
    });

    it(`client, right after the handshake: the server's response (and ticket) is dropped, a plaintext ${name} injected`, () => {
      const pair = newPair(`pa-cli-${name}`);
      pair.step('client');
      deliverThrough(pair, 'server', HandshakeType.finished);
      pair.step('client');
      expect(pair.client.state).toBe('CONNECTED');
      pair.server.write(utf8.encode('the whole response'));
      expect(dropInFlight(pair, 'server')).toBeGreaterThan(0);
      const after = inject(pair, 'client', forged);
      expectRefused(pair, 'client', after);
      expect(dataSeen(pair, 'client')).toEqual([]);
    });

    it(`server, after a KeyUpdate: the data under the new keys is dropped, a plaintext ${name} injected`, () => {
      const pair = newPair(`pa-ku-${name}`).run();
      pair.client.write(utf8.encode('before'));
      pair.run();
      pair.client.updateKeys(false);
      pair.client.write(utf8.encode('after the key change'));
      const records = pair.pull('client');
      expect(records).toHaveLength(2); // KeyUpdate, then the data under the next keys
      pair.stepRecord('client'); // KeyUpdate: the server moves to the next read keys
      expect(pair.events('server').some((e) => e.type === 'handshake-message' && e.message.kind === 'key_update')).toBe(true);
      dropInFlight(pair, 'client');
      const after = inject(pair, 'server', forged);
      expectRefused(pair, 'server', after);
      expect(dataSeen(pair, 'server')).toEqual(['before']);
    });

    it(`client, mid-handshake after ServerHello: the encrypted flight is dropped, a plaintext ${name} injected`, () => {
      const pair = newPair(`pa-mid-${name}`);
      pair.step('client');
      deliverThrough(pair, 'server', HandshakeType.server_hello); // the client now reads with server handshake keys
      dropInFlight(pair, 'server');
      const after = inject(pair, 'client', forged);
      expectRefused(pair, 'client', after);
      expect(pair.client.info.peer).toBeUndefined();
    });
  }

  // The server reads with the client's handshake keys from its ServerHello on, but a client that rejects
  // that ServerHello has no keys and alerts in plaintext (RFC 8446 §7.3); test/handshake/bad-input.test.ts
  // shows the server reading it. That exception covers error alerts only: a close is never forged there.
  it('server, mid-handshake after its ServerHello: a plaintext close_notify is refused, not a clean close', () => {
    const pair = newPair('pa-srv-mid');
    pair.step('client');
    pair.step('server');
    dropInFlight(pair, 'client');
    const after = inject(pair, 'server', forgedAlert(AlertLevel.warning, AlertDescription.close_notify));
    expectRefused(pair, 'server', after);
  });

  it("server, mid-flight: once one of the client's protected records opened, a plaintext error alert is refused", () => {
    // A client Certificate of more than 2^14 bytes (its leaf sent 64 times) spans two protected records.
    const server = makeIdentity({ subject: { CN: 'server' } }, seededRandom('pa-split-cert'));
    const leaf = makeIdentity({ subject: { CN: 'client' } }, seededRandom('pa-split-client'));
    const client = { ...leaf, chain: Array.from({ length: 64 }, () => leaf.der) };
    const pair = new InMemoryPair(
      {
        trust: { kind: 'pinned-certificate', certificates: [server.der] },
        certificate: client,
        now: () => TEST_NOW,
        random: seededRandom('pa-split-c'),
      },
      {
        certificate: server,
        clientAuth: 'require',
        trust: { kind: 'pinned-certificate', certificates: [leaf.der] },
        now: () => TEST_NOW,
        random: seededRandom('pa-split-s'),
      },
    );
    pair.step('client');
    pair.step('server');
    const flight = pair.pull('client');
    const firstProtected = flight.findIndex((r) => r.bytes[0] === ContentType.application_data);
    expect(flight.length - firstProtected).toBeGreaterThanOrEqual(2);
    flight.splice(firstProtected + 1); // the attacker lets the CCS and one protected record through
    pair.stepFlight('client');
    const after = inject(pair, 'server', forgedAlert(AlertLevel.fatal, AlertDescription.bad_certificate));
    expectRefused(pair, 'server', after);
    expect(pair.server.info.peer).toBeUndefined();
  });

  it('client, after ServerHello and a CCS: a plaintext close_notify is still refused, the CCS is not', () => {
    const pair = newPair('pa-ccs');
    pair.step('client');
    deliverThrough(pair, 'server', HandshakeType.server_hello);
    dropInFlight(pair, 'server');
    const ccs = Uint8Array.of(ContentType.change_cipher_spec, 0x03, 0x03, 0x00, 0x01, 0x01);
    expect(inject(pair, 'client', ccs).filter((e) => e.type === 'alert')).toEqual([]);
    expectRefused(pair, 'client', inject(pair, 'client', forgedAlert(AlertLevel.warning, AlertDescription.close_notify)));
  });
});
