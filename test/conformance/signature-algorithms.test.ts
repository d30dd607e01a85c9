// signature_algorithms as tlsfuzzer's test-tls13-signature-algorithms sends it, probe by probe, to a server
// with an RSA certificate (as the script assumes): lists it must tolerate (unknown, legacy and duplicated
// schemes, up to the largest list a ClientHello can carry), lists with nothing usable (handshake_failure,
// §4.4.2.2), and malformed lists (decode_error, §6.2).
import { describe, expect, it } from 'vitest';
import { rsaTestKey } from '../../src/testing/rsa-keys.js';
import { makeIdentity } from '../../src/testing/certs.js';
import type { ClientHello } from '../../src/wire/types.js';
import { EXT, expectAbort, ext, feedServer, helloWith, replacingExtension, rnd, u16 } from '../handshake/abort-harness.js';
import { accepted, plaintextRecords } from './harness.js';

const RSA_PSS_RSAE_SHA256 = 0x0804;
const RSA_PSS_PSS_SHA256 = 0x0809;
const RSA_PKCS1_SHA1 = 0x0201;
const RSA_PKCS1_SHA512 = 0x0601;
/** The RSA schemes tlsfuzzer lists in signature_algorithms_cert (RSA_SIG_ALL). */
const RSA_SIG_ALL = [0x0806, 0x0805, 0x0804, 0x080b, 0x080a, 0x0809, 0x0601, 0x0501, 0x0401, 0x0301, 0x0201];

const rsaServer = makeIdentity({ subject: { CN: 'example.test' }, privateKey: rsaTestKey() }, rnd);

/** A list of 2-byte schemes as an extension body (<2..2^16-2>). */
const schemeList = (type: number, schemes: number[]) => ext(type, [...u16(schemes.length * 2), ...schemes.flatMap(u16)]);

/** Our server with an RSA certificate, fed a ClientHello with `schemes` (and RSA_SIG_ALL in _cert unless told). */
function offer(schemes: number[], withCert = true) {
  const hello = (h: ClientHello) => {
    replacingExtension(schemeList(EXT.signature_algorithms, schemes))(h);
    if (withCert) h.extensions.unshift(schemeList(EXT.signature_algorithms_cert, RSA_SIG_ALL));
  };
  return serveRsa(hello);
}

/** Our server with an RSA certificate, fed the ClientHello `edit` makes. */
function serveRsa(edit: (h: ClientHello) => void) {
  return feedServer(plaintextRecords(helloWith(edit)), { certificate: rsaServer });
}

/** The server answered with a whole flight: a ServerHello, and no alert. */
function expectAnswered(result: ReturnType<typeof feedServer>): void {
  expect(accepted(result)).toBe(true);
  expect(result.output[5]).toBe(2);
  expect(result.events).toContainEqual(expect.objectContaining({ type: 'handshake-message', direction: 'out', message: expect.objectContaining({ kind: 'certificate_verify' }) }));
}

const MANDATORY = [RSA_PSS_RSAE_SHA256, RSA_PSS_PSS_SHA256];

describe('test-tls13-signature-algorithms: lists the server must tolerate', () => {
  it('"tolerance legacy RSA PKCS#1.5" (rsa_pkcs1_sha1 first)', () => {
    expectAnswered(offer([RSA_PKCS1_SHA1, ...MANDATORY]));
  });

  it('"tolerance unallocated 0x0A01 (10+RSA) method"', () => {
    expectAnswered(offer([0x0a01, ...MANDATORY]));
  });

  it('"unique and well-known sig_algs, rsa algorithms last" (ECDSA and DSA with every TLS 1.2 hash first)', () => {
    const legacy = [3, 2].flatMap((signature) => [1, 2, 3, 4, 5, 6].map((hash) => (hash << 8) | signature));
    expectAnswered(offer([...legacy, ...RSA_SIG_ALL]));
  });

  // n - 2 fillers then the two mandatory schemes, as the script builds them; 32717 fills the extensions
  // block of a ClientHello to its 2^16 - 1 byte bound.
  it.each([215, 2355, 8132, 23754, 32717])('"duplicated %i non-rsa schemes" (dsa_sha1 repeated, no signature_algorithms_cert)', (n) => {
    expectAnswered(offer([...new Array(n - 2).fill(0x0202), ...MANDATORY], false));
  });

  it.each([215, 2355, 8132, 23754, 32717])('"%i invalid schemes" (rsa_pkcs1_sha1 repeated)', (n) => {
    expectAnswered(offer([...new Array(n - 2).fill(RSA_PKCS1_SHA1), ...MANDATORY], false));
  });

  /** n - 2 distinct unallocated code points (hash 10..223, signature 10.. or 163), then the mandatory two. */
  const unallocated = (n: number) => {
    const fillers: number[] = [];
    for (let hash = 10; hash < 224; hash++) for (let signature = 10; signature < Math.floor(n / 214) + 10; signature++) fillers.push((hash << 8) | signature);
    for (let hash = 10; hash < (n % 214) + 10; hash++) fillers.push((hash << 8) | 163);
    return [...fillers, ...MANDATORY];
  };

  it.each([215, 2355, 8132, 23754, 32717])('"tolerance %i methods" (distinct unallocated schemes)', (n) => {
    expectAnswered(offer(unallocated(n - 2), false));
  });

  it('"tolerance 32715 methods with sig_alg_cert"', () => {
    expectAnswered(offer(unallocated(32715 - 2 - RSA_SIG_ALL.length)));
  });
});

