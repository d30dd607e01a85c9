// Keys exported by node:crypto load into ours, sign what node verifies, and re-encode to node's bytes.
import { createPrivateKey, createPublicKey, generateKeyPairSync, verify as nodeVerify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../src/auth/builder.js';
import { encodePkcs8, encodeSpki, KeyError, loadPrivateKey, parsePkcs8, parseSpki, spkiSha256 } from '../../src/auth/keys.js';
import { toPem } from '../../src/auth/pem.js';
import type { PrivateKey, SignatureAlgorithm } from '../../src/crypto/provider.js';
import { der } from '../../src/auth/der-writer.js';
import { OID } from '../../src/auth/oids.js';
import { KEY_KINDS, nodeKey, provider, random } from './helpers.js';

const message = new TextEncoder().encode('signed by tls13-lab, checked by node');

/** The algorithm we sign with and the node verify arguments that check it independently. */
function signWithUs(key: PrivateKey): { signature: Uint8Array; check: (pub: KeyObject) => boolean } {
  const pssHash = key.kind === 'rsa-pss' ? (key.params?.hash ?? 'sha256') : 'sha256';
  const alg: SignatureAlgorithm =
    key.kind === 'ed25519' || key.kind === 'ed448' ? { kind: key.kind }
    : key.kind === 'ecdsa' ? { kind: 'ecdsa', hash: 'sha256' }
    : { kind: 'rsa-pss', hash: pssHash, saltLength: 48 };
  const signature = provider.sign(alg, key, message, random);
  const hash = alg.kind === 'ed25519' || alg.kind === 'ed448' ? null : pssHash;
  const options = (pub: KeyObject) => (alg.kind === 'rsa-pss' ? { key: pub, padding: 6 /* RSA_PKCS1_PSS_PADDING */, saltLength: 48 } : pub);
  return { signature, check: (pub) => nodeVerify(hash, message, options(pub), signature) };
}

describe('private keys from node:crypto', () => {
  for (const kind of KEY_KINDS) {
    it(`loads a PKCS#8 ${kind} key (PEM and DER) that signs what node verifies`, () => {
      const { node } = nodeKey(kind);
      const pem = node.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
      const fromPem = loadPrivateKey(pem);
      const fromDer = loadPrivateKey(new Uint8Array(node.privateKey.export({ format: 'der', type: 'pkcs8' })));
      expect(fromDer).toEqual(fromPem);
      expect(signWithUs(fromPem).check(node.publicKey)).toBe(true);
    });

    it(`encodes the ${kind} public key as the SPKI node exports`, () => {
      const { node, publicKey } = nodeKey(kind);
      const nodeSpki = new Uint8Array(node.publicKey.export({ format: 'der', type: 'spki' }));
      expect(Buffer.from(encodeSpki(publicKey)).equals(nodeSpki)).toBe(true);
      expect(parseSpki(nodeSpki)).toEqual(publicKey);
    });

    it(`encodes the ${kind} private key as PKCS#8 that node imports as the same key`, () => {
      const { node, privateKey } = nodeKey(kind);
      const ours = createPrivateKey({ key: Buffer.from(encodePkcs8(privateKey)), format: 'der', type: 'pkcs8' });
      const derivedSpki = createPublicKey(ours).export({ format: 'der', type: 'spki' });
      expect(derivedSpki.equals(node.publicKey.export({ format: 'der', type: 'spki' }))).toBe(true);
      expect(parsePkcs8(encodePkcs8(privateKey))).toEqual(privateKey);
    });
  }

  it('loads SEC1 "EC PRIVATE KEY" for P-256 and P-384, PEM and DER', () => {
    for (const namedCurve of ['prime256v1', 'secp384r1']) {
      const node = generateKeyPairSync('ec', { namedCurve });
      const key = loadPrivateKey(node.privateKey.export({ format: 'pem', type: 'sec1' }).toString());
      expect(signWithUs(key).check(node.publicKey)).toBe(true);
      expect(loadPrivateKey(new Uint8Array(node.privateKey.export({ format: 'der', type: 'sec1' })))).toEqual(key);
    }
  });

  it('loads PKCS#1 "RSA PRIVATE KEY", PEM and DER', () => {
    const node = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const key = loadPrivateKey(node.privateKey.export({ format: 'pem', type: 'pkcs1' }).toString());
    expect(signWithUs(key).check(node.publicKey)).toBe(true);
    expect(loadPrivateKey(new Uint8Array(node.privateKey.export({ format: 'der', type: 'pkcs1' })))).toEqual(key);
  });

  it('generates key pairs whose public halves node derives from our PKCS#8', () => {
    for (const kind of ['ed25519', 'p256', 'p384'] as const) {
      const { privateKey, publicKey } = generateKeyPair(kind, random, provider);
      const nodeKeyObject = createPrivateKey({ key: Buffer.from(encodePkcs8(privateKey)), format: 'der', type: 'pkcs8' });
      expect(createPublicKey(nodeKeyObject).export({ format: 'der', type: 'spki' }).equals(Buffer.from(encodeSpki(publicKey)))).toBe(true);
    }
  });

  it('computes the SPKI pin node computes (sha256 of the SPKI DER, base64 and hex)', async () => {
    const { createHash } = await import('node:crypto');
    const { publicKey } = nodeKey('p256');
    const spki = encodeSpki(publicKey);
    const pin = spkiSha256(spki, provider);
    expect(pin.base64).toBe(createHash('sha256').update(spki).digest('base64'));
    expect(pin.hex).toBe(createHash('sha256').update(spki).digest('hex'));
  });
});

describe('key errors name what is wrong', () => {
  const expectKeyError = (input: string | Uint8Array, message: RegExp) => {
    expect(() => loadPrivateKey(input)).toThrow(KeyError);
    expect(() => loadPrivateKey(input)).toThrow(message);
  };

  it('refuses an encrypted PKCS#8 key', () => {
    const node = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const pem = node.privateKey.export({ format: 'pem', type: 'pkcs8', cipher: 'aes-128-cbc', passphrase: 'pw' }).toString();
    expectKeyError(pem, /encrypted private keys are not supported/);
    const derBytes = node.privateKey.export({ format: 'der', type: 'pkcs8', cipher: 'aes-128-cbc', passphrase: 'pw' });
    expectKeyError(new Uint8Array(derBytes), /encrypted private keys are not supported/);
  });

  it('refuses a legacy encrypted SEC1 key (Proc-Type header)', () => {
    const node = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const pem = node.privateKey.export({ format: 'pem', type: 'sec1', cipher: 'aes-128-cbc', passphrase: 'pw' }).toString();
    expect(pem).toContain('Proc-Type: 4,ENCRYPTED');
    expectKeyError(pem, /encrypted private keys are not supported/);
  });

  it('names an unsupported curve', () => {
    const node = generateKeyPairSync('ec', { namedCurve: 'secp256k1' });
    expectKeyError(node.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(), /unsupported elliptic curve 1\.3\.132\.0\.10/);
  });

  it('names an unsupported key algorithm', () => {
    const node = generateKeyPairSync('x448');
    expectKeyError(node.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(), /unsupported private key algorithm 1\.3\.101\.111/);
  });

  it('refuses a compressed EC public key', () => {
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const jwk = publicKey.export({ format: 'jwk' });
    const x = Buffer.from(jwk.x!, 'base64url');
    const y = Buffer.from(jwk.y!, 'base64url');
    const uncompressed = encodeSpki({ kind: 'ecdsa', curve: 'P-256', point: new Uint8Array(Buffer.concat([Buffer.of(4), x, y])) });
    // Same SPKI with the compressed point 02/03 || X (and the BIT STRING length fixed up).
    const compressed = Buffer.from(uncompressed);
    const head = compressed.subarray(0, compressed.length - 65);
    const fixed = Buffer.concat([head, Buffer.of(2 + (y[31]! & 1)), x]);
    fixed[1] = fixed.length - 2;
    fixed[fixed.length - 33 - 2] = 34; // BIT STRING length: unused-bits octet + 33
    expect(() => createPublicKey({ key: fixed, format: 'der', type: 'spki' })).not.toThrow(); // node accepts it
    expect(() => parseSpki(new Uint8Array(fixed))).toThrow(/not an uncompressed point/);
  });

  it('says when there is no PEM block or the base64 is broken', () => {
    expectKeyError('hello', /no PEM block found/);
    expectKeyError('-----BEGIN PRIVATE KEY-----\nMII*\n-----END PRIVATE KEY-----\n', /bad base64 in PRIVATE KEY block/);
  });

  it('says when a PEM file holds only certificates', () => {
    expectKeyError(toPem('CERTIFICATE', Uint8Array.of(0x30, 0)), /no private key found \(PEM blocks: CERTIFICATE\)/);
  });
});

describe('RSASSA-PSS-params of an id-RSASSA-PSS key (RFC 4055 §3.1, §3.3)', () => {
  const { publicKey } = nodeKey('rsa-pss');
  if (publicKey.kind !== 'rsa-pss') throw new Error('expected an RSASSA-PSS key');
  const rsaPublicKey = der.bitString(der.sequence(der.integer(publicKey.n), der.integer(publicKey.e)));
  const hashId = (oid: string) => der.sequence(der.oid(oid), der.null());
  const spkiWith = (...params: Uint8Array[]) => der.sequence(der.sequence(der.oid(OID.rsassaPss), der.sequence(...params)), rsaPublicKey);
  const sha256 = der.explicit(0, hashId(OID.sha256));
  const mgf1 = (oid: string) => der.explicit(1, der.sequence(der.oid(OID.mgf1), hashId(oid)));

  it('reads no parameters as an unrestricted key, and hash, MGF1 hash and salt as its restriction', () => {
    expect(parseSpki(encodeSpki(publicKey))).toEqual({ kind: 'rsa-pss', n: publicKey.n, e: publicKey.e });
    expect(parseSpki(spkiWith(sha256, mgf1(OID.sha256), der.explicit(2, der.integer(40))))).toMatchObject({ params: { hash: 'sha256', minSaltLength: 40 } });
  });

  it('accepts absent parameters in the hash AlgorithmIdentifiers as well as NULL (RFC 4055 §2.1)', () => {
    const bare = (oid: string) => der.sequence(der.oid(oid));
    const key = parseSpki(spkiWith(der.explicit(0, bare(OID.sha384)), der.explicit(1, der.sequence(der.oid(OID.mgf1), bare(OID.sha384))), der.explicit(2, der.integer(48))));
    expect(key).toMatchObject({ kind: 'rsa-pss', params: { hash: 'sha384', minSaltLength: 48 } });
  });

  it('refuses MGF1 over another hash than the message hash', () => {
    expect(() => parseSpki(spkiWith(sha256, mgf1(OID.sha1)))).toThrow(/MGF1 over sha1 and message hash sha256 is not supported/);
  });

  it('refuses a trailer field other than 1', () => {
    expect(() => parseSpki(spkiWith(sha256, mgf1(OID.sha256), der.explicit(3, der.integer(2))))).toThrow(/trailerField 2/);
  });

  it('refuses the SHA-1 defaults (an empty parameter sequence)', () => {
    expect(() => parseSpki(spkiWith())).toThrow(/RSASSA-PSS with sha1 is not supported/);
  });

  it('refuses a mask generation function other than MGF1', () => {
    expect(() => parseSpki(spkiWith(sha256, der.explicit(1, der.sequence(der.oid(OID.sha256), hashId(OID.sha256)))))).toThrow(/unsupported mask generation function/);
  });
});
