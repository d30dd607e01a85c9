// Attacker's scripts against record keys derived on the first record (s15-garb: keyschedule.ts TrafficSecretKeys,
// record/protection.ts derivedOnFirstRecord). A provider fails while deriving a record key or IV (an HSM that
// went away, a broken wasm HKDF, a provider that throws on purpose). The derivation used to happen when the keys
// were installed, inside the step that fails with an alert; now it happens at the first record sealed under them,
// and the alert that reports the failure is sealed under the same keys: it failed again, and the provider's
// error escaped the engine (from receive() on a server answering a ClientHello, from write(), close() and
// requestClientCertificate()), leaving a connection that was neither failed nor usable. Was open. Now: nothing
// escapes, the connection is closed with the error, and the alert goes on the wire whenever it can be sealed.
import { describe, expect, it } from 'vitest';
import { nobleProvider } from '../../src/crypto/noble.js';
import type { CryptoProvider } from '../../src/crypto/provider.js';
import { seededRandom } from '../../src/crypto/random.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import type { TlsEvent } from '../../src/handshake/events.js';
import { makeCast, SERVER_NAME } from '../../src/scenarios/mutual-tls.js';
import { TEST_NOW } from '../../src/testing/certs.js';
import { utf8 } from '../../src/wire/bytes.js';

const cast = makeCast('first-record key failure');

/** The label of an HkdfLabel (RFC 8446 §7.1): "tls13 key", "tls13 iv", ... */
const labelOf = (info: Uint8Array) => utf8.decode(info.subarray(3, 3 + info[2]!));

/** A provider whose HKDF-Expand fails for `label` while `failures` lasts (Infinity: for good). */
function failingFor(label: string, state: { failures: number }): CryptoProvider {
  return {
    ...nobleProvider,
    hkdfExpand(hash, prk, info, length, output) {
      if (state.failures > 0 && labelOf(info) === label) {
        state.failures--;
        throw new Error('the key provider is down');
      }
      return nobleProvider.hkdfExpand(hash, prk, info, length, output);
    },
  };
}

function pair(clientProvider: CryptoProvider, serverProvider: CryptoProvider): InMemoryPair {
  return new InMemoryPair(
    { provider: clientProvider, now: () => TEST_NOW, random: seededRandom('c'), serverName: SERVER_NAME, trust: { kind: 'ca', anchors: [cast.webCa.der] }, postHandshakeAuth: true, certificate: cast.alice },
    { provider: serverProvider, now: () => TEST_NOW, random: seededRandom('s'), certificate: cast.server, trust: { kind: 'pinned-certificate', certificates: [cast.alice.der] } },
  );
}

/** How the side closed: `by: error`, with the error's first words. */
const closedWith = (events: TlsEvent[]) => events.flatMap((e) => (e.type === 'closed' ? [`${e.by}: ${e.error?.replace(/^.*(the key provider is down).*$/, '$1') ?? 'clean'}`] : []));
const alerts = (events: TlsEvent[], direction: 'in' | 'out') => events.flatMap((e) => (e.type === 'alert' && e.direction === direction ? [`${e.level} ${e.description}`] : []));

describe.each(['tls13 key', 'tls13 iv'])('a provider that cannot derive a record %s', (label) => {
  it('at the server\'s first encrypted record (its handshake flight): closed with the error, nothing thrown out of receive()', () => {
    const p = pair(nobleProvider, failingFor(label, { failures: Infinity }));
    expect(() => p.run()).not.toThrow();
    expect(p.server.isClosed && !p.server.isConnected).toBe(true);
    expect(closedWith(p.events('server'))).toEqual(['us: the key provider is down']);
    expect(p.client.isConnected).toBe(false);
  });

  it('at the client\'s first application record: write() closes the connection instead of throwing, no data leaves', () => {
    const state = { failures: 0 };
    const p = pair(failingFor(label, state), nobleProvider).run();
    expect(p.client.isConnected && p.server.isConnected).toBe(true);
    state.failures = Infinity;
    expect(() => p.client.write(utf8.encode('secret'))).not.toThrow();
    p.run();
    expect(closedWith(p.events('client'))).toEqual(['us: the key provider is down']);
    expect(p.events('server').filter((e) => e.type === 'data')).toEqual([]);
    expect(() => p.client.write(utf8.encode('again'))).toThrow(/closed connection/);
  });

  it('at the close_notify, the first record under the application keys: close() ends with the error, not a throw nor a clean close', () => {
    const state = { failures: 0 };
    const p = pair(failingFor(label, state), nobleProvider).run();
    state.failures = Infinity;
    expect(() => p.client.close()).not.toThrow();
    p.run();
    expect(closedWith(p.events('client'))).toEqual(['us: the key provider is down']);
    expect(p.client.isClosed).toBe(true);
  });

  it('at the server\'s CertificateRequest, its first application record: requestClientCertificate() closes instead of throwing', () => {
    const state = { failures: 0 };
    const p = pair(nobleProvider, failingFor(label, state)).run();
    expect(p.server.isConnected).toBe(true);
    state.failures = Infinity;
    expect(() => p.server.requestClientCertificate()).not.toThrow();
    p.run();
    expect(closedWith(p.events('server'))).toEqual(['us: the key provider is down']);
  });

  it('a provider that fails once: the alert, sealed under the keys derived on the second try, reaches the peer', () => {
    const state = { failures: 0 };
    const p = pair(failingFor(label, state), nobleProvider).run();
    state.failures = 1;
    p.client.write(utf8.encode('secret'));
    p.run();
    expect(alerts(p.events('client'), 'out')).toEqual(['fatal internal_error']);
    expect(alerts(p.events('server'), 'in')).toEqual(['fatal internal_error']);
    expect(p.events('server').filter((e) => e.type === 'data')).toEqual([]);
  });
});
