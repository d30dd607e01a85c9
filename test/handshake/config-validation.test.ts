// Every config field is checked before anything is sent: a TypeError that names the field, not an
// internal_error alert to the peer (issue 14, defect 5) and not a handshake that waits for its timeout.
import { describe, expect, it } from 'vitest';
import type { TrustPolicy } from '../../src/auth/trust.js';
import type { ClientConfig, ClientHelloShape, ResumptionConfig, ServerConfig, TicketConfig } from '../../src/handshake/config.js';
import { Connection } from '../../src/handshake/connection.js';
import { nobleProvider } from '../../src/crypto/noble.js';
import { seededRandom } from '../../src/crypto/random.js';
import { makeIdentity, TEST_NOW } from '../../src/testing/certs.js';
import { decodeHandshake } from '../../src/wire/messages.js';

const random = seededRandom('config validation');
const identity = makeIdentity({ subject: { CN: 'validation' }, keyType: 'ed25519', sans: { dns: ['a.example'] } }, random);
const pinnedKey: TrustPolicy = { kind: 'pinned-key', spkiSha256: ['sha256/IpCT473h3zxM3B1qd2Fpy3RasBRD/XryvhyMm+9Z/Ec='] };
const goodClient: ClientConfig = { serverName: 'a.example', trust: pinnedKey, random };
const goodServer: ServerConfig = { certificate: identity, random };

const client = (config: unknown) => () => Connection.client(config as ClientConfig);
const server = (config: unknown) => () => Connection.server(config as ServerConfig);

/** A value no field accepts: not a boolean, number, string, bytes, array, object or function. */
const WRONG = Symbol('wrong');

// The field lists are written out here, checked by the compiler against the config types: a field added
// to a type without a line here does not compile, and each one must then be refused when misshaped.
const CLIENT_FIELDS: Record<keyof ClientConfig, true> = {
  provider: true, random: true, now: true, cipherSuites: true, groups: true, signatureSchemes: true, certificateSignatureSchemes: true, alpnProtocols: true, trust: true,
  minimumRsaKeyBits: true, trace: true, traceRecords: true, secretEvents: true, traceEvents: true, recordPadding: true, keyUpdateAfterRecords: true, serverName: true, insecureSkipServerNameCheck: true,
  keyShareGroups: true, certificate: true, compatibilityMode: true, postHandshakeAuth: true, statusRequest: true, rawPublicKey: true, serverCertificateTypes: true,
  clientCertificateTypes: true, clientHello: true, resumption: true, externalPsks: true, certificateCompression: true,
};
const SERVER_FIELDS: Record<keyof ServerConfig, true> = {
  provider: true, random: true, now: true, cipherSuites: true, groups: true, signatureSchemes: true, certificateSignatureSchemes: true, alpnProtocols: true, trust: true,
  minimumRsaKeyBits: true, trace: true, traceRecords: true, secretEvents: true, traceEvents: true, recordPadding: true, keyUpdateAfterRecords: true, certificate: true, rawPublicKey: true,
  clientCertificateTypes: true, clientAuth: true, sendCertificateAuthorities: true, advertiseGroups: true, recordSizeLimit: true,
  encryptedExtensionsOrder: true, helloRetryForPreferredGroup: true, helloRetryCookie: true, tickets: true, ocspResponse: true,
  externalPsks: true, certificateCompression: true, serverFlight: true,
};
const CLIENT_HELLO_FIELDS: Record<keyof ClientHelloShape, true> = {
  legacySessionId: true, extensions: true, advertisedGroups: true, advertisedSignatureSchemes: true, advertisedCipherSuites: true, grease: true, recordSizeLimit: true,
};
const TICKET_FIELDS: Record<keyof TicketConfig, true> = {
  count: true, lifetime: true, key: true, maxEarlyDataSize: true, antiReplay: true, allowPskWithoutDhe: true, maxAgeSkewMs: true, seal: true, open: true,
};
const RESUMPTION_FIELDS: Record<Exclude<keyof ResumptionConfig, 'ticket'>, true> = { earlyData: true, modes: true, serverVerdict: true };
const TRUST_FIELDS: { [K in TrustPolicy['kind']]: Record<Exclude<keyof Extract<TrustPolicy, { kind: K }>, 'kind'>, Partial<TrustPolicy>> } = {
  ca: { anchors: {}, profile: { anchors: [identity.der] }, crls: { anchors: [identity.der] }, unknownRevocationStatus: { anchors: [identity.der] }, maxDepth: { anchors: [identity.der] } },
  'pinned-certificate': { certificates: {} },
  'pinned-key': { spkiSha256: {}, keys: {} },
  'any-of': { policies: {} },
  ask: {},
};

