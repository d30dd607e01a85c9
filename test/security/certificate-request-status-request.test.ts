// Attacker's scripts around status_request in a CertificateRequest (RFC 8446 §4.3.2, §4.4.2.1: "A server MAY
// request that a client present an OCSP response with its certificate by sending an empty "status_request"
// extension in its CertificateRequest message"). A server of the attacker's own (scripted, so its transcript,
// signature and Finished are consistent) asks our client for a staple. Our client has no OCSP response to give:
// it answers with its certificate and no extension at all (the staple is optional), and completes; a request
// whose status_request is not empty is refused with decode_error, before any certificate or signature of ours
// goes out. Our server never asks, so a client that staples anyway is refused with unsupported_extension before
// its staple is read (ocsp-stapling.test.ts).
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/crypto/random.js';
import { makeIdentity } from '../../src/testing/certs.js';
import { ExtensionType, SignatureScheme } from '../../src/wire/enums.js';
import * as X from '../../src/wire/extensions.js';
import { encodeHandshake } from '../../src/wire/messages.js';
import { ScriptedServer } from '../conformance/anvil-server.js';

const alice = makeIdentity({ subject: { CN: 'alice' }, keyType: 'ed25519' }, seededRandom('certificate-request status_request alice'));

/** The scripted server's whole flight, its CertificateRequest carrying status_request with `body`. */
function askForStaple(body: Uint8Array) {
  const server = new ScriptedServer({ certificate: alice });
  const request = encodeHandshake({
    kind: 'certificate_request',
    context: new Uint8Array(0),
    extensions: [X.ext(ExtensionType.signature_algorithms, X.signatureAlgorithms.encode([SignatureScheme.ed25519])), X.ext(ExtensionType.status_request, body)],
  });
  const result = server.deliver(server.serverHello(), server.protect(server.encryptedExtensions(), server.add(request), server.certificate(), server.certificateVerify(), server.finished()));
  const alerts = result.events.flatMap((e) => (e.type === 'alert' && e.direction === 'out' ? [e.description] : []));
  return { server, alerts, connected: result.victim.isConnected };
}

describe('status_request in a CertificateRequest, at our client', () => {
  it('an empty one (a request for a staple): our certificate and signature go without any extension, and the handshake completes', () => {
    const { server, alerts, connected } = askForStaple(new Uint8Array(0));
    expect(alerts).toEqual([]);
    expect(connected).toBe(true);
    expect(server.clientMessages.map((m) => m.kind)).toEqual(['certificate', 'certificate_verify', 'finished']);
    const certificate = server.clientMessages[0]!;
    if (certificate.kind !== 'certificate') throw new Error('not a Certificate');
    expect(certificate.entries.map((entry) => ({ der: entry.data.length, extensions: entry.extensions }))).toEqual([{ der: alice.der.length, extensions: [] }]);
  });

  it('one with a body (a CertificateRequest allows only an empty one): decode_error, and nothing of ours is sent', () => {
    const { server, alerts, connected } = askForStaple(X.statusRequestClientHello.encode({ responderIds: [], requestExtensions: new Uint8Array(0) }));
    expect(alerts).toEqual(['decode_error']);
    expect(connected).toBe(false);
    expect(server.clientMessages).toEqual([]);
  });
});
