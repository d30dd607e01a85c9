// Side by side with node:tls (v20) on one server: the client's `servername` (false unless the servername
// option named a DNS name, also when `host` went out as SNI) and getPeerX509Certificate() (the proven peer's
// leaf as a node:crypto X509Certificate; undefined before a client proved one: adapter-post-handshake-auth).
import * as tls from 'node:tls';
import { once } from 'node:events';
import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { connect } from '../../src/node/adapter.js';
import { ca, certPem, serverCertificates, fileHelloServer } from './fixtures.js';

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