const escape = (text: string) => text.replace(/[.[\]]/g, '\\$&');

describe('Connection.client and Connection.server refuse every misshaped field with a TypeError naming it', () => {
  it('accepts the well-shaped baseline configs', () => {
    expect(client(goodClient)).not.toThrow();
    expect(server(goodServer)).not.toThrow();
  });

  for (const field of Object.keys(CLIENT_FIELDS)) {
    it(`client: ${field}`, () => expect(client({ ...goodClient, [field]: WRONG })).toThrow(new RegExp(`^${field}\\b.*Symbol\\(wrong\\)$`)));
  }
  for (const field of Object.keys(SERVER_FIELDS)) {
    it(`server: ${field}`, () => expect(server({ ...goodServer, [field]: WRONG })).toThrow(new RegExp(`^${field}\\b.*Symbol\\(wrong\\)$`)));
  }
  for (const field of Object.keys(CLIENT_HELLO_FIELDS)) {
    it(`client: clientHello.${field}`, () => expect(client({ ...goodClient, clientHello: { [field]: WRONG } })).toThrow(new RegExp(`^clientHello\\.${field}\\b`)));
  }
  for (const field of Object.keys(TICKET_FIELDS)) {
    it(`server: tickets.${field}`, () => expect(server({ ...goodServer, tickets: { [field]: WRONG } })).toThrow(new RegExp(`^tickets\\.${field}\\b`)));
  }
  for (const field of Object.keys(RESUMPTION_FIELDS)) {
    const ticket = { ticket: new Uint8Array(4), psk: new Uint8Array(32), nonce: new Uint8Array(1), cipherSuite: 0x1301, lifetime: 60, ageAdd: 1 };
    it(`client: resumption.${field}`, () => expect(client({ ...goodClient, resumption: { ticket, [field]: WRONG } })).toThrow(new RegExp(`^resumption\\.${field}\\b`)));
  }
  for (const [kind, fields] of Object.entries(TRUST_FIELDS)) {
    for (const [field, rest] of Object.entries(fields)) {
      it(`trust { kind: '${kind}' }.${field}`, () => expect(client({ ...goodClient, trust: { kind, ...rest, [field]: WRONG } })).toThrow(new RegExp(`^trust\\.${field}\\b`)));
    }
  }
});

