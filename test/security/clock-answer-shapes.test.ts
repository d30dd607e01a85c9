// Attacker's test: an expired (or not yet valid) certificate against a careless caller's clock that answers
// something other than a number. `now: () => new Date().toISOString()`, an async time source's Promise, or
// `now: () => { Date.now(); }` (no return) passed the NaN check (broken-clock-validity.test.ts), which looked
// for NaN itself: the string and the Promise made every window comparison false, and the expired certificate
// was accepted under a CA policy and a pinned one, in either role; the missing answer was internal_error.
// RFC 5280 §4.1.2.5: the time must fall inside the validity window; without a time, nothing does. The clock's
// answer is now read as a time (a number, or a Date's) or as none (NaN), which every check refuses.
import { describe, expect, it } from 'vitest';
import type { TrustPolicy } from '../../src/auth/trust.js';
import { seededRandom } from '../../src/crypto/random.js';
import type { TlsEvent } from '../../src/handshake/events.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { DAY, makeIdentity, TEST_NOW, type Identity } from '../../src/testing/certs.js';

const random = seededRandom('clock answer shapes');
const ca = makeIdentity({ subject: { CN: 'Clock CA' }, keyType: 'p256', isCA: true, serial: 1n }, random);
const leaf = (cn: string, serial: bigint, notBefore: number, notAfter: number, purpose: 'serverAuth' | 'clientAuth') =>
  makeIdentity({ subject: { CN: cn }, issuer: ca, serial, sans: { dns: [cn] }, extKeyUsage: [purpose], keyType: 'p256', notBefore, notAfter }, random);
const expiredServer = leaf('victim.example', 0x10n, TEST_NOW - 400 * DAY, TEST_NOW - 30 * DAY, 'serverAuth');
const notYetValidServer = leaf('victim.example', 0x11n, TEST_NOW + 30 * DAY, TEST_NOW + 400 * DAY, 'serverAuth');
const currentServer = leaf('victim.example', 0x12n, TEST_NOW - 30 * DAY, TEST_NOW + 365 * DAY, 'serverAuth');
const expiredClient = leaf('alice.example', 0x13n, TEST_NOW - 400 * DAY, TEST_NOW - 30 * DAY, 'clientAuth');

const caPolicy: TrustPolicy = { kind: 'ca', anchors: [ca.der] };
const pinned = (id: Identity): TrustPolicy => ({ kind: 'pinned-certificate', certificates: [id.der] });

const BROKEN_CLOCKS: Array<[string, () => unknown]> = [
  ['an ISO string', () => new Date(TEST_NOW).toISOString()],
  ['a Promise (an async time source)', () => Promise.resolve(TEST_NOW)],
  ['nothing (a clock that forgot to return)', () => undefined],
  ['a numeric string', () => String(TEST_NOW)],
];

function clientSide(certificate: Identity, trust: TrustPolicy, clock: () => unknown) {
  const pair = new InMemoryPair(
    { trust, serverName: 'victim.example', now: clock as () => number, random: seededRandom('c') },
    { certificate, now: () => TEST_NOW, random: seededRandom('s') },
  ).run();
  return { connected: pair.client.isConnected, sent: alertsOut(pair.events('client')) };
}

function serverSide(clientCertificate: Identity, trust: TrustPolicy, clock: () => unknown) {
  const pair = new InMemoryPair(
    { trust: pinned(currentServer), now: () => TEST_NOW, random: seededRandom('c'), certificate: clientCertificate },
    { certificate: currentServer, now: clock as () => number, random: seededRandom('s'), trust, clientAuth: 'require' },
  ).run();
  return { connected: pair.server.isConnected, peer: pair.server.info.peer, sent: alertsOut(pair.events('server')) };
}

const alertsOut = (events: TlsEvent[]) => events.flatMap((e) => (e.type === 'alert' && e.direction === 'out' ? [e.description] : []));

describe('a clock that answers no number judges no certificate valid', () => {
  it('the controls: a number and a Date refuse the expired certificate and accept the current one', () => {
    for (const clock of [() => TEST_NOW, () => new Date(TEST_NOW)]) {
      expect(clientSide(expiredServer, caPolicy, clock)).toEqual({ connected: false, sent: ['certificate_expired'] });
      expect(clientSide(currentServer, caPolicy, clock)).toEqual({ connected: true, sent: [] });
    }
  });

  for (const [shape, clock] of BROKEN_CLOCKS) {
    it(`${shape}: an expired and a not-yet-valid server certificate are refused, CA and pinned`, () => {
      expect(clientSide(expiredServer, caPolicy, clock)).toEqual({ connected: false, sent: ['certificate_expired'] });
      expect(clientSide(notYetValidServer, caPolicy, clock)).toEqual({ connected: false, sent: ['certificate_expired'] });
      expect(clientSide(expiredServer, pinned(expiredServer), clock)).toEqual({ connected: false, sent: ['certificate_expired'] });
    });

    it(`${shape}: a server does not authenticate a client by an expired certificate`, () => {
      const judged = serverSide(expiredClient, caPolicy, clock);
      expect(judged.peer).toBeUndefined();
      expect(judged.sent).toEqual(['certificate_expired']);
      expect(serverSide(expiredClient, pinned(expiredClient), clock).sent).toEqual(['certificate_expired']);
    });
  }
});
