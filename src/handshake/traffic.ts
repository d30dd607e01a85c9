// Application traffic after the handshake: the current secret of each direction and KeyUpdate
// (RFC 8446 §4.6.3, §7.2), shared by both roles.
import { KeyUpdateRequest } from '../wire/enums.js';
import { TlsError } from '../wire/errors.js';
import type { KeyUpdate } from '../wire/types.js';
import type { HandshakeContext, PeerFinishedVerified } from './context.js';
import { nextTrafficSecret } from './keyschedule.js';
import type { SuiteInfo } from './suites.js';

/**
 * How many KeyUpdates a peer may send in a row without application data in between. The RFC sets no
 * limit, but each one costs us a key derivation and a new AEAD key, so a flood is stopped with
 * unexpected_message: BoringSSL's limit and alert (kMaxKeyUpdates = 32, SSL_R_TOO_MANY_KEY_UPDATES);
 * OpenSSL also stops at 32 (MAX_KEY_UPDATE_MESSAGES), with illegal_parameter.
 */
export const MAX_KEY_UPDATES_WITHOUT_DATA = 32;

export class ApplicationTraffic {
  private updatesWithoutData = 0;
  /** Our answer to an update_requested waits in the output the caller has not taken yet. */
  private answerUntaken = false;

  constructor(
    private readonly ctx: HandshakeContext,
    readonly suite: SuiteInfo,
    private ourSecret: Uint8Array,
    private peerSecret: Uint8Array,
    /** Kept from the peer's verified Finished: the licence to install read keys again after a KeyUpdate. */
    private readonly proof: PeerFinishedVerified,
  ) {}

  /** The client's current application traffic secret: the Finished key of post-handshake authentication (§4.4). */
  clientSecret(role: 'client' | 'server'): Uint8Array {
    return role === 'client' ? this.ourSecret : this.peerSecret;
  }

  /** The connection closed: both current traffic secrets are zeroed (the record keys are wiped by the record layer). */
  wipe(): void {
    this.ourSecret.fill(0);
    this.peerSecret.fill(0);
  }

  /** Application data arrived: the peer is not just spinning keys. */
  sawData(): void {
    this.updatesWithoutData = 0;
  }

  /** The peer's KeyUpdate: new read keys, and our own update if it asked for one (RFC 8446 §4.6.3). */
  onKeyUpdate(message: KeyUpdate): void {
    if (++this.updatesWithoutData > MAX_KEY_UPDATES_WITHOUT_DATA) {
      throw new TlsError('TooManyKeyUpdates', `more than ${MAX_KEY_UPDATES_WITHOUT_DATA} KeyUpdates without application data`);
    }
    this.peerSecret = nextTrafficSecret(this.ctx.provider, this.suite, this.peerSecret);
    this.ctx.effects.push({ kind: 'read-keys', epoch: 'application', suite: this.suite, secret: this.peerSecret, proof: this.proof });
    const requested = message.requestUpdate === KeyUpdateRequest.update_requested;
    this.ctx.decide('key_update', 'peer updated its keys', requested ? 'the peer asked us to update ours too' : 'update_not_requested');
    if (!requested) return;
    // Requests that arrive while our answer is still unsent are answered by it: "an implementation which
    // receives multiple KeyUpdates while it is silent [responds] with a single update" (RFC 8446 §4.6.3).
    // Else a peer that asks without reading makes us queue one answer and one key derivation per request.
    if (this.answerUntaken) return this.ctx.decide('key_update', 'answered by our KeyUpdate not yet sent', 'one answer to the requests received while we were silent');
    this.update(false);
    this.answerUntaken = true;
  }

  /** The caller took our output: a request from now on is one the peer makes after our answer, and gets its own. */
  outputTaken(): void {
    this.answerUntaken = false;
  }

  /** Sends KeyUpdate and switches our write keys; `requestPeer` asks the peer to do the same. */
  update(requestPeer: boolean, why?: string): void {
    const requestUpdate = requestPeer ? KeyUpdateRequest.update_requested : KeyUpdateRequest.update_not_requested;
    this.ctx.sendOutsideTranscript({ kind: 'key_update', requestUpdate });
    this.ourSecret = nextTrafficSecret(this.ctx.provider, this.suite, this.ourSecret);
    this.ctx.effects.push({ kind: 'write-keys', epoch: 'application', suite: this.suite, secret: this.ourSecret });
    this.ctx.decide('key_update', 'we updated our keys', [why, requestPeer ? 'and asked the peer to update' : 'update_not_requested'].filter(Boolean).join('; '));
  }
}
