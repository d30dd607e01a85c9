// `serve --ocsp FILE` and `connect --status` on their own (no openssl): a file that is no OCSP response is
// one line before the server starts; a server without a staple is reported as such. The staple itself,
// made by openssl ocsp and read by s_client, is test/interop/ocsp.test.ts.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { nobleProvider } from '../../src/crypto/noble.js';
import { seededRandom } from '../../src/crypto/random.js';
import { scratchDirectory } from '../../src/testing/interop.js';
import { buildOcspResponse } from '../../src/testing/ocsp.js';
import { certPem, keyPem, ca, serverCertificates } from '../node/fixtures.js';
import { runCli, startCli, waitFor } from './helpers.js';

const scratch = scratchDirectory('tls13-lab-cli-ocsp-');
afterAll(scratch.remove);
const leaf = serverCertificates['ECDSA P-256'];
const binaryFile = (name: string, bytes: Uint8Array) => {
  const path = join(scratch.dir, name);
  writeFileSync(path, bytes);
  return path;
};
const files = { ca: scratch.file('ca.pem', certPem(ca)), cert: scratch.file('cert.pem', certPem(leaf)), key: scratch.file('key.pem', keyPem(leaf)) };

describe('serve --ocsp FILE', () => {
  it('refuses a file that is no DER OCSP response in one line, before listening', async () => {
    const result = await runCli(['serve', '--port', '0', '--cert', files.cert, '--key', files.key, '--ocsp', files.cert]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^tls13: --ocsp \S+cert\.pem: not a usable DER OCSPResponse \(malformed OCSP response: .*\)\n$/);
    expect(result.stdout).toBe('');
  });

  it("refuses, in one line before listening, a response about another certificate than --cert's; takes one about it", async () => {
    const staple = (about: typeof leaf) =>
      buildOcspResponse({ leaf: about.certificate, issuer: ca.certificate, signer: ca, status: 'good', thisUpdate: Date.now() - 60_000 }, nobleProvider, seededRandom('cli staple'));
    const other = serverCertificates.Ed25519;
    expect(other.certificate.serialNumber).not.toBe(leaf.certificate.serialNumber);
    const wrong = binaryFile('other.ocsp', staple(other));
    const refused = await runCli(['serve', '--port', '0', '--cert', files.cert, '--key', files.key, '--ocsp', wrong]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toBe(
      `tls13: --ocsp ${wrong}: the response is not about --cert's certificate (serial ${leaf.certificate.serialNumber}); it names serial ${other.certificate.serialNumber}\n`,
    );
    const server = startCli(['serve', '--port', '0', '--cert', files.cert, '--key', files.key, '--ocsp', binaryFile('leaf.ocsp', staple(leaf))]);
    try {
      expect(await waitFor(() => /^listening on /m.test(server.stdout.text) || undefined)).toBe(true);
    } finally {
      await server.stop();
    }
  });

  it('needs an X.509 certificate to staple to', async () => {
    const result = await runCli(['serve', '--port', '0', '--rpk-key', files.key, '--ocsp', files.cert]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('tls13: --ocsp: a staple is for an X.509 certificate: give --cert and --key too\n');
  });
});

describe('connect --status', () => {
  it('says so when the server staples nothing, and connects', async () => {
    const server = startCli(['serve', '--port', '0', '--cert', files.cert, '--key', files.key]);
    try {
      const port = await waitFor(() => /^listening on 127\.0\.0\.1:(\d+)$/m.exec(server.stdout.text)?.[1]);
      const result = await runCli(['connect', `127.0.0.1:${port}`, '--servername', 'localhost', '--ca', files.ca, '--status', '--send', 'GET / HTTP/1.0\r\n\r\n']);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('  OCSP staple: none (the server stapled no OCSP response)\n');
    } finally {
      await server.stop();
    }
  });
});
