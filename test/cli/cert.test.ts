import { createHash, createPrivateKey, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './helpers.js';

function outFiles() {
  const dir = mkdtempSync(join(tmpdir(), 'tls13-cert-'));
  return { cert: join(dir, 'cert.pem'), key: join(dir, 'key.pem') };
}

describe('tls13 cert', () => {
  it.each([
    ['ed25519', 'ed25519'],
    ['p256', 'ec'],
    ['p384', 'ec'],
    ['rsa2048', 'rsa'],
    ['ed448', 'ed448'],
    ['p521', 'ec'],
    ['rsa-pss', 'rsa-pss'],
  ])('writes a %s key and a self-signed certificate that node:crypto reads with the SANs asked for', async (type, nodeType) => {
    const { cert, key } = outFiles();
    const { code, stdout } = await runCli([
      'cert', '--out-cert', cert, '--out-key', key, '--type', type, '--cn', 'svc',
      '--dns', 'a.example', '--dns', 'b.example', '--ip', '127.0.0.1', '--ip', '::1', '--uri', 'spiffe://example.org/svc',
      '--eku', 'serverAuth', '--eku', 'clientAuth', '--days', '10',
    ]);
    expect(code).toBe(0);
    const x509 = new X509Certificate(readFileSync(cert));
    const privateKey = createPrivateKey(readFileSync(key));
    expect(privateKey.asymmetricKeyType).toBe(nodeType);
    expect(x509.checkPrivateKey(privateKey)).toBe(true);
    expect(x509.verify(x509.publicKey)).toBe(true);
    expect(x509.subject).toBe('CN=svc');
    expect(x509.subjectAltName?.split(', ').sort()).toEqual(
      ['DNS:a.example', 'DNS:b.example', 'IP Address:127.0.0.1', 'IP Address:0:0:0:0:0:0:0:1', 'URI:spiffe://example.org/svc'].sort(),
    );
    expect(x509.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2']);
    expect(x509.ca).toBe(false);
    const days = (Date.parse(x509.validTo) - Date.parse(x509.validFrom)) / 86_400_000;
    expect(Math.round(days)).toBe(10);
    expect(statSync(key).mode & 0o777).toBe(0o600);

    const fingerprint = x509.fingerprint256.replace(/:/g, '').toLowerCase();
    const pin = createHash('sha256').update(x509.publicKey.export({ type: 'spki', format: 'der' })).digest('base64');
    expect(stdout).toContain(`certificate sha256: ${fingerprint}\n`);
    expect(stdout).toContain(`SPKI pin: sha256/${pin}\n`);
  });

  it('issues a certificate from a CA made by the same command', async () => {
    const ca = outFiles();
    const leaf = outFiles();
    expect((await runCli(['cert', '--out-cert', ca.cert, '--out-key', ca.key, '--ca', '--cn', 'Test CA', '--type', 'p384'])).code).toBe(0);
    const { code } = await runCli(['cert', '--out-cert', leaf.cert, '--out-key', leaf.key, '--dns', 'leaf.example', '--issuer-cert', ca.cert, '--issuer-key', ca.key]);
    expect(code).toBe(0);
    const caCert = new X509Certificate(readFileSync(ca.cert));
    const leafCert = new X509Certificate(readFileSync(leaf.cert));
    expect(caCert.ca).toBe(true);
    expect(leafCert.checkIssued(caCert)).toBe(true);
    expect(leafCert.verify(caCert.publicKey)).toBe(true);
    expect(leafCert.subject).toBe('CN=leaf.example');
    expect(leafCert.issuer).toBe('CN=Test CA');
  });

  it('makes an RSASSA-PSS key restricted by --pss-hash, and signs its own certificate within the restriction (RFC 4055)', async () => {
    const { cert, key } = outFiles();
    const { code, stdout } = await runCli(['cert', '--out-cert', cert, '--out-key', key, '--type', 'rsa-pss', '--pss-hash', 'sha384', '--dns', 'pss.example']);
    expect(code).toBe(0);
    expect(stdout).toContain('(rsa-pss private key)');
    const privateKey = createPrivateKey(readFileSync(key));
    expect(privateKey.asymmetricKeyDetails).toMatchObject({ hashAlgorithm: 'sha384', mgf1HashAlgorithm: 'sha384', saltLength: 48 });
    const x509 = new X509Certificate(readFileSync(cert));
    expect(x509.publicKey.asymmetricKeyDetails).toMatchObject({ hashAlgorithm: 'sha384', mgf1HashAlgorithm: 'sha384', saltLength: 48 });
    expect(x509.checkPrivateKey(privateKey)).toBe(true);
    expect(x509.verify(x509.publicKey)).toBe(true);
  });

  it('issues an Ed448 certificate from an RSASSA-PSS CA, and a P-521 one from an Ed448 CA', async () => {
    for (const [caType, leafType] of [['rsa-pss', 'ed448'], ['ed448', 'p521']]) {
      const ca = outFiles();
      const leaf = outFiles();
      expect((await runCli(['cert', '--out-cert', ca.cert, '--out-key', ca.key, '--ca', '--cn', 'CA', '--type', caType!])).code).toBe(0);
      expect((await runCli(['cert', '--out-cert', leaf.cert, '--out-key', leaf.key, '--type', leafType!, '--dns', 'leaf.example', '--issuer-cert', ca.cert, '--issuer-key', ca.key])).code).toBe(0);
      const leafCert = new X509Certificate(readFileSync(leaf.cert));
      expect(leafCert.verify(new X509Certificate(readFileSync(ca.cert)).publicKey)).toBe(true);
      expect(leafCert.publicKey.asymmetricKeyType).toBe(leafType === 'p521' ? 'ec' : leafType);
    }
  });

  it('refuses --pss-hash without --type rsa-pss, and an unknown hash, in one line', async () => {
    const { cert, key } = outFiles();
    expect(await runCli(['cert', '--out-cert', cert, '--out-key', key, '--pss-hash', 'sha256'])).toMatchObject({
      code: 2,
      stderr: 'tls13: cert: --pss-hash restricts an RSASSA-PSS key: it goes with --type rsa-pss\n',
    });
    expect(await runCli(['cert', '--out-cert', cert, '--out-key', key, '--type', 'rsa-pss', '--pss-hash', 'sha1'])).toMatchObject({
      code: 2,
      stderr: 'tls13: --pss-hash sha1: expected one of sha256, sha384, sha512\n',
    });
  });

  it('refuses an issuer key that does not belong to the issuer certificate', async () => {
    const a = outFiles();
    const b = outFiles();
    await runCli(['cert', '--out-cert', a.cert, '--out-key', a.key, '--ca']);
    await runCli(['cert', '--out-cert', b.cert, '--out-key', b.key, '--ca']);
    const leaf = outFiles();
    const { code, stderr } = await runCli(['cert', '--out-cert', leaf.cert, '--out-key', leaf.key, '--issuer-cert', a.cert, '--issuer-key', b.key]);
    expect(code).toBe(2);
    expect(stderr).toBe(`tls13: --issuer-key ${b.key}: not the key of the certificate in ${a.cert}\n`);
  });

  it('rejects an IP address that is not one, in one line', async () => {
    const { cert, key } = outFiles();
    const { code, stderr } = await runCli(['cert', '--out-cert', cert, '--out-key', key, '--ip', '300.1.2.3']);
    expect(code).toBe(2);
    expect(stderr).toBe('tls13: --ip 300.1.2.3: not an IPv4 or IPv6 address\n');
  });
});
