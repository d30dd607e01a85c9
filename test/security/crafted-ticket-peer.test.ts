// Attacker: a session ticket handed back to the client from storage the attacker can write (a session cache
// on disk, a JSON round trip) with its `peer` edited. The engine re-judges the stored identity under today's
// policy (client/psk.ts chooseTicket) and derives its certificate type from it ("an identity with no
// certificate fingerprint is a raw key"): a fingerprint added to a raw key's identity, or removed from a
// certificate's, makes the re-judgement parse the stored bytes as the other type, which fails, and the ticket
// is not offered; the full handshake then negotiates the type itself. A `peer` without a chain (an external
// PSK's identity, which the engine never stores in a ticket, or a mangled one) crashed Connection.client with
// "Cannot read properties of undefined (reading 'length')"; it is now a TypeError naming the field, before
// anything is sent, as for every other misshaped config value.
import { describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../src/auth/builder.js';
import { encodeSpki } from '../../src/auth/keys.js';
import { nobleProvider } from '../../src/crypto/noble.js';
import { seededRandom } from '../../src/crypto/random.js';
import { Connection } from '../../src/handshake/connection.js';
import type { ClientConfig } from '../../src/handshake/config.js';
import type { SessionTicket } from '../../src/handshake/events.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { makeIdentity, TEST_NOW } from '../../src/testing/certs.js';
import { hex } from '../../src/wire/bytes.js';

const random = seededRandom('crafted-ticket-peer');
const serverKey = generateKeyPair('ed25519', random, nobleProvider).privateKey;
const serverSpki = encodeSpki(nobleProvider.publicKeyOf(serverKey));
const serverCertificate = makeIdentity({ subject: { CN: 'server' }, privateKey: serverKey }, seededRandom('crafted-ticket-peer/cert'));
const tickets = { count: 1, key: new Uint8Array(32).fill(9) };

/** The server holds one key as a raw key and in a certificate; the client pins the key, so either type passes its policy. */
function connect(client: Partial<ClientConfig>) {
  return new InMemoryPair(
    { serverName: 'server', trust: { kind: 'pinned-key', keys: [serverSpki] }, serverCertificateTypes: ['raw-public-key', 'x509'], now: () => TEST_NOW, random: seededRandom('ctp/c'), ...client },
    { certificate: serverCertificate, rawPublicKey: { privateKey: serverKey }, now: () => TEST_NOW, random: seededRandom('ctp/s'), tickets },
  ).run();
}
function ticketFrom(type: 'raw-public-key' | 'x509'): SessionTicket {
  const first = connect({ serverCertificateTypes: [type] });
  expect(first.client.info.serverCertificateType).toBe(type);
  return first.events('client').flatMap((e) => (e.type === 'session-ticket' ? [e.ticket] : []))[0]!;
}

describe("a ticket's stored server identity edited to claim the other certificate type", () => {
  it('a raw key given a certificate fingerprint, a certificate stripped of its own: not offered, the full handshake reports what it negotiated', () => {
    const raw = ticketFrom('raw-public-key');
    const x509 = ticketFrom('x509');
    const edited: SessionTicket[] = [
      { ...raw, peer: { ...raw.peer!, certificateSha256: 'ab'.repeat(32) } },
      { ...x509, peer: { ...x509.peer!, certificateSha256: undefined } },
    ];
    for (const ticket of edited) {
      const pair = connect({ resumption: { ticket } });
      expect(pair.client.info.resumed).toBeUndefined();
      // The full handshake negotiated a raw key (first in our list) and proved it: the type and the identity agree.
      expect(pair.client.info).toMatchObject({ serverCertificateType: 'raw-public-key', peer: { spkiSha256: hex(nobleProvider.hash('sha256', serverSpki)), chain: [serverSpki] } });
      expect(pair.client.info.peer).not.toHaveProperty('certificateSha256');
    }
  });

  it('control: the unedited tickets resume, each reporting its own type', () => {
    expect(connect({ resumption: { ticket: ticketFrom('raw-public-key') } }).client.info).toMatchObject({ resumed: true, serverCertificateType: 'raw-public-key' });
    expect(connect({ resumption: { ticket: ticketFrom('x509') } }).client.info).toMatchObject({ resumed: true, serverCertificateType: 'x509', peer: { certificateSha256: hex(nobleProvider.hash('sha256', serverCertificate.der)) } });
  });
});

describe("a ticket whose stored identity has no chain", () => {
  it('an external PSK identity or a missing chain is a TypeError naming the field, before anything is sent', () => {
    const ticket = ticketFrom('x509');
    const config = (peer: unknown): ClientConfig => ({
      serverName: 'server',
      trust: { kind: 'pinned-key', keys: [serverSpki] },
      now: () => TEST_NOW,
      random: seededRandom('ctp/bad'),
      resumption: { ticket: { ...ticket, peer: peer as SessionTicket['peer'] } },
    });
    for (const peer of [{ kind: 'psk', identity: new Uint8Array(4) }, { ...ticket.peer!, chain: undefined }, { ...ticket.peer!, chain: [] }, { ...ticket.peer!, chain: ['MIIB'] }]) {
      expect(() => Connection.client(config(peer))).toThrow(TypeError);
      expect(() => Connection.client(config(peer))).toThrow(/^resumption\.ticket\.peer\.chain/);
    }
  });
});
