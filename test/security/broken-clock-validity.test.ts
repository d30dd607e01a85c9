// Attacker's test: a careless caller's clock that returns NaN (e.g. `now: () => Date.parse(setting)` with
// a bad setting) must not turn validity checks off. Every window comparison with NaN is false, so a check
// written as "refuse when now < notBefore / now > notAfter" accepted expired and not-yet-valid
// certificates, stale OCSP staples and CRLs. RFC 5280 §4.1.2.5: the time must fall inside the window; with
// no time, nothing does (fail closed), as the ticket checks already do for a NaN clock.
import { describe, expect, it } from 'vitest';
import type { TrustPolicy } from '../../src/auth/trust.js';
import { seededRandom } from '../../src/crypto/random.js';
import type { ClientConfig, ServerConfig } from '../../src/handshake/config.js';
import type { TlsEvent } from '../../src/handshake/events.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { DAY, makeIdentity, TEST_NOW, type Identity } from '../../src/testing/certs.js';
import { buildOcspResponse } from '../../src/testing/ocsp.js';
import { nobleProvider } from '../../src/crypto/noble.js';

const random = seededRandom('broken clock validity');
const ca = makeIdentity({ subject: { CN: 'Clock CA' }, keyType: 'p256', isCA: true, serial: 1n }, random);
const server = (serial: bigint, notBefore: number, notAfter: number) =>
  makeIdentity({ subject: { CN: 'victim.example' }, issuer: ca, serial, sans: { dns: ['victim.example'] }, extKeyUsage: ['serverAuth'], keyType: 'p256', notBefore, notAfter }, random);
const expired = server(0x10n, TEST_NOW - 400 * DAY, TEST_NOW - 30 * DAY);
const notYetValid = server(0x11n, TEST_NOW + 30 * DAY, TEST_NOW + 400 * DAY);
const current = server(0x12n, TEST_NOW - 30 * DAY, TEST_NOW + 365 * DAY);

function clientEvents(certificate: Identity, trust: TrustPolicy, clock: () => number, extra: Partial<ClientConfig> = {}, serverExtra: Partial<ServerConfig> = {}): TlsEvent[] {
  const client: ClientConfig = { trust, serverName: 'victim.example', now: clock, random: seededRandom('c'), ...extra };
  const serverConfig: ServerConfig = { certificate, now: () => TEST_NOW, random: seededRandom('s'), ...serverExtra };
  const pair = new InMemoryPair(client, serverConfig);
  pair.run();
  return pair.events('client');
}

function clientAlerts(certificate: Identity, trust: TrustPolicy, clock: () => number, extra: Partial<ClientConfig> = {}, serverExtra: Partial<ServerConfig> = {}): string[] {
  return clientEvents(certificate, trust, clock, extra, serverExtra).flatMap((e: TlsEvent) => (e.type === 'alert' && e.direction === 'out' ? [e.description] : []));
}

const caPolicy: TrustPolicy = { kind: 'ca', anchors: [ca.der] };
const pinned = (id: Identity): TrustPolicy => ({ kind: 'pinned-certificate', certificates: [id.der] });

describe('a client clock that returns NaN', () => {
  it('refuses an expired certificate under a CA policy (the honest clock refuses it too)', () => {
    expect(clientAlerts(expired, caPolicy, () => TEST_NOW)).toEqual(['certificate_expired']);
    expect(clientAlerts(expired, caPolicy, () => NaN)).toEqual(['certificate_expired']);
  });

  it('refuses a not-yet-valid certificate under a CA policy', () => {
    expect(clientAlerts(notYetValid, caPolicy, () => NaN)).toEqual(['certificate_expired']);
  });

  it('refuses an expired pinned certificate', () => {
    expect(clientAlerts(expired, pinned(expired), () => TEST_NOW)).toEqual(['certificate_expired']);
    expect(clientAlerts(expired, pinned(expired), () => NaN)).toEqual(['certificate_expired']);
  });

  it('refuses an infinite clock the same way', () => {
    expect(clientAlerts(expired, caPolicy, () => -Infinity)).toEqual(['certificate_expired']);
  });

  it('still accepts a current certificate under an honest clock (the check is not "refuse all")', () => {
    expect(clientAlerts(current, caPolicy, () => TEST_NOW)).toEqual([]);
  });

  it('does not believe a stale OCSP staple', () => {
    const stale = buildOcspResponse({ leaf: current.certificate, issuer: ca.certificate, signer: ca, status: 'good', thisUpdate: TEST_NOW - 10 * DAY, nextUpdate: TEST_NOW - 9 * DAY }, nobleProvider, random);
    const staple = { statusRequest: true };
    expect(clientAlerts(current, caPolicy, () => TEST_NOW, staple, { ocspResponse: stale })).toEqual(['bad_certificate_status_response']);
    // With a NaN clock the certificate itself can no longer be judged: refused before the staple.
    expect(clientAlerts(current, caPolicy, () => NaN, staple, { ocspResponse: stale })).not.toEqual([]);
  });

  it('does not report a stale staple as good under a key pin (keys have no validity of their own)', () => {
    const stale = buildOcspResponse({ leaf: current.certificate, issuer: ca.certificate, signer: ca, status: 'good', thisUpdate: TEST_NOW - 10 * DAY, nextUpdate: TEST_NOW - 9 * DAY }, nobleProvider, random);
    const keyPin: TrustPolicy = { kind: 'pinned-key', keys: [current.certificate.spki] };
    const ocsp = (clock: () => number) =>
      clientEvents({ ...current, chain: [current.der, ca.der] }, keyPin, clock, { statusRequest: true }, { ocspResponse: stale }).flatMap((e) =>
        e.type === 'decision' && e.topic === 'ocsp' ? [String(e.value)] : [],
      );
    expect(ocsp(() => TEST_NOW)).not.toContain('good');
    expect(ocsp(() => NaN)).not.toContain('good');
    expect(ocsp(() => NaN).length).toBe(1);
  });
});
