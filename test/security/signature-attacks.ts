// The attacker's harness for signature-scheme scripts (signature-schemes.test.ts, ml-dsa-attacks.test.ts):
// a pinned, mutually authenticated pair; a rewriter of the handshake messages one side sends; a
// CertificateVerify signed as the attacker likes under the scheme it names; and the refusal every attack
// must end in.
import { expect } from 'vitest';
import { generateKeyPair } from '../../src/auth/builder.js';
import type { TrustPolicy } from '../../src/auth/trust.js';
import { nobleProvider } from '../../src/crypto/noble.js';
import type { PrivateKey, RandomSource, SignatureAlgorithm } from '../../src/crypto/provider.js';
import { seededRandom } from '../../src/crypto/random.js';
import type { CertifiedKey, ClientConfig, ServerConfig } from '../../src/handshake/config.js';
import type { Role } from '../../src/handshake/events.js';
import { InMemoryPair, type Flight } from '../../src/handshake/pair.js';
import { makeIdentity, sendingWhatItSigns, TEST_NOW, type Identity } from '../../src/testing/certs.js';
import { handshakeRewriter } from '../../src/testing/tamper.js';
import type { HandshakeMessage } from '../../src/wire/types.js';

export const SERVER_NAME = 'server.example';
export const other = (role: Role): Role => (role === 'client' ? 'server' : 'client');

export interface PairOptions {
  client?: Partial<ClientConfig>;
  server?: Partial<ServerConfig>;
}

export function signatureAttacks(random: RandomSource) {
  const selfSigned = (privateKey: PrivateKey, cn: string) => makeIdentity({ subject: { CN: cn }, sans: { dns: [cn] }, privateKey }, random);

  /** A pair where each side pins the other's certificate and the server requires a client certificate. */
  function pair(client: CertifiedKey & { der?: Uint8Array }, server: CertifiedKey & { der?: Uint8Array }, options: PairOptions & { tamper?: (flight: Flight) => Uint8Array } = {}) {
    const pin = (c: CertifiedKey): TrustPolicy => ({ kind: 'pinned-certificate', certificates: [c.chain[0]!] });
    return new InMemoryPair(
      { now: () => TEST_NOW, random: seededRandom('client'), serverName: SERVER_NAME, trust: pin(server), certificate: client, ...options.client },
      { now: () => TEST_NOW, random: seededRandom('server'), clientAuth: 'require', trust: pin(client), certificate: server, ...options.server },
      options.tamper ? { tamper: options.tamper } : {},
    );
  }

  /**
   * Runs a pair in which the handshake messages `attacker` sends under its handshake keys pass through `edit`
   * (the test holds those keys; the attacker needs no more than its own private keys for what it sends).
   */
  function withRewrite(attacker: Role, client: CertifiedKey, server: CertifiedKey, edit: (m: HandshakeMessage) => HandshakeMessage, options: PairOptions = {}) {
    const rewriter = handshakeRewriter(() => connection, attacker, edit);
    const connection: InMemoryPair = pair(client, server, { ...options, tamper: rewriter.tamper });
    connection.run();
    expect(rewriter.edited()).toBe(true);
    return connection;
  }

  /**
   * `attacker` authenticates with `identity` but signs its CertificateVerify content with `forge`, and its
   * CertificateVerify is sent with `scheme`. The honest side is given an ordinary certificate.
   */
  function forgedCertificateVerify(attacker: Role, identity: Identity, scheme: number, forge: (content: Uint8Array) => Uint8Array, options: PairOptions = {}) {
    const forged = sendingWhatItSigns({ chain: identity.chain, signer: (_scheme, content) => forge(content) });
    const honest = selfSigned(generateKeyPair('p256', random, nobleProvider).privateKey, attacker === 'client' ? SERVER_NAME : 'alice');
    const [client, server] = attacker === 'client' ? [forged.certificate, honest] : [honest, forged.certificate];
    const attackerOptions = { ...options[attacker], provider: forged.provider };
    return withRewrite(attacker, client, server, (m) => (m.kind === 'certificate_verify' ? { ...m, scheme } : m), { ...options, [attacker]: attackerOptions });
  }

  /** What an attacker holding the key signs a CertificateVerify content with, bypassing any restriction. */
  const signing = (alg: SignatureAlgorithm, key: PrivateKey) => (content: Uint8Array) => nobleProvider.sign(alg, key, content, random);

  return { selfSigned, pair, withRewrite, forgedCertificateVerify, signing };
}

/** The victim sent exactly this fatal alert, connected to nobody and reports no identity. */
export function expectRefused(connection: InMemoryPair, victim: Role, alert: string): void {
  const events = connection.events(victim);
  expect(events.flatMap((e) => (e.type === 'alert' && e.direction === 'out' ? [`${e.level} ${e.description}`] : []))).toEqual([`fatal ${alert}`]);
  expect(events.some((e) => e.type === 'connected')).toBe(false);
  expect(connection.connection(victim).info.peer).toBeUndefined();
  expect(connection.connection(victim).state).toBe('CLOSED');
}
