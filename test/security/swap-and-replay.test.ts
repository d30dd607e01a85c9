// Attacker's scripts against CertificateVerify (RFC 8446 §4.4.3), the proof that a peer holds the key of
// the certificate it sent: a man in the middle swaps in another trusted certificate, replays a
// CertificateVerify from another run, signs with the other role's context string, or presents a stolen
// certificate. Each script asserts what the victim's application observed: the alert, never connected,
// no identity, no data.
import { describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../src/auth/builder.js';
import { nobleProvider } from '../../src/crypto/noble.js';
import { seededRandom } from '../../src/crypto/random.js';
import type { CertifiedKey, ClientConfig, ServerConfig } from '../../src/handshake/config.js';
import type { Role } from '../../src/handshake/events.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { certificateVerifyContent, checkCertificateVerify, handshakeSignatureAlgorithm, signCertificateVerify } from '../../src/handshake/signatures.js';
import { makeCast, MUTUAL_TLS_SCENARIOS, SERVER_NAME, type MutualTlsScenarioName } from '../../src/scenarios/mutual-tls.js';
import { makeIdentity, sendingWhatItSigns, TEST_NOW } from '../../src/testing/certs.js';
import { handshakeRewriter } from '../../src/testing/tamper.js';
import type { CryptoProvider } from '../../src/crypto/provider.js';
import { hex, utf8 } from '../../src/wire/bytes.js';
import { SignatureScheme } from '../../src/wire/enums.js';
import type { HandshakeMessage } from '../../src/wire/types.js';

const SEED = 'swap-and-replay';
const cast = makeCast(SEED);
/** Another certificate for the same name from the same CA: trusted by the client, its key not the MITM's. */
const twin = makeIdentity(
  { subject: { CN: SERVER_NAME }, issuer: cast.webCa, serial: 3n, sans: { dns: [SERVER_NAME] }, extKeyUsage: ['serverAuth'], keyType: 'p256' },
  seededRandom(`${SEED}/twin`),
);

/** What the victim's application saw. */
function observed(pair: InMemoryPair, victim: Role) {
  const events = pair.events(victim);
  return {
    alertsSent: events.flatMap((e) => (e.type === 'alert' && e.direction === 'out' ? [`${e.level} ${e.description}`] : [])),
    connected: events.some((e) => e.type === 'connected'),
    identity: pair.connection(victim).info.peer,
    data: events.filter((e) => e.type === 'data').length,
    state: pair.connection(victim).state,
  };
}

function expectRefused(pair: InMemoryPair, victim: Role, alert: string): void {
  expect(observed(pair, victim)).toEqual({ alertsSent: [`fatal ${alert}`], connected: false, identity: undefined, data: 0, state: 'CLOSED' });
  // The other end learns of it from the alert, and has not accepted data either.
  const other: Role = victim === 'client' ? 'server' : 'client';
  expect(pair.events(other).some((e) => e.type === 'alert' && e.direction === 'in' && e.description === alert)).toBe(true);
  expect(pair.events(other).some((e) => e.type === 'data')).toBe(false);
}

function configs(seed: string, client: Partial<ClientConfig> = {}, server: Partial<ServerConfig> = {}) {
  const clientConfig: ClientConfig = {
    now: () => TEST_NOW,
    random: seededRandom(`${seed}/client`),
    serverName: SERVER_NAME,
    trust: { kind: 'ca', anchors: [cast.webCa.der] },
    certificate: cast.alice,
    ...client,
  };
  const serverConfig: ServerConfig = {
    now: () => TEST_NOW,
    random: seededRandom(`${seed}/server`),
    certificate: cast.server,
    clientAuth: 'require',
    trust: { kind: 'pinned-certificate', certificates: [cast.alice.der, cast.mallory.der] },
    ...server,
  };
  return { client: clientConfig, server: serverConfig };
}

/**
 * Connects with a man in the middle that rewrites the handshake messages `from` sends under its handshake
 * keys. The MITM is given those keys (stronger than any real one); it still has no private key but its own.
 */
function withMitm(seed: string, from: Role, edit: (message: HandshakeMessage) => HandshakeMessage, extra: { client?: Partial<ClientConfig>; server?: Partial<ServerConfig> } = {}) {
  const { client, server } = configs(seed, extra.client, extra.server);
  const rewriter = handshakeRewriter(() => pair, from, edit);
  const pair: InMemoryPair = new InMemoryPair(client, server, { tamper: rewriter.tamper });
  pair.run();
  expect(rewriter.edited()).toBe(true);
  return pair;
}

/** The CertificateVerify `from` sent in an honest run with this seed. */
function recordedCertificateVerify(seed: string, from: Role): HandshakeMessage {
  const { client, server } = configs(seed);
  const pair = new InMemoryPair(client, server).run();
  const sent = pair.events(from).find((e) => e.type === 'handshake-message' && e.direction === 'out' && e.message.kind === 'certificate_verify');
  if (sent?.type !== 'handshake-message') throw new Error('no CertificateVerify in the honest run');
  return sent.message;
}

/** A signer for the server's certificate that signs what `sign` says instead of what it is asked. */
function serverSigningWith(privateKey: CertifiedKey['privateKey'], role: 'client' | 'server') {
  const random = seededRandom(`${SEED}/${role}-signer`);
  const prefix = certificateVerifyContent('server', new Uint8Array(0)).length;
  return sendingWhatItSigns({
    chain: cast.server.chain,
    // The attacker's own signing, over the content of `role`: not our signCertificateVerify, which verifies with the
    // certificate's key and so would not let a signature of another key out (own-signature-faults.test.ts).
    signer: (scheme, content) => nobleProvider.sign(handshakeSignatureAlgorithm(scheme)!, privateKey!, certificateVerifyContent(role, content.subarray(prefix)), random),
  });
}

/** A mutual-TLS scenario run as it is set up, judged by what the server's application saw. */
function runScenario(name: MutualTlsScenarioName) {
  const setup = MUTUAL_TLS_SCENARIOS[name].setup(SEED);
  return new InMemoryPair(setup.client, setup.server, setup.pairOptions).run();
}

describe('a swapped certificate: the MITM shows another trusted certificate whose key it does not hold', () => {
  it('the client refuses a server Certificate swapped for another valid one of the same name with decrypt_error', () => {
    const pair = withMitm('swap-server', 'server', (m) => (m.kind === 'certificate' ? { ...m, entries: [{ data: twin.der, extensions: [] }] } : m));
    expectRefused(pair, 'client', 'decrypt_error');
  });

  it('the server refuses alice\'s Certificate swapped for mallory\'s (both pinned) with decrypt_error', () => {
    const pair = withMitm('swap-client', 'client', (m) => (m.kind === 'certificate' ? { ...m, entries: [{ data: cast.mallory.der, extensions: [] }] } : m));
    expectRefused(pair, 'server', 'decrypt_error');
  });
});

describe('a CertificateVerify replayed from another run, over another transcript', () => {
  it('the server refuses alice\'s CertificateVerify recorded in an earlier handshake with decrypt_error', () => {
    const pair = runScenario('replayed-certificate-verify');
    expectRefused(pair, 'server', 'decrypt_error');
  });

  it('the client refuses the server\'s CertificateVerify recorded in an earlier handshake with decrypt_error', () => {
    const recorded = recordedCertificateVerify('earlier-server-run', 'server');
    const pair = withMitm('replay-server-cv', 'server', (m) => (m.kind === 'certificate_verify' ? recorded : m));
    expectRefused(pair, 'client', 'decrypt_error');
  });

  it('the server refuses a CertificateVerify the MITM moved from alice\'s other connection with decrypt_error', () => {
    const recorded = recordedCertificateVerify('alice-other-connection', 'client');
    const pair = withMitm('replay-client-cv', 'client', (m) => (m.kind === 'certificate_verify' ? recorded : m));
    expectRefused(pair, 'server', 'decrypt_error');
  });
});

describe('a CertificateVerify signed with the other role\'s context string (RFC 8446 §4.4.3)', () => {
  it('the server refuses a client signature made with "TLS 1.3, server CertificateVerify" with decrypt_error', () => {
    expectRefused(runScenario('wrong-context'), 'server', 'decrypt_error');
  });

  it('the client refuses a server signature made with "TLS 1.3, client CertificateVerify" with decrypt_error', () => {
    const { client, server } = configs('server-wrong-context', {}, serverSigningWith(cast.server.privateKey, 'client'));
    expectRefused(new InMemoryPair(client, server).run(), 'client', 'decrypt_error');
  });
});

describe('a stolen certificate without its key', () => {
  it('the server refuses alice\'s pinned certificate presented by mallory with decrypt_error', () => {
    expectRefused(runScenario('stolen-certificate'), 'server', 'decrypt_error');
  });

  it('the client refuses the server\'s certificate presented by an impostor with its own P-256 key with decrypt_error', () => {
    const impostor = generateKeyPair('p256', seededRandom(`${SEED}/impostor`), nobleProvider).privateKey;
    const { client, server } = configs('stolen-server', {}, serverSigningWith(impostor, 'server'));
    expectRefused(new InMemoryPair(client, server).run(), 'client', 'decrypt_error');
  });

  it('the honest runs the attacks start from do connect, with the identities and data the oracle expects', () => {
    const { client, server } = configs('honest');
    const pair = new InMemoryPair(client, server).run();
    pair.client.write(utf8.encode('hello'));
    pair.run();
    expect(observed(pair, 'server')).toMatchObject({ alertsSent: [], connected: true, data: 1, state: 'CONNECTED' });
    expect(pair.server.info.peer?.subject).toBe('CN=alice');
    expect(pair.client.info.peer?.subject).toBe(`CN=${SERVER_NAME}`);
  });
});

describe('the CertificateVerify content lent to the provider (one reused array, src/handshake/signatures.ts)', () => {
  it('is the whole content of the role asked for, every call, even after a provider scribbled over what it was lent', () => {
    const seen: string[] = [];
    // A careless provider: records what it was given, then zeroes its input.
    const scribbling: CryptoProvider = {
      ...nobleProvider,
      sign: (alg, key, message, random) => {
        seen.push(hex(message));
        const signature = nobleProvider.sign(alg, key, message, random);
        message.fill(0);
        return signature;
      },
      verify: (alg, key, message, signature) => {
        seen.push(hex(message));
        const ok = nobleProvider.verify(alg, key, message, signature);
        message.fill(0);
        return ok;
      },
    };
    const key = cast.server.privateKey;
    const publicKey = nobleProvider.publicKeyOf(key);
    const random = seededRandom(`${SEED}/lent`);
    const [hashA, hashB] = [random(32), random(48)];
    const signedA = signCertificateVerify(scribbling, SignatureScheme.ecdsa_secp256r1_sha256, { chain: cast.server.chain, privateKey: key }, 'server', hashA, random);
    // The server's signature holds for the server's content only: not as a client's, not over another hash.
    expect(checkCertificateVerify(scribbling, SignatureScheme.ecdsa_secp256r1_sha256, publicKey, 'client', hashA, signedA)).toBe('bad-signature');
    expect(checkCertificateVerify(scribbling, SignatureScheme.ecdsa_secp256r1_sha256, publicKey, 'server', hashB, signedA)).toBe('bad-signature');
    expect(checkCertificateVerify(scribbling, SignatureScheme.ecdsa_secp256r1_sha256, publicKey, 'server', hashA, signedA)).toBe('ok');
    expect(seen).toEqual([
      hex(certificateVerifyContent('server', hashA)),
      // Our own signature, verified before it is sent.
      hex(certificateVerifyContent('server', hashA)),
      hex(certificateVerifyContent('client', hashA)),
      hex(certificateVerifyContent('server', hashB)),
      hex(certificateVerifyContent('server', hashA)),
    ]);
  });
});
