// A malicious server that sends in its Certificate what it likes (entries that are no certificates, more than
// any path needs: RFC 8446 §4.4.2 sets no count) and signs and finishes what it sent, so that the client judges
// the edited Certificate as the server's own message. Our server engine sends only chains that parse (config
// validation refuses the others), so the attacker runs it and, holding its certificate's private key and its
// handshake traffic secret, rewrites its first encrypted flight: the Certificate by `edit`, CertificateVerify
// signed again and Finished computed again over the transcript the client holds (RFC 8446 §4.4.3, §4.4.4).
// The honest engine's transcript no longer matches the client's, so every flight of the client after that one
// is withheld from it: the client connects, the engine waits. Core-safe: no node imports.
import type { PrivateKey } from '../crypto/provider.js';
import { nobleProvider } from '../crypto/noble.js';
import { seededRandom } from '../crypto/random.js';
import type { Role, TlsEvent } from '../handshake/events.js';
import { finishedVerifyData } from '../handshake/keyschedule.js';
import { certificateVerifyContent, handshakeSignatureAlgorithm } from '../handshake/signatures.js';
import { Transcript } from '../handshake/transcript.js';
import { encodeHandshake } from '../wire/messages.js';
import type { Certificate } from '../wire/types.js';
import { announcedSecret, editProtectedHandshake, suiteNamed } from './tamper.js';

/** What the rewriter needs of an InMemoryPair (given as a function: the pair is made with the hook). */
export interface ObservedPair {
  events(side: Role): TlsEvent[];
  connection(side: Role): { info: { cipherSuite?: string } };
}

/**
 * A tamper hook for an InMemoryPair whose server's certificate has `privateKey`: the server's Certificate rewritten
 * by `edit`, signed (with the scheme the server chose) and finished as sent. `edited()` says whether the flight came.
 */
export function signingServer(
  pair: () => ObservedPair,
  privateKey: PrivateKey,
  edit: (certificate: Certificate) => Certificate,
): { tamper: (flight: { from: Role; bytes: Uint8Array }) => Uint8Array | undefined; edited: () => boolean } {
  let edited = false;
  return {
    tamper: ({ from, bytes }) => {
      if (from === 'client') return edited ? undefined : bytes;
      const events = pair().events('server');
      if (edited || !events.some((e) => e.type === 'secret' && e.name === 'server_handshake_traffic_secret')) return bytes;
      edited = true;
      const suite = suiteNamed(pair().connection('server').info.cipherSuite);
      const secret = announcedSecret(events, 'server_handshake_traffic_secret');
      const transcript = new Transcript(nobleProvider);
      transcript.selectHash(suite.hash);
      // The hellos, as both sides hold them (RFC 8446 §4.4.1: a HelloRetryRequest replaces ClientHello1 by its hash).
      for (const e of events) {
        if (e.type !== 'handshake-message') continue;
        if (e.message.kind === 'encrypted_extensions') break;
        if (e.message.kind === 'hello_retry_request') transcript.replaceWithMessageHash();
        transcript.add(e.raw);
      }
      return editProtectedHandshake(bytes, { suite, secret }, (messages) =>
        messages.map((message) => {
          let raw: Uint8Array;
          if (message.kind === 'certificate') raw = encodeHandshake(edit(message));
          else if (message.kind === 'certificate_verify') {
            const content = certificateVerifyContent('server', transcript.current());
            const signature = nobleProvider.sign(handshakeSignatureAlgorithm(message.scheme)!, privateKey, content, seededRandom('signing server'));
            raw = encodeHandshake({ ...message, signature });
          } else if (message.kind === 'finished') raw = encodeHandshake({ kind: 'finished', verifyData: finishedVerifyData(nobleProvider, suite, secret, transcript.current()) });
          else raw = encodeHandshake(message);
          transcript.add(raw);
          return raw;
        }),
      );
    },
    edited: () => edited,
  };
}