describe('the messages a user sees for the usual mistakes', () => {
  const cases: Array<[string, () => unknown, string]> = [
    ['a mistyped trust kind', client({ ...goodClient, trust: { kind: 'pined-key', spkiSha256: [] } }), "trust.kind must be one of 'ca', 'pinned-certificate', 'pinned-key', 'any-of', 'ask': got 'pined-key'"],
    ['a trust policy without its kind', client({ ...goodClient, trust: { anchors: [identity.der] } }), "trust.kind must be one of 'ca', 'pinned-certificate', 'pinned-key', 'any-of', 'ask': got undefined"],
    ['a CA policy without anchors', client({ ...goodClient, trust: { kind: 'ca' } }), 'trust.anchors is required'],
    ['anchors given as PEM text', client({ ...goodClient, trust: { kind: 'ca', anchors: '-----BEGIN CERTIFICATE-----' } }), "trust.anchors must be a non-empty array: got '-----BEGIN CERTIFICATE-----'"],
    ['a field of another trust kind', client({ ...goodClient, trust: { kind: 'pinned-key', certificates: [identity.der] } }), "trust: unknown option 'certificates'"],
    ['a nested policy that is wrong', client({ ...goodClient, trust: { kind: 'any-of', policies: [pinnedKey, { kind: 'ca', anchors: [] }] } }), 'trust.policies[1].anchors must be a non-empty array: got an array of 0'],
    ['a pin that is not a SHA-256', client({ ...goodClient, trust: { kind: 'pinned-key', spkiSha256: ['abc'] } }), 'trust.spkiSha256[0]: not a SHA-256 pin'],
    ["node's spelling of serverName", client({ ...goodClient, servername: 'b.example' }), "unknown option 'servername'"],
    ['two unknown options', client({ ...goodClient, ca: 'x', rejectUnauthorized: false }), "unknown options 'ca', 'rejectUnauthorized'"],
    ['a CA policy without a clock (was an internal_error alert at the server Certificate)', client({ ...goodClient, trust: { kind: 'any-of', policies: [{ kind: 'ca', anchors: [identity.der] }] } }), "trust { kind: 'ca' } needs now"],
    ['a pinned certificate without a clock (its validity was not checked)', server({ ...goodServer, clientAuth: 'require', trust: { kind: 'pinned-certificate', certificates: [identity.der] } }), "trust { kind: 'pinned-certificate' } needs now"],
    ['no trust at all', client({ serverName: 'a.example' }), 'trust is required'],
    ['an empty ALPN name', client({ ...goodClient, alpnProtocols: ['h2', ''] }), 'alpnProtocols[1] must be a protocol name of 1 to 255 bytes (RFC 7301 §3.1)'],
    ['a cipher suite by name', client({ ...goodClient, cipherSuites: ['TLS_AES_128_GCM_SHA256'] }), "cipherSuites[0] must be an integer from 0 to 65535: got 'TLS_AES_128_GCM_SHA256'"],
    ['a certificate without its key', client({ ...goodClient, certificate: { chain: [identity.der] } }), 'certificate needs a privateKey or a signer'],
    ['a config that is not an object', client('a.example'), "the config must be an object: got 'a.example'"],
    ['a server without a certificate', server({ random }), 'a server needs certificate, rawPublicKey or externalPsks'],
    ['a server certificate without a key', server({ certificate: { chain: [identity.der] } }), 'certificate needs a privateKey or a signer'],
    ['client authentication without trust', server({ ...goodServer, clientAuth: 'require' }), "clientAuth 'require' needs trust"],
    ['a misspelt clientAuth', server({ ...goodServer, clientAuth: 'required', trust: pinnedKey }), "clientAuth must be one of 'none', 'optional', 'require': got 'required'"],
    ['a ticket lifetime beyond seven days', server({ ...goodServer, tickets: { lifetime: 604801 } }), 'tickets.lifetime must be an integer from 0 to 604800: got 604801'],
    [
      'an EncryptedExtensions order naming one twice (sent twice, the client aborts: RFC 8446 §4.2)',
      server({ ...goodServer, encryptedExtensionsOrder: ['server_name', 'early_data', 'server_name'] }),
      "encryptedExtensionsOrder[2] must be a name not listed before: got 'server_name'",
    ],
    ['a ticket key of the wrong size', server({ ...goodServer, tickets: { key: new Uint8Array(16) } }), 'tickets.key must be 32 bytes: got a Uint8Array of 16 bytes'],
  ];
  for (const [what, make, message] of cases) {
    it(`${what}: "${message}"`, () => {
      expect(make).toThrow(TypeError);
      expect(make).toThrow(new RegExp(`^${escape(message).replace(/[()|']/g, '\\$&')}`));
    });
  }
});

describe('clientHello.extensions', () => {
  it('names an extension the client cannot build itself, and builds the ones it can in the order given', () => {
    expect(client({ ...goodClient, clientHello: { extensions: ['supported_versions', 'oid_filters'] } })).toThrow(
      /cannot build the oid_filters extension itself/,
    );
    const conn = Connection.client({ ...goodClient, clientHello: { extensions: ['key_share', 'supported_versions', 'supported_groups', 'signature_algorithms'] } });
    // One plaintext record (5-byte header) holding the ClientHello (RFC 8446 §5.1).
    const hello = decodeHandshake(conn.takeOutput().subarray(5));
    expect(hello.kind === 'client_hello' && hello.extensions.map((e) => e.type)).toStrictEqual([51, 43, 10, 13]);
  });
});

// Found by the config fuzzer (api:client, api:server): a string value with a newline or another control
// character was echoed as it is, so the one-line TypeError became two lines (or carried an escape sequence
// to the terminal of whoever reads the log).
describe('values shown in an error stay on one line', () => {
  const CONTROL = 'a\nb\u001b[31m\u2028';
  const cases: Array<[string, () => unknown]> = [
    ['a mistyped trust kind', client({ ...goodClient, trust: { kind: CONTROL } })],
    ['a group by name', client({ ...goodClient, groups: [CONTROL] })],
    ['an unknown external PSK mode', client({ ...goodClient, externalPsks: { keys: [{ identity: 'i', key: new Uint8Array(32).fill(1) }], modes: [CONTROL] } })],
    ['an unknown compression algorithm', server({ ...goodServer, certificateCompression: [{ algorithm: CONTROL, compress: (d: Uint8Array) => d, decompress: (d: Uint8Array) => d }] })],
    ['a server name that is no name', client({ ...goodClient, serverName: CONTROL })],
  ];
  for (const [what, make] of cases) {
    it(what, () => {
      let message = '';
      try {
        make();
      } catch (e) {
        expect(e).toBeInstanceOf(TypeError);
        message = (e as Error).message;
      }
      expect(message).toContain('a\\u000ab\\u001b[31m\\u2028');
      expect(message).not.toMatch(/[\u0000-\u001f\u2028]/);
    });
  }
});

