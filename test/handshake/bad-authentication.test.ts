// Authentication failures end in the RFC's alert on the wire, checked like every bad input (abort-harness.ts):
// a CertificateVerify by the wrong key, a certificate the trust policy refuses, a missing or stolen client
// certificate, a CertificateVerify signed with the other role's context string, a bad client Finished.
import { createHash, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { ClientConfig, ServerConfig } from '../../src/handshake/config.js';
import type { TlsEvent } from '../../src/handshake/events.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { seededRandom } from '../../src/crypto/random.js';
import { sendingWhatItSigns, signingWithAnotherKey } from '../../src/testing/certs.js';
import { flipBit } from '../../src/testing/tamper.js';
import { concat } from '../../src/wire/bytes.js';
import {
  alice,
  ca,
  clientConfig,
  expectAbort,
  expiredServer,
  impostor,
  mallory,
  nodeClient,
  otherCa,
  pinned,
  protectedEdit,
  runUntilAbort,
  serverConfig,
  tamperedPair,
  type FlightEdit,
} from './abort-harness.js';

describe('authentication failures', () => {
  function clientRejects(client: Partial<ClientConfig>, srv: Partial<ServerConfig> = {}) {
    const result = runUntilAbort(new InMemoryPair(clientConfig(client), serverConfig(srv)));
    expect(result.side).toBe('client');
    return result;
  }

  it('sends decrypt_error when the server signs with a key that is not its certificate key', () => {
    const result = clientRejects({ trust: pinned(alice) }, sendingWhatItSigns(signingWithAnotherKey([alice.der], mallory.privateKey, seededRandom('mallory'))));
    expectAbort(result, 'decrypt_error', { protectedFor: result.peer }, 'BadCertificateVerifySignature');
    expect(result.victim.info.peer).toBeUndefined();
  });

  it('sends bad_certificate for a certificate that is not the pinned one', () => {
    const result = clientRejects({ trust: pinned(impostor) });
    expectAbort(result, 'bad_certificate', { protectedFor: result.peer });
  });

  it('sends unknown_ca for a chain that ends at a CA it does not trust', () => {
    const result = clientRejects({ trust: { kind: 'ca', anchors: [otherCa.der] } });
    expectAbort(result, 'unknown_ca', { protectedFor: result.peer });
  });

  it('sends certificate_expired for an expired certificate under a CA policy', () => {
    const result = clientRejects({ trust: { kind: 'ca', anchors: [ca.der] } }, { certificate: expiredServer });
    expectAbort(result, 'certificate_expired', { protectedFor: result.peer });
  });

  it('sends bad_certificate when the certificate does not name the host it asked for', () => {
    const result = clientRejects({ trust: { kind: 'ca', anchors: [ca.der] }, serverName: 'other.test' });
    expectAbort(result, 'bad_certificate', { protectedFor: result.peer });
  });

  it('accepts the same chain under the CA policy when the name matches (control for the cases above)', () => {
    const pair = new InMemoryPair(clientConfig({ trust: { kind: 'ca', anchors: [ca.der] } }), serverConfig()).run();
    expect(pair.client.isConnected).toBe(true);
  });

  it('sends bad_certificate when the caller rejects the certificate at the verify-peer pause', () => {
    const pair = new InMemoryPair(clientConfig({ trust: { kind: 'ask' } }), serverConfig()).run();
    expect(pair.client.pendingDecision?.kind).toBe('verify-peer');
    pair.client.resolve({ kind: 'verify-peer', verdict: { trusted: false } });
    expectAbort(
      { victim: pair.client, events: [...pair.events('client'), ...pair.client.takeEvents()], output: pair.client.takeOutput() },
      'bad_certificate',
      { protectedFor: pair.server },
    );
  });
});

describe('client authentication failures', () => {
  function serverAbort(client: Partial<ClientConfig>, srv: Partial<ServerConfig>) {
    const result = runUntilAbort(new InMemoryPair(clientConfig(client), serverConfig({ clientAuth: 'require', ...srv })));
    expect(result.side).toBe('server');
    return result;
  }

  it('sends certificate_required when a required client certificate is missing (RFC 8446 §4.4.2.4)', () => {
    const result = serverAbort({}, { trust: pinned(alice) });
    expectAbort(result, 'certificate_required', { protectedFor: result.peer });
  });

  it('sends bad_certificate for a client certificate that is not pinned', () => {
    const result = serverAbort({ certificate: mallory }, { trust: pinned(alice) });
    expectAbort(result, 'bad_certificate', { protectedFor: result.peer });
  });

  it("sends decrypt_error for a stolen certificate: someone else's certificate with the client's own key", () => {
    const result = serverAbort(sendingWhatItSigns(signingWithAnotherKey([alice.der], mallory.privateKey, seededRandom('mallory'))), { trust: pinned(alice) });
    expectAbort(result, 'decrypt_error', { protectedFor: result.peer }, 'BadCertificateVerifySignature');
    expect(result.victim.info.peer).toBeUndefined();
  });

  /** The client's CertificateVerify re-signed by node:crypto over the transcript, with the given role in the context string. */
  function resignedClientCertificateVerify(role: 'client' | 'server'): FlightEdit {
    return (bytes, pair) =>
      protectedEdit('client', (messages) =>
        messages.map((m) => {
          if (m.kind !== 'certificate_verify') return m;
          const events = pair.events('client').filter((e): e is Extract<TlsEvent, { type: 'handshake-message' }> => e.type === 'handshake-message');
          const before = events.slice(0, events.findIndex((e) => e.direction === 'out' && e.message.kind === 'certificate_verify'));
          const transcript = createHash('sha256').update(concat(...before.map((e) => e.raw))).digest();
          // RFC 8446 §4.4.3: 64 spaces, the context string, a zero byte, the transcript hash.
          const content = Buffer.concat([Buffer.alloc(64, 0x20), Buffer.from(`TLS 1.3, ${role} CertificateVerify`), Buffer.of(0), transcript]);
          return { ...m, signature: new Uint8Array(sign(null, content, nodeClient.privateKey)) };
        }),
      )(bytes, pair);
  }

  function withResignedCertificateVerify(role: 'client' | 'server'): InMemoryPair {
    const client = clientConfig({ certificate: nodeClient.identity });
    return tamperedPair(client, serverConfig({ clientAuth: 'require', trust: pinned(nodeClient.identity) }), 'client', 1, resignedClientCertificateVerify(role));
  }

  it('accepts a client CertificateVerify that node:crypto signed with the client context string (control)', () => {
    const pair = withResignedCertificateVerify('client').run();
    expect(pair.server.isConnected).toBe(true);
    expect(pair.server.info.clientAuth).toBe('authenticated');
  });

  it('sends decrypt_error for a client CertificateVerify signed with the server context string (RFC 8446 §4.4.3)', () => {
    const result = runUntilAbort(withResignedCertificateVerify('server'));
    expect(result.side).toBe('server');
    expectAbort(result, 'decrypt_error', { protectedFor: result.peer }, 'BadCertificateVerifySignature');
  });

  it('sends decrypt_error for a client Finished with one bit flipped (RFC 8446 §4.4.4)', () => {
    const pair = tamperedPair(clientConfig({ certificate: alice }), serverConfig({ clientAuth: 'require', trust: pinned(alice) }), 'client', 1,
      protectedEdit('client', (messages) => messages.map((m) => (m.kind === 'finished' ? { ...m, verifyData: flipBit(m.verifyData, 0) } : m))),
    );
    const result = runUntilAbort(pair);
    expect(result.side).toBe('server');
    expectAbort(result, 'decrypt_error', { protectedFor: result.peer }, 'BadFinished');
  });
});
