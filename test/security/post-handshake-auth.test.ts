// Attacker's scripts against post-handshake client authentication (RFC 8446 §4.6.2): after the handshake
// the server sends CertificateRequest, and the client answers Certificate, CertificateVerify, Finished,
// all under its application traffic keys. The identity may be reported only once all three are checked:
// the Finished, a MAC over the handshake transcript plus these messages (§4.4.4), ties the answer to this
// connection. Each script asserts what the server's application observed: the alert, no
// `post-handshake-auth` event, no identity.
import { describe, expect, it } from 'vitest';
import { nobleProvider } from '../../src/crypto/noble.js';
import type { CryptoProvider } from '../../src/crypto/provider.js';
import { seededRandom } from '../../src/crypto/random.js';
import type { CertifiedKey } from '../../src/handshake/config.js';
import type { SecretName } from '../../src/handshake/keyschedule.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { makeCast, SERVER_NAME } from '../../src/scenarios/mutual-tls.js';
import { sendingWhatItSigns, TEST_NOW } from '../../src/testing/certs.js';
import { announcedSecret, editProtectedHandshake, flipBit, suiteNamed, type EditedMessages } from '../../src/testing/tamper.js';
import { utf8 } from '../../src/wire/bytes.js';
import type { HandshakeMessage } from '../../src/wire/types.js';

const cast = makeCast('post-handshake-auth attacks');

/** A connected pair; the server asks nobody during the handshake and trusts alice's pinned certificate. */
function connected(seed: string, certificate: CertifiedKey | undefined, provider?: CryptoProvider) {
  return new InMemoryPair(
    {
      now: () => TEST_NOW,
      random: seededRandom(`${seed}/client`),
      serverName: SERVER_NAME,
      trust: { kind: 'ca', anchors: [cast.webCa.der] },
      postHandshakeAuth: true,
      ...(certificate ? { certificate } : {}),
      ...(provider ? { provider } : {}),
    },
    { now: () => TEST_NOW, random: seededRandom(`${seed}/server`), certificate: cast.server, trust: { kind: 'pinned-certificate', certificates: [cast.alice.der] } },
  ).run();
}

/**
 * The server asks for a certificate; the client's answer is rewritten by `edit` before it arrives. The
 * client is the attacker here (or holds its keys), so it knows its own application traffic keys.
 */
function answerEdited(pair: InMemoryPair, edit: (messages: HandshakeMessage[]) => EditedMessages, secret: SecretName = 'client_application_traffic_secret_0') {
  pair.server.requestClientCertificate();
  pair.step('server');
  const queue = pair.pull('client');
  const [first] = queue.splice(0);
  const keys = { suite: suiteNamed(pair.client.info.cipherSuite), secret: announcedSecret(pair.events('client'), secret) };
  const answer = editProtectedHandshake(first!.bytes, keys, edit);
  queue.push({ ...first!, bytes: answer });
  return pair.run();
}

/** What the server's application saw of the client. */
function serverObserved(pair: InMemoryPair) {
  const events = pair.events('server');
  return {
    alertsSent: events.flatMap((e) => (e.type === 'alert' && e.direction === 'out' ? [`${e.level} ${e.description}`] : [])),
    postHandshakeAuth: events.filter((e) => e.type === 'post-handshake-auth').map((e) => (e.type === 'post-handshake-auth' ? e.info.peer?.subject : undefined)),
    state: pair.server.state,
  };
}

function expectRefused(pair: InMemoryPair, alert: string): void {
  expect(serverObserved(pair)).toEqual({ alertsSent: [`fatal ${alert}`], postHandshakeAuth: [], state: 'CLOSED' });
}

/** Alice's PHA CertificateVerify from another connection of hers. */
function aliceCertificateVerifyElsewhere() {
  const pair = connected('alice elsewhere', cast.alice);
  pair.server.requestClientCertificate();
  pair.run();
  const sent = pair.events('client').find((e) => e.type === 'handshake-message' && e.direction === 'out' && e.message.kind === 'certificate_verify');
  if (sent?.type !== 'handshake-message') throw new Error('alice sent no CertificateVerify');
  return sent.message;
}

describe('post-handshake authentication under attack (RFC 8446 §4.6.2)', () => {
  it('reports alice only after her Certificate, CertificateVerify and Finished all check out', () => {
    const pair = answerEdited(connected('honest', cast.alice), (messages) => messages);
    expect(serverObserved(pair)).toEqual({ alertsSent: [], postHandshakeAuth: ['CN=alice'], state: 'CONNECTED' });
    expect(pair.server.info.peer?.subject).toBe('CN=alice');
    pair.client.write(utf8.encode('as alice'));
    pair.run();
    expect(pair.events('server').some((e) => e.type === 'data')).toBe(true);
  });

  it('refuses a post-handshake Finished whose verify_data was altered with decrypt_error, reporting nobody', () => {
    const pair = answerEdited(connected('tampered finished', cast.alice), (messages) =>
      messages.map((m) => (m.kind === 'finished' ? { ...m, verifyData: flipBit(m.verifyData, 0) } : m)),
    );
    expectRefused(pair, 'decrypt_error');
  });

  it('does not leave the identity of a client whose post-handshake Finished failed in getPeerIdentity()', () => {
    const pair = answerEdited(connected('tampered finished identity', cast.alice), (messages) =>
      messages.map((m) => (m.kind === 'finished' ? { ...m, verifyData: flipBit(m.verifyData, 0) } : m)),
    );
    expect(pair.server.state).toBe('CLOSED');
    expect(pair.server.info.peer).toBeUndefined();
  });

  it('refuses alice\'s Certificate sent without a CertificateVerify with unexpected_message', () => {
    // Mallory copied alice's certificate and cannot sign for it, so she leaves CertificateVerify out.
    const pair = answerEdited(connected('no certificate verify', cast.mallory), (messages) =>
      messages.flatMap((m): HandshakeMessage[] => (m.kind === 'certificate' ? [{ ...m, entries: [{ data: cast.alice.der, extensions: [] }] }] : m.kind === 'certificate_verify' ? [] : [m])),
    );
    expectRefused(pair, 'unexpected_message');
    expect(pair.server.info.peer).toBeUndefined();
  });

  it('refuses alice\'s CertificateVerify replayed from another connection with decrypt_error', () => {
    const replayed = aliceCertificateVerifyElsewhere();
    const pair = answerEdited(connected('replayed certificate verify', cast.mallory), (messages) =>
      messages.map((m) => (m.kind === 'certificate' ? { ...m, entries: [{ data: cast.alice.der, extensions: [] }] } : m.kind === 'certificate_verify' ? replayed : m)),
    );
    expectRefused(pair, 'decrypt_error');
    expect(pair.server.info.peer).toBeUndefined();
  });

  it('refuses alice\'s certificate signed for with mallory\'s key with decrypt_error', () => {
    const random = seededRandom('stolen');
    const stolen = sendingWhatItSigns({ chain: cast.alice.chain, signer: (_scheme, content) => nobleProvider.sign({ kind: 'ed25519' }, cast.mallory.privateKey, content, random) });
    const pair = answerEdited(connected('stolen certificate', stolen.certificate, stolen.provider), (messages) => messages);
    expectRefused(pair, 'decrypt_error');
    expect(pair.server.info.peer).toBeUndefined();
  });
});