// Found by the config fuzzer (api:server, api:client): a private key or a provider of the wrong shape was
// taken (`anObject`), and the server failed at its first CertificateVerify with internal_error ("a 0 key
// cannot make ed25519 signatures", "secretKey expected Uint8Array of length 32", "provider.hash is not a
// function"), after its ServerHello was on the wire. Now a TypeError naming the field, before anything is sent.
describe('private keys and providers of the wrong shape are refused before anything is sent', () => {
  const withKey = (privateKey: unknown) => ({ ...goodServer, certificate: { chain: identity.chain, privateKey } });
  const cases: Array<[string, () => unknown, RegExp]> = [
    ['an Ed25519 seed of 3 bytes', server(withKey({ kind: 'ed25519', seed: new Uint8Array(3) })), /^certificate\.privateKey\.seed must be 32 bytes: got a Uint8Array of 3 bytes$/],
    ['an Ed25519 seed that is a number', server(withKey({ kind: 'ed25519', seed: 0 })), /^certificate\.privateKey\.seed must be a Uint8Array: got 0$/],
    ['a key of no known kind', server(withKey({ kind: 'bogus' })), /^certificate\.privateKey\.kind must be one of 'ed25519', 'ed448', 'ecdsa', 'rsa', 'rsa-pss', 'ml-dsa': got 'bogus'$/],
    ['an ML-DSA key of an unknown parameter set', server(withKey({ kind: 'ml-dsa', parameterSet: 'ML-DSA-99', seed: new Uint8Array(32) })), /^certificate\.privateKey\.parameterSet must be one of 'ML-DSA-44', 'ML-DSA-65', 'ML-DSA-87': got 'ML-DSA-99'$/],
    ['an ML-DSA key with a 31-byte seed', server(withKey({ kind: 'ml-dsa', parameterSet: 'ML-DSA-44', seed: new Uint8Array(31) })), /^certificate\.privateKey\.seed must be 32 bytes/],
    ['an empty object', server(withKey({})), /^certificate\.privateKey\.kind must be one of .*: got undefined$/],
    ['an ECDSA key on an unknown curve', server(withKey({ kind: 'ecdsa', curve: 'P-224', d: new Uint8Array(28) })), /^certificate\.privateKey\.curve must be one of 'P-256', 'P-384', 'P-521': got 'P-224'$/],
    ['an RSA key whose modulus is a number', server(withKey({ kind: 'rsa', n: 15, e: 3n, d: 3n })), /^certificate\.privateKey\.n must be a positive bigint: got 15$/],
    ['a raw public key identity with a bad key', client({ ...goodClient, rawPublicKey: { privateKey: { kind: 'ed448', seed: new Uint8Array(32) } } }), /^rawPublicKey\.privateKey\.seed must be 57 bytes/],
    // Found by `npm run fuzz -- --target api:server --seed 3`: accepted, then internal_error at the first flight.
    ['a raw public key identity with a 4-bit RSA modulus', server({ ...goodServer, rawPublicKey: { privateKey: { kind: 'rsa', n: 15n, e: 3n, d: 3n } } }), /^rawPublicKey\.privateKey: RSA modulus of 4 bits is not a multiple of 8 bits$/],
    ['an RSA key with an even public exponent', server(withKey({ kind: 'rsa', n: 2n ** 2047n + 1n, e: 4n, d: 3n })), /^certificate\.privateKey: RSA public exponent 4 is even$/],
    ['a provider without its operations', server({ ...goodServer, provider: {} }), /^provider\.hashLength is required$/],
    ['a provider with one operation that is no function', client({ ...goodClient, provider: { ...nobleProvider, publicKeyOf: 'x' } }), /^provider\.publicKeyOf must be a function: got 'x'$/],
  ];
  for (const [what, make, message] of cases) {
    it(what, () => expect(make).toThrow(message));
  }

  it('takes every kind of key the builder and PKCS#8 loader make', () => {
    for (const keyType of ['ed25519', 'ed448', 'p256', 'p384', 'p521'] as const) {
      const id = makeIdentity({ subject: { CN: keyType }, keyType }, random);
      expect(() => Connection.server({ ...goodServer, certificate: id })).not.toThrow();
    }
  });
});

