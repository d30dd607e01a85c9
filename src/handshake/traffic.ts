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

  /** Our current secret, undefined once our close_notify went out (closeWriteDirection). */
  private ourSecret: Uint8Array | undefined;
  /** The peer's current secret, undefined once its close_notify came (closeReadDirection). */
  private peerSecret: Uint8Array | undefined;

  constructor(
    private readonly ctx: HandshakeContext,
    readonly suite: SuiteInfo,
    ourSecret: Uint8Array,
    peerSecret: Uint8Array,
    /** Kept from the peer's verified Finished: the licence to install read keys again after a KeyUpdate. */
    private readonly proof: PeerFinishedVerified,
  ) {
    this.ourSecret = ourSecret;
    this.peerSecret = peerSecret;
  }

  /** Our write direction still has its secret: we have not sent close_notify. */
  get writable(): boolean {
    return this.ourSecret !== undefined;
  }

  /** The client's current application traffic secret: the Finished key of post-handshake authentication (§4.4). */
  clientSecret(role: 'client' | 'server'): Uint8Array {
    return role === 'client' ? this.ours() : this.peers();
  }

  /**
   * We sent close_notify: no record is sealed under our keys again (RFC 8446 §6.1), so our secret is zeroed (the
   * record layer wipes its keys). What would still derive from it is an error, never a key made from zeros.
   */
  closeWriteDirection(): void {
    this.ourSecret?.fill(0);
    this.ourSecret = undefined;
  }

  /** The peer sent close_notify: nothing is opened under its keys again, so its secret is zeroed. */
  closeReadDirection(): void {
    this.peerSecret?.fill(0);
    this.peerSecret = undefined;
  }

  /** The connection closed: both current traffic secrets are zeroed (the record keys are wiped by the record layer). */
  wipe(): void {
    this.closeWriteDirection();
    this.closeReadDirection();
  }

  private ours(): Uint8Array {
    if (!this.ourSecret) throw new Error('our application traffic secret is gone: we sent close_notify');
    return this.ourSecret;
  }

  private peers(): Uint8Array {
    if (!this.peerSecret) throw new Error('the peer\'s application traffic secret is gone: it sent close_notify');
    return this.peerSecret;
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
    this.peerSecret = nextTrafficSecret(this.ctx.provider, this.suite, this.peers());
    this.ctx.effects.push({ kind: 'read-keys', epoch: 'application', suite: this.suite, secret: this.peerSecret, proof: this.proof });
    const requested = message.requestUpdate === KeyUpdateRequest.update_requested;
    this.ctx.decide('key_update', 'peer updated its keys', requested ? 'the peer asked us to update ours too' : 'update_not_requested');
    if (!requested) return;
    // After our close_notify we "will not send any more messages" (RFC 8446 §6.1): no KeyUpdate, no new write keys.
    if (!this.writable) return this.ctx.decide('key_update', 'not answered', 'we sent close_notify: nothing more goes out from us (RFC 8446 §6.1)');
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
    const current = this.ours();
    const requestUpdate = requestPeer ? KeyUpdateRequest.update_requested : KeyUpdateRequest.update_not_requested;
    this.ctx.sendOutsideTranscript({ kind: 'key_update', requestUpdate });
    this.ourSecret = nextTrafficSecret(this.ctx.provider, this.suite, current);
    this.ctx.effects.push({ kind: 'write-keys', epoch: 'application', suite: this.suite, secret: this.ourSecret });
    this.ctx.decide('key_update', 'we updated our keys', [why, requestPeer ? 'and asked the peer to update' : 'update_not_requested'].filter(Boolean).join('; '));
  }
}
