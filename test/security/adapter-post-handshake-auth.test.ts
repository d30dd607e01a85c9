// Attacker: post-handshake client authentication (RFC 8446 §4.6.2) through the Node adapter. The server socket's
// `authorized` and `getPeerCertificate()` must name a client certificate only once it is proven (trusted by the
// server's policy, CertificateVerify and Finished verified), and must follow the identity the answer proved.
// `authorized` was computed once, at 'secure': a client that proved a trusted certificate after the handshake
// stayed `authorized: false` while getPeerCertificate() named it (an application checking `authorized` refused
// a proven client; one checking the certificate trusted what `authorized` denied).
import { afterAll, describe, expect, it } from 'vitest';
import { connect, createServer, type Tls13Server, type Tls13Socket } from '../../src/node/adapter.js';
import type { NegotiatedInfo, PendingDecision } from '../../src/handshake/events.js';
import type { TrustPolicy } from '../../src/auth/trust.js';
import { makeIdentity, DAY, type Identity } from '../../src/testing/certs.js';
import { seededRandom } from '../../src/crypto/random.js';
import { ca, certPem, listen, serverCertificates, strangerClient, trustedClient } from '../node/fixtures.js';

const bob = makeIdentity({ subject: { CN: 'bob' }, keyType: 'p256', serial: 12n, extKeyUsage: ['clientAuth'], notBefore: Date.now() - DAY, notAfter: Date.now() + DAY }, seededRandom('adapter pha bob'));
const pinned: TrustPolicy = { kind: 'pinned-certificate', certificates: [trustedClient.der, bob.der] };

let servers: Tls13Server[] = [];
afterAll(() => {
  for (const s of servers) s.close();
  servers = [];
});

/** What the server socket says about its peer. */
const view = (socket: Tls13Socket) => ({
  authorized: socket.authorized,
  authorizationError: socket.authorizationError,
  subject: (socket.getPeerCertificate() as { subject?: { CN?: string } }).subject?.CN,
  x509: socket.getPeerX509Certificate()?.subject,
});

/**
 * A client that answers the handshake's CertificateRequest (if any) with `first` and the post-handshake one
 * with `second` (undefined: no certificate). The server trusts `trust` (or asks `serverDecision`).
 */
async function connection(options: { first?: Identity; second?: Identity; trust?: TrustPolicy; serverDecision?: (socket: Tls13Socket, d: PendingDecision) => void }) {
  const server = createServer({ certificate: serverCertificates['ECDSA P-256'], trust: options.trust ?? pinned, clientAuth: 'optional' });
  servers.push(server);
  server.on('tlsClientError', () => {});
  const port = await listen(server);
  const accepted = new Promise<Tls13Socket>((resolve) => server.once('secureConnection', resolve));
  if (options.serverDecision) server.on('tlsSocket', (s: Tls13Socket) => s.on('decision-needed', (d: PendingDecision) => options.serverDecision!(s, d)));
  const client = connect({ port, host: 'localhost', ca: certPem(ca), postHandshakeAuth: true, certificate: 'ask' });
  client.on('error', () => {});
  let asked = 0;
  const answers = [options.first, options.second];
  client.on('decision-needed', (d: PendingDecision) => {
    const certificate = answers[asked++];
    if (d.kind === 'client-certificate') client.resolve({ kind: 'client-certificate', ...(certificate ? { certificate } : {}) });
  });
  const socket = await accepted;
  socket.on('error', () => {});
  const before = view(socket);
  const outcome = new Promise<{ answer?: string; replaced?: string; error?: string }>((resolve) => {
    socket.once('postHandshakeAuth', (_info: NegotiatedInfo, answer: string, replaced?: { subject?: string }) => resolve({ answer, ...(replaced?.subject ? { replaced: replaced.subject } : {}) }));
    socket.once('error', (e: Error) => resolve({ error: e.message }));
  });
  socket.requestClientCertificate();
  const result = await outcome;
  const after = view(socket);
  client.destroy();
  socket.destroy();
  return { before, after, result };
}

describe('post-handshake client authentication through the adapter', () => {
  it('none in the handshake, a trusted certificate after it: authorized, and the proven certificate reported', async () => {
    const { before, after, result } = await connection({ second: trustedClient });
    expect(before).toEqual({ authorized: false, authorizationError: undefined, subject: undefined, x509: undefined });
    expect(result).toEqual({ answer: 'certificate' });
    expect(after).toMatchObject({ authorized: true, authorizationError: undefined, subject: 'trusted client', x509: 'CN=trusted client' });
  });

  it('an untrusted certificate after the handshake: the connection fails, and it is never reported', async () => {
    const { after, result } = await connection({ second: strangerClient });
    expect(result.error).toMatch(/bad_certificate/);
    expect(after).toMatchObject({ authorized: false, subject: undefined, x509: undefined });
  });

  it('an untrusted certificate after a proven one: the connection fails; the proven one stays what is reported', async () => {
    const { before, after, result } = await connection({ first: trustedClient, second: strangerClient });
    expect(before).toMatchObject({ authorized: true, subject: 'trusted client' });
    expect(result.error).toMatch(/bad_certificate/);
    expect(after).toMatchObject({ authorized: true, subject: 'trusted client', x509: 'CN=trusted client' });
  });

  it('no certificate after the handshake: nobody before, nobody after; a proven client stays proven', async () => {
    expect(await connection({})).toMatchObject({ result: { answer: 'none' }, after: { authorized: false, subject: undefined } });
    expect(await connection({ first: trustedClient })).toMatchObject({ result: { answer: 'none' }, after: { authorized: true, subject: 'trusted client' } });
  });

  it('another trusted identity after the handshake: the socket reports the new one, the event names the one it replaced', async () => {
    const { before, after, result } = await connection({ first: trustedClient, second: bob });
    expect(before).toMatchObject({ authorized: true, subject: 'trusted client' });
    expect(result).toEqual({ answer: 'certificate', replaced: 'CN=trusted client' });
    expect(after).toMatchObject({ authorized: true, subject: 'bob', x509: 'CN=bob' });
  });

  it('while the server judges the answer (Certificate received, nothing proven yet), the socket reports nobody', async () => {
    const seen: Array<ReturnType<typeof view>> = [];
    const { after, result } = await connection({
      second: trustedClient,
      trust: { kind: 'ask' },
      serverDecision: (socket, decision) => {
        seen.push(view(socket));
        socket.resolve({ kind: 'verify-peer', verdict: { trusted: decision.kind === 'verify-peer' } });
      },
    });
    expect(seen).toEqual([{ authorized: false, authorizationError: undefined, subject: undefined, x509: undefined }]);
    expect(result).toEqual({ answer: 'certificate' });
    expect(after).toMatchObject({ authorized: true, subject: 'trusted client' });
  });
});
