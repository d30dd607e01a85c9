// Client authentication as tlsfuzzer's test-tls13-certificate-request, test-tls13-certificate-verify and
// test-tls13-post-handshake-auth drive it, probe by probe, from a client written by hand (scripted-client.ts)
// against a server with an RSA certificate that asks for a client certificate (`clientAuth: 'optional'`, as
// the scripts' tls.py server runs with --reqcert) and pins the client's RSA certificate:
// - certificate-request: the CertificateRequest has an empty context and lists the schemes we verify (the
//   script's -s); an empty Certificate is accepted (RFC 8446 §4.4.2.4, optional); a certificate with its
//   CertificateVerify authenticates the client.
// - certificate-verify: a CertificateVerify whose scheme the CertificateRequest did not list, that is
//   PKCS#1 v1.5 (§4.2.3: "not defined for use in signed TLS handshake messages") or that does not fit the key
//   (rsa_pss_pss_* with an rsaEncryption key, §4.2.3) is illegal_parameter; a signature that does not verify
//   (a PSS salt not of the hash's length, §4.2.3: "The length of the Salt MUST be equal to the length of the
//   output of the digest algorithm"; PKCS#1 v1.5 bytes in a PSS envelope; another hash; another MGF1 hash; a
//   flipped bit) is decrypt_error (§4.4.3, §6.2).
// - post-handshake-auth: "post-handshake authentication with KeyUpdate": a KeyUpdate between the request and
//   the answer; the answer's Finished is keyed with the client's current (updated) application secret (§4.4).
import { constants, createHash, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { loadPrivateKey } from '../../src/auth/keys.js';
import { i2osp, modPow, os2ip } from '../../src/crypto/bigint.js';
import { DEFAULT_SIGNATURE_SCHEMES } from '../../src/handshake/config.js';
import { makeIdentity } from '../../src/testing/certs.js';
import { rsaTestKey } from '../../src/testing/rsa-keys.js';
import { concat } from '../../src/wire/bytes.js';
import { ExtensionType, NamedGroup } from '../../src/wire/enums.js';
import * as X from '../../src/wire/extensions.js';
import { encodeHandshake } from '../../src/wire/messages.js';
import type { CertificateRequest, HandshakeMessage } from '../../src/wire/types.js';
import { ext, pinned, rnd } from '../handshake/abort-harness.js';
import { answerWithCertificate, certificateMessage, expectConversation, signedContent, type Forge } from './client-certificate-flight.js';
import { rsaScriptExtensions, RSA_SIG_ALL, ScriptedClient, type Answer } from './scripted-client.js';

const CIPHERS = [0x1301, 0x00ff];
const RSA_PSS_RSAE_SHA256 = 0x0804;

const nodeKey: KeyObject = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
const clientKey = (() => {
  const key = loadPrivateKey(new Uint8Array(nodeKey.export({ type: 'pkcs8', format: 'der' })));
  if (key.kind !== 'rsa') throw new Error('node:crypto made no rsaEncryption key');
  return key;
})();
const rsaClient = makeIdentity({ subject: { CN: 'tlsfuzzer client' }, privateKey: clientKey }, rnd);
const rsaServer = makeIdentity({ subject: { CN: 'example.test' }, privateKey: rsaTestKey() }, rnd);
const CLIENT_SHA256 = createHash('sha256').update(rsaClient.der).digest('hex');
const asking = { certificate: rsaServer, clientAuth: 'optional' as const, trust: pinned(rsaClient) };

type Hash = 'md5' | 'sha1' | 'sha224' | 'sha256' | 'sha384' | 'sha512';
const HASH_OF: Record<number, Hash> = { 1: 'md5', 2: 'sha1', 3: 'sha224', 4: 'sha256', 5: 'sha384', 6: 'sha512' };
/** The hash of a TLS 1.3 PSS scheme (0x0804-0x0806 rsae, 0x0809-0x080b pss), or of a TLS 1.2 pair (hash, rsa). */
const hashOf = (scheme: number): Hash => (scheme >> 8 === 8 ? (['sha256', 'sha384', 'sha512'] as const)[(scheme & 0xff) - (scheme < 0x0809 ? 4 : 9)]! : HASH_OF[scheme >> 8]!);
const hashLength = (hash: Hash) => createHash(hash).digest().length;

/** The scripts' handshake up to the server's Finished: the flight, and the client to go on with. */
function toServerFinished(name: string): { client: ScriptedClient; flight: Answer } {
  const client = new ScriptedClient(asking, `client auth ${name}`);
  return { client, flight: client.hello(CIPHERS, rsaScriptExtensions(client, NamedGroup.secp256r1)) };
}

const pkcs1 = (hash: Hash, content: Uint8Array) => new Uint8Array(sign(hash, content, { key: nodeKey, padding: constants.RSA_PKCS1_PADDING }));
const pss = (hash: Hash, content: Uint8Array, saltLength = hashLength(hash)) =>
  new Uint8Array(sign(hash, content, { key: nodeKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength }));

/** MGF1 (RFC 8017 §B.2.1) over `hash`. */
function mgf1(hash: Hash, seed: Uint8Array, length: number): Uint8Array {
  const blocks: Uint8Array[] = [];
  for (let counter = 0; blocks.length * hashLength(hash) < length; counter++) {
    blocks.push(createHash(hash).update(seed).update(Uint8Array.of(counter >>> 24, (counter >> 16) & 0xff, (counter >> 8) & 0xff, counter & 0xff)).digest());
  }
  return concat(...blocks).subarray(0, length);
}

/**
 * RSASSA-PSS by hand (RFC 8017 §9.1.1, salt of the hash's length) with MGF1 over `mgfHash`, and `xor` applied
 * to byte `at` of the encoded message before the private-key operation, as tlsfuzzer's CertificateVerifyGenerator
 * takes mgf1_hash and padding_xors.
 */
function pssByHand(hash: Hash, mgfHash: Hash, content: Uint8Array, xor?: { at: number; value: number }): Uint8Array {
  const k = 256;
  const mHash = createHash(hash).update(content).digest();
  const salt = new Uint8Array(hashLength(hash)).fill(0x5a);
  const h = createHash(hash).update(new Uint8Array(8)).update(mHash).update(salt).digest();
  const db = concat(new Uint8Array(k - salt.length - h.length - 2), Uint8Array.of(1), salt);
  const mask = mgf1(mgfHash, h, db.length);
  const maskedDb = db.map((b, i) => b ^ mask[i]!);
  maskedDb[0]! &= 0x7f; // emBits = modBits - 1 = 2047
  const em = concat(maskedDb, h, Uint8Array.of(0xbc));
  if (xor) em[xor.at]! ^= xor.value;
  return i2osp(modPow(os2ip(em), clientKey.d, clientKey.n), k);
}

/** The client's second flight for the scripts' handshake: our certificate, a CertificateVerify made by `forge`, Finished. */
function answerWith(name: string, forge: Forge): Answer {
  const { client, flight } = toServerFinished(name);
  expect(flight.alerts).toEqual([]);
  return answerWithCertificate(client, rsaClient.der, forge);
}

const kinds = (messages: HandshakeMessage[]) => messages.map((m) => m.kind);

describe('test-tls13-certificate-request, probe by probe', () => {
  it('"sanity" / "check sigalgs in cert request": an empty-context CertificateRequest listing the schemes we verify; an empty Certificate and Finished complete the handshake', () => {
    const { client, flight } = toServerFinished('sanity');
    expect(kinds(flight.messages)).toEqual(['server_hello', 'encrypted_extensions', 'certificate_request', 'certificate', 'certificate_verify', 'finished']);
    const request = flight.messages[2] as CertificateRequest;
    expect(request.context).toEqual(new Uint8Array(0));
    // The script's -s: our schemes, in our order (pinned trust: no certificate_authorities).
    expect(request.extensions.map((e) => e.type)).toEqual([ExtensionType.signature_algorithms]);
    expect(X.bodyOf(X.signatureAlgorithms, request.extensions[0]!)).toEqual([...DEFAULT_SIGNATURE_SCHEMES]);
    expect(client.sendHandshake(certificateMessage(new Uint8Array(0))).alerts).toEqual([]);
    expect(client.finish().alerts).toEqual([]);
    expect(client.server.info.clientAuth).toBe('requested-none-sent');
    expectConversation(client);
  });

  it('"with certificate": Certificate, CertificateVerify (rsa_pss_rsae_sha256), Finished authenticate the client', () => {
    const answer = answerWith('with certificate', (content) => ({ scheme: RSA_PSS_RSAE_SHA256, signature: pss('sha256', content) }));
    expect(answer.alerts).toEqual([]);
  });
});

describe('test-tls13-certificate-verify, probe by probe (an rsaEncryption client key)', () => {
  it('"sanity": the honest answer authenticates the client, and data flows', () => {
    const { client } = toServerFinished('cv sanity');
    client.sendHandshake(certificateMessage(new Uint8Array(0), rsaClient.der));
    client.sendHandshake(encodeHandshake({ kind: 'certificate_verify', scheme: RSA_PSS_RSAE_SHA256, signature: pss('sha256', signedContent(client)) }));
    expect(client.finish().alerts).toEqual([]);
    expect(client.server.info.clientAuth).toBe('authenticated');
    expect(client.server.info.peer).toMatchObject({ certificateSha256: CLIENT_SHA256 });
    expectConversation(client);
  });

  // "check <scheme> signature works|is refused", for each scheme of RSA_SIG_ALL, signed as the scheme says.
  const works = new Set([0x0804, 0x0805, 0x0806]);
  it.each(RSA_SIG_ALL.map((scheme) => [scheme.toString(16).padStart(4, '0'), scheme] as const))('"check %s signature": works only for rsa_pss_rsae_*, else illegal_parameter', (_, scheme) => {
    const answer = answerWith(`scheme ${scheme}`, (content) => ({ scheme, signature: scheme >> 8 === 8 ? pss(hashOf(scheme), content) : pkcs1(hashOf(scheme), content) }));
    expect(answer.alerts).toEqual(works.has(scheme) ? [] : ['illegal_parameter']);
  });

  it.each([0, 31, 33])('"check signature with salt length %i" is decrypt_error (§4.2.3: the salt is the hash\'s length)', (saltLength) => {
    const answer = answerWith(`salt ${saltLength}`, (content) => ({ scheme: RSA_PSS_RSAE_SHA256, signature: pss('sha256', content, saltLength) }));
    expect(answer.alerts).toEqual(['decrypt_error']);
  });

  it.each([
    ['"check pkcs1 signature with rsa-pss envelope fails"', (content: Uint8Array) => pkcs1('sha256', content)],
    ['"check rsa-pss signature with mismatched hash fails" (signed with SHA-384)', (content: Uint8Array) => pss('sha384', content)],
    ['"check rsa-pss signature with mismatched mgf1 fails" (MGF1 over SHA-384)', (content: Uint8Array) => pssByHand('sha256', 'sha384', content)],
  ])('%s: decrypt_error', (name, signature) => {
    const answer = answerWith(name, (content) => ({ scheme: RSA_PSS_RSAE_SHA256, signature: signature(content) }));
    expect(answer.alerts).toEqual(['decrypt_error']);
  });

  it('the by-hand signer is a real PSS signer: without a change it authenticates (the control of the two probes above and below)', () => {
    expect(answerWith('by hand', (content) => ({ scheme: RSA_PSS_RSAE_SHA256, signature: pssByHand('sha256', 'sha256', content) })).alerts).toEqual([]);
  });

  // "check that fuzzed signatures are rejected. Malformed rsa - xor X at P": the script flips each bit of
  // each byte of the encoded message (2,048 probes for a 2048-bit key); a sample across its fields (the
  // masked DB and its top byte, the salt, H, the 0xbc trailer).
  const positions = [0, 1, 100, 190, 222, 223, 240, 254, 255];
  it.each(positions.flatMap((at) => [0x01, at === 0 ? 0x40 : 0x80].map((value) => [value, at] as const)))('"Malformed rsa - xor 0x%s at %i" is decrypt_error', (value, at) => {
    const answer = answerWith(`xor ${value} ${at}`, (content) => ({ scheme: RSA_PSS_RSAE_SHA256, signature: pssByHand('sha256', 'sha256', content, { at, value }) }));
    expect(answer.alerts).toEqual(['decrypt_error']);
  });
});

describe('test-tls13-post-handshake-auth, probe by probe (the others: post-handshake.test.ts)', () => {
  /** The script's connection with post_handshake_auth offered, up to our Finished; then the server's request. */
  function requested(name: string) {
    const client = new ScriptedClient({ certificate: rsaServer, trust: pinned(rsaClient) }, `pha ${name}`);
    const extensions = [...rsaScriptExtensions(client, NamedGroup.secp256r1), ext(ExtensionType.post_handshake_auth, [])];
    expect(client.hello(CIPHERS, extensions).alerts).toEqual([]);
    expect(client.finish().alerts).toEqual([]);
    client.server.requestClientCertificate();
    const [request] = client.read().messages;
    expect(request?.kind).toBe('certificate_request');
    return { client, context: (request as CertificateRequest).context };
  }

  /** Certificate, CertificateVerify and Finished for the request of `context`, under our current keys. */
  function authenticate(client: ScriptedClient, context: Uint8Array): Answer[] {
    const answers = [client.sendHandshake(certificateMessage(context, rsaClient.der))];
    answers.push(client.sendHandshake(encodeHandshake({ kind: 'certificate_verify', scheme: RSA_PSS_RSAE_SHA256, signature: pss('sha256', signedContent(client)) })));
    answers.push(client.postHandshakeFinished());
    return answers;
  }

  it('"post-handshake authentication": the answer authenticates the client, and data flows', () => {
    const { client, context } = requested('honest');
    client.server.takeEvents();
    expect(authenticate(client, context).flatMap((a) => a.alerts)).toEqual([]);
    expect(client.server.takeEvents().filter((e) => e.type === 'post-handshake-auth')).toHaveLength(1);
    expect(client.server.info.peer).toMatchObject({ certificateSha256: CLIENT_SHA256 });
    expectConversation(client);
  });

  it('"post-handshake authentication with KeyUpdate": a KeyUpdate (update_requested) before the answer draws the server\'s, and the answer, under the next keys, authenticates', () => {
    const { client, context } = requested('key update');
    const updated = client.keyUpdate(1);
    expect(updated.alerts).toEqual([]);
    expect(updated.messages).toEqual([{ kind: 'key_update', requestUpdate: 0 }]);
    client.server.takeEvents();
    expect(authenticate(client, context).flatMap((a) => a.alerts)).toEqual([]);
    expect(client.server.takeEvents().filter((e) => e.type === 'post-handshake-auth')).toHaveLength(1);
    expect(client.server.info.clientAuth).toBe('authenticated');
    expectConversation(client);
  });
});