describe('test-tls13-signature-algorithms: lists with nothing the server can use', () => {
  it('"only undefined sigalgs" is handshake_failure', () => {
    expectAbort(offer([0x0418, 0x1801, 0x0a0a, 0x0918, 0xffff]), 'handshake_failure', { plaintext: true });
  });

  it('"only legacy sigalgs" (rsa_pkcs1_sha1, rsa_pkcs1_sha512: not for TLS 1.3 signatures, §4.2.3) is handshake_failure', () => {
    expectAbort(offer([RSA_PKCS1_SHA1, RSA_PKCS1_SHA512]), 'handshake_failure', { plaintext: true });
  });
});

describe('test-tls13-signature-algorithms: malformed lists are decode_error', () => {
  it('"empty list of signature methods" (<2..2^16-2>)', () => {
    expectAbort(offer([]), 'decode_error', { plaintext: true });
  });

  it.each([
    ['"padded sigalgs" (a list of 4 bytes in a body of 8)', [0, 4, 0x08, 0x04, 0x08, 0x09, 0x04, 0x03]],
    ['"one byte array"', [0, 1, 0x02]],
    ['"three byte array"', [0, 5, 0x08, 0x04, 0x08, 0x09, 0x02]],
  ])('%s', (_, body) => {
    const hello = (h: ClientHello) => {
      replacingExtension(ext(EXT.signature_algorithms, body))(h);
      h.extensions.unshift(schemeList(EXT.signature_algorithms_cert, RSA_SIG_ALL));
    };
    expectAbort(serveRsa(hello), 'decode_error', { plaintext: true });
  });

  // The script's OrderedDict puts signature_algorithms last, so xoring the 5th byte from the end flips the
  // low byte of its list length (4, for [rsa_pss_rsae_sha256, rsa_pss_pss_sha256]).
  it('"fuzz length inside extension to N": every list length 4 ^ i, i = 1..255, is decode_error', () => {
    for (let i = 1; i < 0x100; i++) {
      const hello = (h: ClientHello) => {
        h.extensions = h.extensions.filter((e) => e.type !== EXT.signature_algorithms);
        h.extensions.push(schemeList(EXT.signature_algorithms_cert, RSA_SIG_ALL), ext(EXT.signature_algorithms, [0, 4 ^ i, ...u16(RSA_PSS_RSAE_SHA256), ...u16(RSA_PSS_PSS_SHA256)]));
      };
      expectAbort(serveRsa(hello), 'decode_error', { plaintext: true });
    }
  });
});

describe('test-tls13-rsa-signatures (an rsaEncryption certificate)', () => {
  it.each([0x0804, 0x0805, 0x0806])('"tls13 signature %i" (rsa_pss_rsae_*) alone: the CertificateVerify uses it', (scheme) => {
    const result = offer([scheme]);
    expectAnswered(result);
    const verify = result.events.find((e) => e.type === 'handshake-message' && e.direction === 'out' && e.message.kind === 'certificate_verify');
    expect(verify?.type === 'handshake-message' && verify.message.kind === 'certificate_verify' && verify.message.scheme).toBe(scheme);
  });

  it.each([0x0809, 0x080a, 0x080b])('"tls13 signature %i" (rsa_pss_pss_*, for RSASSA-PSS keys only, §4.2.3) alone is handshake_failure', (scheme) => {
    expectAbort(offer([scheme]), 'handshake_failure', { plaintext: true });
  });
});
