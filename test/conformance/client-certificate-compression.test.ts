// tlsfuzzer's test-tls13-client-certificate-compression (RFC 8879, the client's CompressedCertificate reaching a
// server), probe by probe, as run with `--algorithms zlib` against a server that asks for a client certificate
// (`clientAuth: 'optional'`, pinning the client's P-256 certificate: the script's -c/-k) and compresses with zlib
// (`certificateCompression`: the portable zlib; `tls13 serve --compress-cert zlib`). Our CertificateRequest offers
// compress_certificate whether or not the ClientHello did (RFC 8879 §3: the receiver of a Certificate, here the
// server, lists what it can decompress in the message that asks for it). Two kinds of probe end otherwise than
// the script expects, each for a documented limit of ours or an RFC rule (docs/robustness.md):
// - a CompressedCertificate message longer than our 64 KiB handshake-message cap (the 100 MB zlib bomb, about
//   100 KB compressed, built in zlibBombOfZeros; fuzzing sizes over 65,528 bytes) is refused from its header
//   with illegal_parameter, not decompressed and refused with bad_certificate ("Why illegal_parameter for a
//   handshake message over the limit");
// - "fuzzing of 0 bytes": an empty compressed_certificate_message, whose syntax is <1..2^24-1> (RFC 8879 §4), is
//   decode_error (RFC 8446 §6.2: "some field was out of the specified range"), not bad_certificate.
// The script's "non advertized algorithm" loop yields no probe (it compares algorithm codes with the names of
// --algorithms), and its "override actual algorithm used" pairs need two algorithms: neither is run with zlib.
import { generateKeyPairSync, sign } from 'node:crypto';
import { constants as zlibConstants, deflateRawSync, deflateSync, inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { loadPrivateKey } from '../../src/auth/keys.js';
import { PORTABLE_CERTIFICATE_COMPRESSION } from '../../src/handshake/compression-codecs.js';
import { makeIdentity } from '../../src/testing/certs.js';
import { concatList } from '../../src/wire/bytes.js';
import { ContentType, ExtensionType, NamedGroup } from '../../src/wire/enums.js';
import { encodeHandshake } from '../../src/wire/messages.js';
import type { Extension } from '../../src/wire/types.js';
import { ext, pinned, rnd, u16 } from '../handshake/abort-harness.js';
import { certificateMessage, expectConversation, signedContent } from './client-certificate-flight.js';
import { codePointList, ScriptedClient, SIG_ALL, SUPPORTED_VERSIONS, type Answer } from './scripted-client.js';

const CIPHERS = [0x1301, 0x00ff];
const ZLIB = 1;
const ECDSA_SECP256R1_SHA256 = 0x0403;
/** The script's signature_algorithms: rsa_pss_rsae_sha256, rsa_pss_pss_sha256, ecdsa_secp256r1_sha256, ed25519, ed448. */
const SCRIPT_SCHEMES = [0x0804, 0x0809, 0x0403, 0x0807, 0x0808];
/** The largest handshake message body we read (DEFAULT_MAX_HANDSHAKE_MESSAGE_LENGTH). */
const OUR_CAP = 64 * 1024;

const server = makeIdentity({ subject: { CN: 'example.test' }, keyType: 'p256' }, rnd);
const clientNodeKey = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey;
const clientIdentity = makeIdentity({ subject: { CN: 'tlsfuzzer client' }, privateKey: loadPrivateKey(new Uint8Array(clientNodeKey.export({ type: 'pkcs8', format: 'der' }))) }, rnd);
const clientDer = clientIdentity.der;
const asking = { certificate: server, clientAuth: 'optional' as const, trust: pinned(clientIdentity), certificateCompression: PORTABLE_CERTIFICATE_COMPRESSION };

/** The script's ClientHello (compress_certificate [zlib] when `offerCompression`), and the server's flight. */
function toServerFinished(name: string, offerCompression = true): { client: ScriptedClient; flight: Answer } {
  const client = new ScriptedClient(asking, `client compression ${name}`);
  const extensions: Extension[] = [
    client.keyShare(NamedGroup.secp256r1),
    SUPPORTED_VERSIONS,
    codePointList(ExtensionType.supported_groups, [NamedGroup.secp256r1]),
    codePointList(ExtensionType.signature_algorithms, SCRIPT_SCHEMES),
    codePointList(ExtensionType.signature_algorithms_cert, SIG_ALL),
    ...(offerCompression ? [ext(ExtensionType.compress_certificate, [2, ...u16(ZLIB)])] : []),
  ];
  const flight = client.hello(CIPHERS, extensions);
  expect(flight.alerts).toEqual([]);
  return { client, flight };
}

/** The client's Certificate body (RFC 8446 §4.4.2): `chain`, empty context (without the handshake header). */
const certificateBody = (...chain: Uint8Array[]) => certificateMessage(new Uint8Array(0), ...chain).subarray(4);

/** A CompressedCertificate (RFC 8879 §4), its fields as given. */
const compressedCertificate = (algorithm: number, uncompressedLength: number, compressed: Uint8Array) =>
  encodeHandshake({ kind: 'compressed_certificate', algorithm, uncompressedLength, compressed });

/** An honest one: our Certificate compressed with zlib, its true length. */
const honestCompressed = (...chain: Uint8Array[]) => {
  const body = certificateBody(...chain);
  return { body, message: compressedCertificate(ZLIB, body.length, deflateSync(body)) };
};

/** The client's CertificateVerify over the transcript so far (ecdsa_secp256r1_sha256, the key's scheme). */
const certificateVerify = (client: ScriptedClient) =>
  encodeHandshake({ kind: 'certificate_verify', scheme: ECDSA_SECP256R1_SHA256, signature: new Uint8Array(sign('sha256', signedContent(client), clientNodeKey)) });

/** The script's answer: `message` in place of the Certificate, a CertificateVerify (unless none), Finished if not refused. */
function answer(client: ScriptedClient, message: Uint8Array, { verify = true } = {}): Answer {
  const answers = [client.sendHandshake(message)];
  if (verify) answers.push(client.sendHandshake(certificateVerify(client)));
  if (answers.every((a) => a.alerts.length === 0)) answers.push(client.finish());
  return { messages: answers.flatMap((a) => a.messages), alerts: answers.flatMap((a) => a.alerts), applicationData: [], records: answers.flatMap((a) => a.records) };
}

/** A message too long for one record, in records of 2^14 bytes, sent until the server answers with an alert. */
function answerInFragments(client: ScriptedClient, message: Uint8Array): Answer {
  for (let at = 0; at < message.length; at += 16_384) {
    const reply = client.sendSealed(ContentType.handshake, message.subarray(at, at + 16_384));
    if (reply.alerts.length > 0) return reply;
  }
  throw new Error('the server took the whole message without an alert');
}

/**
 * The script's bomb (Python's zlib.compressobj() fed `megabytes` MiB of zeros), built without holding them: one
 * MiB of zeros deflated up to a sync flush, that block `megabytes` times, an empty final block, and the zlib
 * wrapper with the Adler-32 of the zeros (A = 1, B = their count mod 65521; RFC 1950 §8.2). 100 MiB: 103,708 bytes.
 */
function zlibBombOfZeros(megabytes: number): Uint8Array {
  const block = deflateRawSync(new Uint8Array(2 ** 20), { finishFlush: zlibConstants.Z_SYNC_FLUSH });
  const b = (megabytes * 2 ** 20) % 65521;
  return concatList([Uint8Array.of(0x78, 0x9c), ...Array<Uint8Array>(megabytes).fill(block), Uint8Array.of(0x03, 0x00), Uint8Array.of(b >> 8, b & 0xff, 0, 1)]);
}

const refusedWith = (reply: Answer, alert: string) => expect(reply.alerts).toEqual([alert]);

describe('test-tls13-client-certificate-compression, probe by probe (--algorithms zlib)', () => {
  it('"sanity" (no compress_certificate): the CertificateRequest, a plain Certificate each way, the GET', () => {
    const { client, flight } = toServerFinished('sanity', false);
    expect(flight.messages.map((m) => m.kind)).toEqual(['server_hello', 'encrypted_extensions', 'certificate_request', 'certificate', 'certificate_verify', 'finished']);
    const reply = client.sendHandshake(certificateMessage(new Uint8Array(0), clientDer));
    expect([...reply.alerts, ...client.sendHandshake(certificateVerify(client)).alerts, ...client.finish().alerts]).toEqual([]);
    expectConversation(client);
  });

  it.each([
    ['"CertificateRequest has correct extensions"', 'compressed_certificate', true],
    ['"CertificateRequest has extension even if client doesn\'t"', 'certificate', false],
  ] as const)('%s: compress_certificate [zlib] and signature_algorithms in it; the server\'s %s; our CompressedCertificate accepted', (name, serverCertificate, offer) => {
    const { client, flight } = toServerFinished(name, offer);
    const request = flight.messages.find((m) => m.kind === 'certificate_request');
    if (request?.kind !== 'certificate_request') throw new Error('no CertificateRequest');
    expect(request.extensions.map((e) => e.type).sort()).toEqual([ExtensionType.signature_algorithms, ExtensionType.compress_certificate].sort());
    expect([...request.extensions.find((e) => e.type === ExtensionType.compress_certificate)!.data]).toEqual([2, ...u16(ZLIB)]);
    const certificate = flight.messages.find((m) => m.kind === 'certificate' || m.kind === 'compressed_certificate');
    expect(certificate?.kind).toBe(serverCertificate);
    expect(answer(client, honestCompressed(clientDer).message).alerts).toEqual([]);
    expectConversation(client);
  });

  it('"Send empty certificate": an empty Certificate, compressed, no CertificateVerify: accepted (optional, RFC 8446 §4.4.2.4)', () => {
    const { client } = toServerFinished('empty');
    expect(answer(client, honestCompressed().message, { verify: false }).alerts).toEqual([]);
    expectConversation(client);
  });

  it.each([
    ['wrong', 10],
    ['zero', 0],
    ['max', 2 ** 24 - 1],
  ])('"%s uncompressed_size" (%i) is bad_certificate (RFC 8879 §4)', (name, size) => {
    const { client } = toServerFinished(`${name} size`);
    const { body } = honestCompressed(clientDer);
    refusedWith(answer(client, compressedCertificate(ZLIB, size, deflateSync(body))), 'bad_certificate');
  });

  it.each([0, 10, 256, 770, 16383, 16384, 16385, 65534, 65535])('"unsupported algorithm, %i" (zlib data under another code) is illegal_parameter (RFC 8879 §4)', (code) => {
    const { client } = toServerFinished(`unsupported ${code}`);
    const { body } = honestCompressed(clientDer);
    refusedWith(answer(client, compressedCertificate(code, body.length, deflateSync(body))), 'illegal_parameter');
  });

  it.each([
    [100, 'illegal_parameter', 'refused from its header, over our 64 KiB cap (the script expects bad_certificate)'],
    [10, 'bad_certificate', 'under our cap: uncompressed_length over what we decompress, refused before decompressing'],
  ])('"zlib bomb" of %i MB of zeros (--bomb-size), uncompressed_length 2^24 - 1: %s, %s', (megabytes, alert) => {
    const bomb = zlibBombOfZeros(megabytes);
    expect(() => inflateSync(bomb, { maxOutputLength: 2 ** 20 })).toThrow(/buffer/i);
    const { client } = toServerFinished(`zlib bomb ${megabytes}`);
    const message = compressedCertificate(ZLIB, 2 ** 24 - 1, bomb);
    expect(message.length > OUR_CAP + 4).toBe(megabytes === 100);
    refusedWith(answerInFragments(client, message), alert);
  });

  it.each([
    ['after', true],
    ['before', false],
  ])('"Additional bytes, zlib, %s, unreflected in size" is decode_error (bytes past the compressed_certificate_message vector)', (where, after) => {
    const { client } = toServerFinished(`additional ${where}`);
    const stream = deflateSync(new Uint8Array(4));
    const padded = after ? Uint8Array.from([...stream, 0, 0]) : Uint8Array.from([0, 0, ...stream]);
    const message = compressedCertificate(ZLIB, 4, padded);
    // The script's substitution: the vector's length (its last byte, before the data) says the unpadded length.
    message[message.length - padded.length - 1] = stream.length;
    refusedWith(answer(client, message), 'decode_error');
  });

  // The script samples 18 sizes in [1, 2^24 - 9) and adds 0 and 2^24 - 9 (the longest message a uint24 holds); a
  // fixed sample here: below, at and over our cap, and both ends. The data: that many zero bytes, declared 2^24 - 1.
  const FUZZ_MAX = 2 ** 24 - 1 - 2 - 3 - 3;
  const fuzzed = (size: number) => compressedCertificate(ZLIB, 2 ** 24 - 1, new Uint8Array(size));

  it.each([1, 1000, 16_000, OUR_CAP - 8])('"fuzzing of %i bytes" is bad_certificate (uncompressed_length over what we decompress)', (size) => {
    const { client } = toServerFinished(`fuzzing ${size}`);
    const message = fuzzed(size);
    refusedWith(message.length <= 16_384 ? answer(client, message) : answerInFragments(client, message), 'bad_certificate');
  });

  it.each([OUR_CAP - 7, FUZZ_MAX])('"fuzzing of %i bytes": refused from its header, illegal_parameter (over our 64 KiB cap; the script expects bad_certificate)', (size) => {
    const { client } = toServerFinished(`fuzzing ${size}`);
    refusedWith(answerInFragments(client, fuzzed(size)), 'illegal_parameter');
  });

  it('"fuzzing of 0 bytes": an empty compressed_certificate_message<1..2^24-1> is decode_error (RFC 8446 §6.2; the script expects bad_certificate)', () => {
    const { client } = toServerFinished('fuzzing 0');
    refusedWith(answer(client, fuzzed(0)), 'decode_error');
  });
});
