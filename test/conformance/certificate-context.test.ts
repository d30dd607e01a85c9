// certificate_request_context in the main handshake "SHALL be zero length" (RFC 8446 §4.3.2 for the
// CertificateRequest, §4.4.2 for the server's Certificate and the client's answer): a field out of its range,
// decode_error (§6.2), as BoringSSL (tls13_process_certificate, its runner's "RequestContextInHandshake-TLS13"),
// OpenSSL and rustls answer. After the handshake the client echoes the request's context; a different one is
// inconsistent with the request, illegal_parameter (post-handshake.test.ts).
import { describe, expect, it } from 'vitest';
import type { HandshakeMessage } from '../../src/wire/types.js';
import { alice, clientAbort, clientConfig, expectAbort, pinned, protectedEdit, runUntilAbort, serverConfig, tamperedPair } from '../handshake/abort-harness.js';

const withContext = (kind: 'certificate' | 'certificate_request') => (ms: HandshakeMessage[]) =>
  ms.map((m) => (m.kind === kind ? { ...m, context: Uint8Array.of(7) } : m));

describe('a non-empty certificate_request_context in the handshake is decode_error', () => {
  it('in the server\'s Certificate (our client)', () => {
    const result = clientAbort(protectedEdit('server', withContext('certificate')));
    expectAbort(result, 'decode_error', { protectedFor: result.peer }, 'DecodeError');
  });

  it('in the server\'s CertificateRequest (our client): "RequestContextInHandshake-TLS13"', () => {
    const result = clientAbort(protectedEdit('server', withContext('certificate_request')), { certificate: alice }, { clientAuth: 'require', trust: pinned(alice) });
    expectAbort(result, 'decode_error', { protectedFor: result.peer }, 'DecodeError');
  });

  it('in the client\'s Certificate (our server)', () => {
    const pair = tamperedPair(clientConfig({ certificate: alice }), serverConfig({ clientAuth: 'require', trust: pinned(alice) }), 'client', 1, protectedEdit('client', withContext('certificate')));
    const result = runUntilAbort(pair);
    expect(result.side).toBe('server');
    expectAbort(result, 'decode_error', { protectedFor: result.peer }, 'DecodeError');
  });

  it('the control: the same handshakes untouched connect', () => {
    const pair = tamperedPair(clientConfig({ certificate: alice }), serverConfig({ clientAuth: 'require', trust: pinned(alice) }), 'client', 1, (bytes) => bytes).run();
    expect(pair.client.isConnected && pair.server.isConnected && pair.server.info.clientAuth === 'authenticated').toBe(true);
  });
});
