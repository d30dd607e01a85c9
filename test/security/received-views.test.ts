// Decoded handshake messages hold views, not copies, into the bytes they were decoded from: the received
// record (plaintext hellos), the AEAD output of a protected record, or the one copy the reassembly makes of
// a message spread over several records. Such a view is safe only while nothing writes those bytes again.
// This pins that for every message both sides receive: after the handshake, more records both ways, key
// updates, every received message and its raw bytes are still what they were on arrival. A
// record layer that decrypted into a reused buffer, or reassembled into one, would fail here.
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/crypto/random.js';
import type { TlsEvent } from '../../src/handshake/events.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { makeIdentity, TEST_NOW } from '../../src/testing/certs.js';
import { utf8 } from '../../src/wire/bytes.js';

type Received = Extract<TlsEvent, { type: 'handshake-message' }>;

function received(events: TlsEvent[]): Received[] {
  return events.filter((e): e is Received => e.type === 'handshake-message' && e.direction === 'in');
}

function connectedPair(label: string) {
  const random = seededRandom(label);
  const ca = makeIdentity({ subject: { CN: 'Views CA' }, isCA: true, keyUsage: ['keyCertSign'] }, random);
  const server = makeIdentity({ subject: { CN: 'server' }, issuer: ca, sans: { dns: ['views.test'] }, extKeyUsage: ['serverAuth'] }, random);
  const client = makeIdentity({ subject: { CN: 'client' }, issuer: ca, extKeyUsage: ['clientAuth'] }, random);
  return new InMemoryPair(
    { serverName: 'views.test', trust: { kind: 'ca', anchors: [ca.der] }, certificate: client, now: () => TEST_NOW, random: seededRandom(`${label} c`) },
    { certificate: server, clientAuth: 'require', trust: { kind: 'ca', anchors: [ca.der] }, random: seededRandom(`${label} s`), now: () => TEST_NOW },
  );
}

describe('views held by decoded messages', () => {
  it('stay unchanged while the connection goes on receiving records', () => {
    const pair = connectedPair('received views').run();
    expect(pair.client.isConnected && pair.server.isConnected).toBe(true);
    const live = [...received(pair.events('client')), ...received(pair.events('server'))];
    // Every kind of the handshake arrived: ServerHello to Finished on the client, ClientHello, Certificate, CertificateVerify and Finished on the server.
    expect(new Set(live.map((e) => e.message.kind))).toEqual(
      new Set(['client_hello', 'server_hello', 'encrypted_extensions', 'certificate_request', 'certificate', 'certificate_verify', 'finished']),
    );
    const onArrival = structuredClone(live.map((e) => ({ message: e.message, raw: e.raw })));

    for (let round = 0; round < 4; round++) {
      pair.client.write(utf8.encode(`client ${round} `.repeat(500)));
      pair.server.write(utf8.encode(`server ${round} `.repeat(500)));
      pair.client.updateKeys(true);
      pair.run();
    }
    expect(received(pair.events('server')).filter((e) => e.message.kind === 'key_update').length).toBeGreaterThan(0);
    expect(live.map((e) => ({ message: e.message, raw: e.raw }))).toEqual(onArrival);
  });
});