// Found by the config fuzzer: more values that passed the shape checks and failed later. A resumption ticket
// of 0 or 70,000 bytes made Connection.client throw a TlsError or a plain Error from its own ClientHello
// encoder; a key share group we do not implement, a plain Error; an anti-replay register without firstUse
// and a compressor whose compress is no function failed mid-handshake with internal_error.
describe('values that fit the type but not the protocol are TypeErrors too', () => {
  const ticket = { ticket: new Uint8Array(4), psk: new Uint8Array(32), nonce: new Uint8Array(1), cipherSuite: 0x1301, lifetime: 60, ageAdd: 1 };
  const zlib = { algorithm: 'zlib', decompress: (d: Uint8Array) => d };
  const cases: Array<[string, () => unknown, RegExp]> = [
    ['an empty resumption ticket', client({ ...goodClient, resumption: { ticket: { ...ticket, ticket: new Uint8Array(0) } } }), /^resumption\.ticket\.ticket must be 1 to 65535 bytes: got a Uint8Array of 0 bytes$/],
    // Found by the resumption attacker: Connection.client threw "vector of 65541 bytes does not fit a 2-byte length".
    ['an external PSK identity too long to offer', client({ ...goodClient, externalPsks: { keys: [{ identity: new Uint8Array(65535), key: new Uint8Array(32).fill(1) }] } }), /^externalPsks\.keys: 1 identities of 65535 bytes do not fit one pre_shared_key extension/],
    ['external PSK identities too long to offer together', client({ ...goodClient, externalPsks: { keys: [1, 2].map((i) => ({ identity: new Uint8Array(40000).fill(i), key: new Uint8Array(32).fill(i) })) } }), /^externalPsks\.keys: 2 identities of 80000 bytes do not fit one pre_shared_key extension .*RFC 8446 §4\.2\.11\)$/],
    ['a resumption ticket longer than a NewSessionTicket holds', client({ ...goodClient, resumption: { ticket: { ...ticket, ticket: new Uint8Array(65536) } } }), /^resumption\.ticket\.ticket must be 1 to 65535 bytes/],
    ['a key share for a group we do not implement', client({ ...goodClient, keyShareGroups: [0] }), /^keyShareGroups\[0\] must be a group we implement \(x25519, .*\): got 0$/],
    ['an anti-replay register without firstUse', server({ ...goodServer, tickets: { antiReplay: {} } }), /^tickets\.antiReplay\.firstUse is required$/],
    ['a compressor whose compress is no function', server({ ...goodServer, certificateCompression: [{ ...zlib, compress: null }] }), /^certificateCompression: zlib\.compress must be a function \(or absent\): got null$/],
  ];
  for (const [what, make, message] of cases) {
    it(what, () => expect(make).toThrow(message));
  }

  it('takes any ticket a NewSessionTicket holds (one that does not fit the ClientHello is not offered: test/security/ticket-too-long-to-offer)', () => {
    expect(() => Connection.client({ ...goodClient, resumption: { ticket: { ...ticket, ticket: new Uint8Array(65535) } } })).not.toThrow();
  });
});

