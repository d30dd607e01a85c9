import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/crypto/random.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { makeIdentity, TEST_NOW } from '../../src/testing/certs.js';
import { utf8 } from '../../src/wire/bytes.js';

describe('in-memory handshake', () => {
  it('completes a 1-RTT handshake with a CA-signed Ed25519 server certificate and exchanges data', () => {
    const random = seededRandom('pair-1');
    const ca = makeIdentity({ subject: { CN: 'Test CA' }, isCA: true, keyUsage: ['keyCertSign'] }, random);
    const server = makeIdentity({ subject: { CN: 'server' }, issuer: ca, sans: { dns: ['example.test'] }, extKeyUsage: ['serverAuth'] }, random);
    const pair = new InMemoryPair(
      { serverName: 'example.test', trust: { kind: 'ca', anchors: [ca.der] }, now: () => TEST_NOW, random: seededRandom('c') },
      { certificate: server, random: seededRandom('s'), now: () => TEST_NOW },
    ).run();
    expect(pair.client.state).toBe('CONNECTED');
    expect(pair.server.state).toBe('CONNECTED');
    pair.client.write(utf8.encode('ping'));
    pair.run();
    const data = pair.events('server').filter((e) => e.type === 'data');
    expect(data.map((e) => (e.type === 'data' ? utf8.decode(e.data) : ''))).toEqual(['ping']);
    expect(pair.client.info.peer?.dnsNames).toEqual(['example.test']);
  });
});
