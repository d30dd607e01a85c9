// The server's CertificateVerify against the schemes a scripted client offers, as tlsfuzzer's
// test-tls13-pkcs-signature and test-tls13-rsapss-signatures offer them, probe by probe:
// - pkcs-signature (an rsaEncryption server key): signature_algorithms holding one TLS 1.2 pair
//   (md5..sha512, rsa) is nothing a TLS 1.3 CertificateVerify may use (RFC 8446 §4.2.3: RSASSA-PKCS1-v1_5
//   is "not defined for use in signed TLS handshake messages"), so there are no acceptable parameters:
//   handshake_failure (§4.1.1, §4.4.2.2).
// - rsapss-signatures (an id-RSASSA-PSS server key, as the script's tls.py server with serverRSAPSSKey.pem):
//   rsa_pss_pss_* alone signs (§4.2.3: "the public key MUST use the RSASSA-PSS OID"), rsa_pss_rsae_* alone is
//   handshake_failure (the script without -b, a server with no rsaEncryption certificate).
import { describe, expect, it } from 'vitest';
import { nobleProvider } from '../../src/crypto/noble.js';
import { certifiedPublicKey, checkCertificateVerify } from '../../src/handshake/signatures.js';
import { makeIdentity } from '../../src/testing/certs.js';
import { asPssKey, rsaTestKey } from '../../src/testing/rsa-keys.js';
import { ExtensionType, NamedGroup } from '../../src/wire/enums.js';
import { rnd } from '../handshake/abort-harness.js';
import { expectConversation } from './client-certificate-flight.js';
import { codePointList, RSA_SIG_ALL, ScriptedClient, SUPPORTED_VERSIONS } from './scripted-client.js';

const CIPHERS = [0x1301, 0x00ff];
const rsaServer = makeIdentity({ subject: { CN: 'example.test' }, privateKey: rsaTestKey() }, rnd);
const pssServer = makeIdentity({ subject: { CN: 'example.test' }, privateKey: asPssKey(rsaTestKey()) }, rnd);

/** The scripts' ClientHello with signature_algorithms `schemes`; the server's answer. */
function offer(server: typeof rsaServer, schemes: number[], name: string) {
  const client = new ScriptedClient({ certificate: server }, `server signatures ${name}`);
  const answer = client.hello(CIPHERS, [
    client.keyShare(NamedGroup.secp256r1),
    SUPPORTED_VERSIONS,
    codePointList(ExtensionType.supported_groups, [NamedGroup.secp256r1]),
    codePointList(ExtensionType.signature_algorithms, schemes),
    codePointList(ExtensionType.signature_algorithms_cert, RSA_SIG_ALL),
  ]);
  return { client, answer };
}

describe('test-tls13-pkcs-signature, probe by probe (an rsaEncryption server key)', () => {
  it('"sanity" (rsa_pss_rsae_sha256, rsa_pss_pss_sha256): the handshake completes', () => {
    const { client, answer } = offer(rsaServer, [0x0804, 0x0809], 'pkcs sanity');
    expect(answer.alerts).toEqual([]);
    expect(client.finish().alerts).toEqual([]);
    expectConversation(client);
  });

  it.each([
    ['md5', 0x0101],
    ['sha1', 0x0201],
    ['sha224', 0x0301],
    ['sha256', 0x0401],
    ['sha384', 0x0501],
    ['sha512', 0x0601],
  ])('"rsa_pkcs1_%s signature" alone is handshake_failure, in plaintext before any ServerHello', (_, scheme) => {
    const { answer } = offer(rsaServer, [scheme], `pkcs ${scheme}`);
    expect(answer.messages).toEqual([]);
    expect(answer.alerts).toEqual(['handshake_failure']);
  });
});

describe('test-tls13-rsapss-signatures, probe by probe (an id-RSASSA-PSS server key)', () => {
  it.each([0x0809, 0x080a, 0x080b])('"tls13 signature rsa_pss_pss_*" (%s) alone: a CertificateVerify of that scheme that verifies, and the handshake completes', (scheme) => {
    const { client, answer } = offer(pssServer, [scheme], `pss ${scheme}`);
    expect(answer.alerts).toEqual([]);
    const verify = answer.messages.find((m) => m.kind === 'certificate_verify');
    expect(verify?.kind === 'certificate_verify' && verify.scheme).toBe(scheme);
    const signature = verify?.kind === 'certificate_verify' ? verify.signature : new Uint8Array(0);
    expect(checkCertificateVerify(nobleProvider, scheme, certifiedPublicKey(nobleProvider, pssServer), 'server', client.signedTranscriptHash!, signature)).toBe('ok');
    expect(client.finish().alerts).toEqual([]);
    expectConversation(client);
  });

  it.each([0x0804, 0x0805, 0x0806])('"tls13 signature rsa_pss_rsae_*" (%s) alone is handshake_failure (no rsaEncryption certificate)', (scheme) => {
    const { answer } = offer(pssServer, [scheme], `rsae ${scheme}`);
    expect(answer.messages).toEqual([]);
    expect(answer.alerts).toEqual(['handshake_failure']);
  });
});