// Found by the config fuzzer (api:server): a private key of another kind than the certificate's key (an RSA
// key beside an Ed25519 certificate) was taken, and the server failed at its CertificateVerify with
// internal_error ("a rsa key cannot make ed25519 signatures") after its ServerHello was sent.
describe('a private key that does not fit the certificate is refused before anything is sent', () => {
  const p256 = makeIdentity({ subject: { CN: 'p256' }, keyType: 'p256' }, random);
  const p384 = makeIdentity({ subject: { CN: 'p384' }, keyType: 'p384' }, random);
  it('another kind of key', () => {
    expect(server({ ...goodServer, certificate: { chain: identity.chain, privateKey: p256.privateKey } })).toThrow(
      /^certificate\.privateKey is an ECDSA P-256 key that does not fit the certificate's key \(an ed25519 key\)$/,
    );
  });
  it('an ECDSA key on another curve', () => {
    expect(client({ ...goodClient, certificate: { chain: p256.chain, privateKey: p384.privateKey } })).toThrow(/does not fit the certificate's key \(an ECDSA P-256 key\)$/);
    expect(server({ ...goodServer, certificate: { chain: p256.chain, privateKey: p384.privateKey } })).toThrow(/does not fit the certificate's key \(an ECDSA P-256 key\)$/);
  });
  it("refuses a key of the same kind that is not the certificate's own (test/security/key-pair-mismatch.test.ts)", () => {
    const other = makeIdentity({ subject: { CN: 'other' }, keyType: 'ed25519' }, random);
    expect(server({ ...goodServer, certificate: { chain: identity.chain, privateKey: other.privateKey } })).toThrow(/^certificate\.privateKey is not the key of the certificate chain\[0\]/);
  });
});

// Found by the config fuzzer (api:client): a `groups` list starting with a code point we do not implement
// (0, or a GREASE-like value) made Connection.client throw a plain Error ("cannot make a key share for
// group unknown(0x0000)"): the default key share went to the first group, implemented or not.
describe('the default key share goes to the first group we implement', () => {
  it('skips offered code points we cannot make a share for', () => {
    const conn = Connection.client({ ...goodClient, groups: [0, 0x0a0a, 0x001d] });
    const hello = decodeHandshake(conn.takeOutput().subarray(5));
    const shares = hello.kind === 'client_hello' ? hello.extensions.find((e) => e.type === 51) : undefined;
    expect(shares?.data.subarray(2, 4)).toEqual(Uint8Array.of(0x00, 0x1d));
  });
});

describe('field paths, joined once per check and path', () => {
  // A check remembers the paths under the last path it saw (a config is checked per connection): the same
  // check met under another path, or again after another config, must still name where the wrong value is.
  const policy = (certificates: unknown[]) => ({ kind: 'pinned-certificate', certificates });
  // The clock a pinned-certificate policy needs, so that the configs that fit pass.
  const anyOf = (...policies: unknown[]) => client({ ...goodClient, now: () => TEST_NOW, trust: { kind: 'any-of', policies } });

  it('names the element under each parent in turn, in either order and after configs that pass', () => {
    expect(anyOf(policy([identity.der]), policy([identity.der]))).not.toThrow();
    expect(anyOf(policy([identity.der]), policy([identity.der, WRONG]))).toThrow(/^trust\.policies\[1\]\.certificates\[1\] must be/);
    expect(anyOf(policy([identity.der, identity.der, WRONG]), policy([identity.der]))).toThrow(/^trust\.policies\[0\]\.certificates\[2\] must be/);
    expect(anyOf(policy([identity.der]), policy([WRONG]))).toThrow(/^trust\.policies\[1\]\.certificates\[0\] must be/);
    expect(client({ ...goodClient, trust: policy([identity.der, WRONG]) })).toThrow(/^trust\.certificates\[1\] must be/);
    expect(anyOf({ kind: 'pinned-key', spkiSha256: [WRONG] })).toThrow(/^trust\.policies\[0\]\.spkiSha256\[0\] must be/);
  });
});

describe('pinned DER given as PEM text', () => {
  // The common slip: a .pem file read as bytes. The check compares the first bytes (no decoder per connection).
  const pem = new TextEncoder().encode(`-----BEGIN CERTIFICATE-----\n${Buffer.from(identity.der).toString('base64')}\n-----END CERTIFICATE-----\n`);
  const pinned = (trust: unknown) => client({ ...goodClient, now: () => TEST_NOW, trust });

  it('is refused with a line that says so, for a pinned certificate and a pinned key', () => {
    expect(pinned({ kind: 'pinned-certificate', certificates: [identity.der, pem] })).toThrow(/^trust\.certificates\[1\] is PEM text; give the DER/);
    expect(pinned({ kind: 'pinned-key', keys: [pem] })).toThrow(/^trust\.keys\[0\] is PEM text; give the DER/);
  });

  it('is told from DER and from bytes that only start like it', () => {
    expect(pinned({ kind: 'pinned-certificate', certificates: [identity.der] })).not.toThrow();
    // Ten of the eleven bytes, and the eleven after a byte order mark: not PEM text, so the parser's error.
    expect(pinned({ kind: 'pinned-certificate', certificates: [pem.subarray(0, 10)] })).toThrow(/^trust\.certificates\[0\] is not a certificate we can use/);
    expect(pinned({ kind: 'pinned-certificate', certificates: [Uint8Array.of(0xef, 0xbb, 0xbf, ...pem)] })).toThrow(/^trust\.certificates\[0\] is not a certificate we can use/);
  });
});
