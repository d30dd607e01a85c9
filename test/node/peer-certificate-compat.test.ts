// Side by side with node:tls (v20) on one server: the client's `servername` (false unless the servername
// option named a DNS name, also when `host` went out as SNI) and getPeerX509Certificate() (the proven peer's
// leaf as a node:crypto X509Certificate; undefined before a client proved one: adapter-post-handshake-auth),
// getPeerCertificate(true) (issuerCertificate links along the validated path, the self-signed root linking
// to itself), and a server's `servername` (false when the client sent no SNI).
import * as tls from 'node:tls';
import { once } from 'node:events';
import { createHash, X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { connect, createServer, type Tls13Socket } from '../../src/node/adapter.js';
import { ca, certPem, keyPem, listen, serverCertificates, strangerClient, trustedClient, fileHelloServer } from './fixtures.js';

const port = fileHelloServer();

async function both(options: { host: string; servername?: string }) {
  const ours = connect({ port: port(), ca: certPem(ca), ...options });
  const theirs = tls.connect({ port: port(), ca: certPem(ca), minVersion: 'TLSv1.3', ...options });
  await Promise.all([once(ours, 'secureConnect'), once(theirs, 'secureConnect')]);
  const seen = [ours, theirs].map((s) => ({ servername: s.servername, fingerprint: s.getPeerX509Certificate()?.fingerprint256 }));
  ours.destroy();
  theirs.destroy();
  return seen;
}

describe('node:tls compatibility of the peer views', () => {
  for (const options of [{ host: '127.0.0.1' }, { host: 'localhost' }, { host: '127.0.0.1', servername: 'localhost' }]) {
    it(`${JSON.stringify(options)}: servername and getPeerX509Certificate() as node:tls`, async () => {
      const [ours, theirs] = await both(options);
      expect(ours).toEqual(theirs);
      expect(ours!.fingerprint).toBe(new X509Certificate(serverCertificates['ECDSA P-256'].der).fingerprint256);
    });
  }
});

/** The certificates getPeerCertificate(true) links, leaf first, until a certificate links to itself (`selfLinked`). */
function issuerWalk(certificate: tls.PeerCertificate | tls.DetailedPeerCertificate | Record<string, never>) {
  const seen: Array<{ subject: unknown; issuer: unknown; fingerprint256: string }> = [];
  let at = certificate as Partial<tls.DetailedPeerCertificate>;
  while (at.fingerprint256 !== undefined && seen.length < 10) {
    seen.push({ subject: at.subject, issuer: at.issuer, fingerprint256: at.fingerprint256 });
    if (at.issuerCertificate === at) return { seen, selfLinked: true };
    at = at.issuerCertificate ?? {};
  }
  return { seen, selfLinked: false };
}

const P256 = serverCertificates['ECDSA P-256'];
const fingerprintOf = (der: Uint8Array) => new X509Certificate(der).fingerprint256;

/** A server of ours sending `chain` for the P-256 key (also as a raw public key, for clients that ask); its port. */
async function servingChain(chain: Uint8Array[]) {
  const server = createServer({ certificate: { ...P256, chain }, rawPublicKey: { privateKey: P256.privateKey } }, (socket) => {
    socket.on('error', () => {});
    socket.end('hello');
  });
  server.on('tlsClientError', () => {});
  return { server, port: await listen(server) };
}

/** What `view` reads of the socket once connected (before destroy(), after which node:tls answers null). */
async function viewOnce<T>(socket: Tls13Socket | tls.TLSSocket, view: (socket: Tls13Socket | tls.TLSSocket) => T): Promise<T> {
  await once(socket, 'secureConnect');
  const seen = view(socket);
  socket.destroy();
  return seen;
}
const detailedWalk = (socket: Tls13Socket | tls.TLSSocket) => issuerWalk(socket.getPeerCertificate(true));

describe('getPeerCertificate(true): issuerCertificate along the validated path', () => {
  it('as node:tls for the same chain: leaf, then its CA, the self-signed root linking to itself', async () => {
    const options = { port: port(), host: 'localhost', ca: certPem(ca) };
    const [oursWalk, theirsWalk] = await Promise.all([viewOnce(connect(options), detailedWalk), viewOnce(tls.connect({ ...options, minVersion: 'TLSv1.3' }), detailedWalk)]);
    expect(oursWalk).toEqual(theirsWalk);
    expect(oursWalk!.seen.map((c) => c.fingerprint256)).toEqual([fingerprintOf(P256.der), fingerprintOf(ca.der)]);
    expect(oursWalk!.selfLinked).toBe(true);
  });

  it('without the argument: no issuerCertificate, as node:tls', async () => {
    const options = { port: port(), host: 'localhost', ca: certPem(ca) };
    const plain = (socket: Tls13Socket | tls.TLSSocket) => socket.getPeerCertificate();
    const [ours, theirs] = await Promise.all([viewOnce(connect(options), plain), viewOnce(tls.connect({ ...options, minVersion: 'TLSv1.3' }), plain)]);
    expect(ours.fingerprint256).toBe(theirs.fingerprint256);
    expect('issuerCertificate' in ours).toBe('issuerCertificate' in theirs);
    expect(ours).not.toHaveProperty('issuerCertificate');
  });

  it('a certificate the peer sent but the path did not use is never reported as the issuer', async () => {
    // The server sends a stranger's self-signed certificate after its leaf: validation chains the leaf to the CA anchor.
    const { server, port: strangerPort } = await servingChain([P256.der, strangerClient.der]);
    const walk = await viewOnce(connect({ port: strangerPort, host: 'localhost', ca: certPem(ca) }), detailedWalk);
    server.close();
    expect(walk.seen.map((c) => c.fingerprint256)).toEqual([fingerprintOf(P256.der), fingerprintOf(ca.der)]);
    expect(walk.selfLinked).toBe(true);
  });

  it('a pinned leaf links to no issuer: the pin proved the leaf alone, not what was sent after it', async () => {
    const { server, port: pinnedPort } = await servingChain([P256.der, ca.der]);
    const pinned = connect({ port: pinnedPort, host: 'localhost', trust: { kind: 'pinned-certificate', certificates: [P256.der] } });
    const leaf = await viewOnce(pinned, (socket) => socket.getPeerCertificate(true));
    server.close();
    expect(leaf.fingerprint256).toBe(fingerprintOf(P256.der));
    expect(leaf).not.toHaveProperty('issuerCertificate');
  });

  it('a pinned self-signed leaf does not link to itself: no path validation showed it to be its own issuer', async () => {
    const server = createServer({ certificate: trustedClient }, (socket) => socket.end('hello'));
    const pinned = connect({ port: await listen(server), host: 'localhost', trust: { kind: 'pinned-certificate', certificates: [trustedClient.der] } });
    const leaf = await viewOnce(pinned, (socket) => socket.getPeerCertificate(true));
    server.close();
    expect(leaf.fingerprint256).toBe(fingerprintOf(trustedClient.der));
    expect(leaf).not.toHaveProperty('issuerCertificate');
  });

  it('a raw public key peer: {} and no throw, with or without the argument', async () => {
    const { server, port: rawPort } = await servingChain([P256.der]);
    const spki = new X509Certificate(P256.der).publicKey.export({ type: 'spki', format: 'der' });
    const pin = createHash('sha256').update(spki).digest('base64');
    const raw = connect({ port: rawPort, host: 'localhost', serverCertificateTypes: ['raw-public-key'], trust: { kind: 'pinned-key', spkiSha256: [pin] } });
    const seen = await viewOnce(raw, (socket) => [raw.connection.info.serverCertificateType, socket.getPeerCertificate(true), socket.getPeerCertificate()]);
    server.close();
    expect(seen).toEqual(['raw-public-key', {}, {}]);
  });
});

describe("a server's servername, as node:tls", () => {
  /** The server sockets' servername, ours then node's, for a node:tls client connecting with `options`. */
  async function serverSide(options: { host: string; servername?: string }) {
    const names: Array<string | false | undefined> = [];
    const ours = createServer({ certificate: P256 }, (socket) => socket.end('hello'));
    const theirs = tls.createServer({ cert: certPem(P256), key: keyPem(P256), minVersion: 'TLSv1.3' }, (socket) => socket.end('hello'));
    for (const [index, server] of [ours, theirs].entries()) {
      server.on('secureConnection', (socket: { servername?: string | false }) => (names[index] = socket.servername));
      const client = tls.connect({ port: await listen(server), ca: certPem(ca), minVersion: 'TLSv1.3', ...options });
      client.resume();
      await once(client, 'end');
      client.destroy();
      server.close();
    }
    return names;
  }

  it('false when the client sent no SNI', async () => {
    const [ours, theirs] = await serverSide({ host: '127.0.0.1' });
    expect(theirs).toBe(false);
    expect(ours).toBe(theirs);
  });

  it('the name the client sent as SNI', async () => {
    const [ours, theirs] = await serverSide({ host: '127.0.0.1', servername: 'localhost' });
    expect(theirs).toBe('localhost');
    expect(ours).toBe(theirs);
  });
});
