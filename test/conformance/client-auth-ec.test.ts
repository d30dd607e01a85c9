// Client authentication with ECDSA and EdDSA client keys as tlsfuzzer's test-tls13-ecdsa-in-certificate-verify
// (run once per curve: P-256 here) and test-tls13-eddsa-in-certificate-verify (once with Ed25519, once with
// Ed448) drive it, probe by probe, against a server that asks for a certificate (`clientAuth: 'optional'`)
// and pins the client's. RFC 8446 §4.2.3 binds each TLS 1.3 ECDSA scheme to one curve and each EdDSA scheme
// to its key: a scheme that does not fit the key is illegal_parameter, whatever it signed; a signature that
// does not verify (another hash, a flipped bit, zeros, nothing at all: `opaque signature<0..2^16-1>`, §4.4.3)
// is decrypt_error.
import { sign, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { loadPrivateKey } from '../../src/auth/keys.js';
import { makeIdentity } from '../../src/testing/certs.js';
import { NamedGroup, ExtensionType } from '../../src/wire/enums.js';
import { rnd } from '../handshake/abort-harness.js';
import { answerWithCertificate, expectConversation, type Forge } from './client-certificate-flight.js';
import { codePointList, ECDSA_SIG_ALL, RSA_SIG_ALL, ScriptedClient, SUPPORTED_VERSIONS } from './scripted-client.js';

const CIPHERS = [0x1301, 0x00ff];
const ECDSA_SECP256R1_SHA256 = 0x0403;
const ED25519 = 0x0807;
const ED448 = 0x0808;
/** The scripts' signature_algorithms: ECDSA, EdDSA and RSA-PSS; signature_algorithms_cert: every one. */
const SCRIPT_SCHEMES = [0x0603, 0x0503, 0x0403, ED25519, ED448, 0x0804, 0x0809, 0x0805, 0x080a];

const ecdsaServer = makeIdentity({ subject: { CN: 'example.test' }, keyType: 'p256' }, rnd);

interface ClientKey {
  name: string;
  node: KeyObject;
  der: Uint8Array;
  /** The scheme of this key, and how node signs with it (a hash for ECDSA, none for EdDSA). */
  scheme: number;
  hash: string | null;
}

function clientKey(name: string, node: KeyObject, scheme: number, hash: string | null): ClientKey {
  const privateKey = loadPrivateKey(new Uint8Array(node.export({ type: 'pkcs8', format: 'der' })));
  return { name, node, scheme, hash, der: makeIdentity({ subject: { CN: `tlsfuzzer ${name} client` }, privateKey }, rnd).der };
}

const p256 = clientKey('P-256', generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey, ECDSA_SECP256R1_SHA256, 'sha256');
const ed25519 = clientKey('Ed25519', generateKeyPairSync('ed25519').privateKey, ED25519, null);
const ed448 = clientKey('Ed448', generateKeyPairSync('ed448').privateKey, ED448, null);

/** The key's own signature over `content` (ECDSA: DER, as TLS carries it), with `hash` overriding the scheme's. */
const signWith = (key: ClientKey, content: Uint8Array, hash = key.hash) => new Uint8Array(sign(hash, content, key.node));

/** The scripts' handshake to the server's Finished, then our Certificate, a CertificateVerify by `forge`, Finished. */
function answerWith(key: ClientKey, name: string, forge: Forge) {
  const client = new ScriptedClient({ certificate: ecdsaServer, clientAuth: 'optional', trust: { kind: 'pinned-certificate', certificates: [key.der] } }, `${key.name} ${name}`);
  const flight = client.hello(CIPHERS, [
    client.keyShare(NamedGroup.secp256r1),
    SUPPORTED_VERSIONS,
    codePointList(ExtensionType.supported_groups, [NamedGroup.secp256r1]),
    codePointList(ExtensionType.signature_algorithms, SCRIPT_SCHEMES),
    codePointList(ExtensionType.signature_algorithms_cert, [...ECDSA_SIG_ALL, ...RSA_SIG_ALL, ED25519, ED448]),
  ]);
  expect(flight.alerts).toEqual([]);
  return { client, answer: answerWithCertificate(client, key.der, forge) };
}

/** A copy of `signature` with `edit` applied. */
const edited = (signature: Uint8Array, edit: (bytes: Uint8Array) => void) => {
  const copy = signature.slice();
  edit(copy);
  return copy;
};

describe.each([p256, ed25519, ed448])('test-tls13-ecdsa-in-certificate-verify / -eddsa-in-certificate-verify with a $name client key', (key) => {
  it('"sanity": the honest answer authenticates the client, and data flows', () => {
    const { client, answer } = answerWith(key, 'sanity', (content) => ({ scheme: key.scheme, signature: signWith(key, content) }));
    expect(answer.alerts).toEqual([]);
    expect(client.server.info.clientAuth).toBe('authenticated');
    expectConversation(client);
  });

  // "check <scheme> signature is refused" (ECDSA schemes of other curves or hashes, signed with our key; for
  // an EdDSA key, every ECDSA scheme) and "check eddsa signature with mismatched scheme fails".
  const others = [...ECDSA_SIG_ALL, ED25519, ED448].filter((scheme) => scheme !== key.scheme);
  it.each(others.map((scheme) => [scheme.toString(16).padStart(4, '0'), scheme] as const))('"check %s signature is refused": illegal_parameter', (_, scheme) => {
    expect(answerWith(key, `scheme ${scheme}`, (content) => ({ scheme, signature: signWith(key, content) })).answer.alerts).toEqual(['illegal_parameter']);
  });

  // "Malformed - xor X at P": the script flips each bit of each byte; a sample across the signature (for ECDSA
  // the DER SEQUENCE and INTEGER headers and lengths, r and s; for EdDSA R and S), counted from either end.
  const positions: Array<[string, (length: number) => number]> = [0, 1, 2, 3, 4, 5].map((at) => [`${at}`, () => at]);
  positions.push(['the middle', (length) => length >> 1], ['the last but one', (length) => length - 2], ['the last', (length) => length - 1]);
  const probes: Array<[string, (signature: Uint8Array) => Uint8Array]> = [
    ...positions.flatMap(([where, at]) =>
      [0x01, 0x80].map((value): [string, (s: Uint8Array) => Uint8Array] => [`"Malformed - xor 0x${value.toString(16)} at ${where}"`, (s) => edited(s, (b) => (b[at(b.length)]! ^= value))]),
    ),
    ['"empty signature field"', () => new Uint8Array(0)],
    ['"All-zero bytes signature is rejected"', (s) => new Uint8Array(s.length)],
  ];
  if (key !== p256) {
    probes.push(['"All-zero R value in signature is rejected"', (s) => edited(s, (b) => b.fill(0, 0, s.length / 2))]);
    probes.push(['"All-zero S value in signature is rejected"', (s) => edited(s, (b) => b.fill(0, s.length / 2))]);
  } else {
    probes.push(['"check ecdsa signature with mismatched hash fails" (signed over SHA-384)', () => new Uint8Array(0)]);
  }
  it.each(probes)('%s: decrypt_error', (name, corrupt) => {
    const forge: Forge = name.includes('mismatched hash')
      ? (content) => ({ scheme: key.scheme, signature: signWith(key, content, 'sha384') })
      : (content) => ({ scheme: key.scheme, signature: corrupt(signWith(key, content)) });
    expect(answerWith(key, name, forge).answer.alerts).toEqual(['decrypt_error']);
  });
});
