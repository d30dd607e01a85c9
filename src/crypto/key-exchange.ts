// Key-exchange groups in one shape (provider.ts KeyExchange): the adapter that turns any Diffie-Hellman
// group into it, and the combiner that makes a hybrid group of two. Providers implement the DH arithmetic
// and bring an ML-KEM (mlkem.ts); only the adapter knows how a DH exchange maps onto "generate,
// encapsulate, decapsulate", only the combiner how hybrid shares are laid out.
import { concat } from '../wire/bytes.js';
import type { GroupName, KeyExchange, RandomSource } from './provider.js';

/**
 * The arithmetic of one Diffie-Hellman group (ECDHE, X25519/X448, FFDHE), as a provider implements it. The
 * private key is made from the caller's randomness; a provider may keep it in its own form (`Private`: the
 * node provider holds a node:crypto KeyObject, made once from the drawn bytes).
 */
export interface DiffieHellmanGroup<Private = Uint8Array> {
  readonly group: GroupName;
  /** Length of a public value in a KeyShareEntry (RFC 8446 §4.2.8.1, §4.2.8.2); the same for both sides. */
  readonly publicLength: number;
  /** A fresh private key made from the caller's randomness. */
  generatePrivateKey(random: RandomSource): Private;
  /** The public value as it goes in a KeyShareEntry. */
  publicKey(privateKey: Private): Uint8Array;
  /**
   * The shared secret (RFC 8446 §7.4), or null when the peer's value is invalid: wrong length, not on the
   * curve or out of range, or an all-zero X25519/X448 result.
   */
  sharedSecret(privateKey: Private, peerPublic: Uint8Array): Uint8Array | null;
}

/**
 * A DH group as a KEM: the server's "encapsulation" is making its own key pair and agreeing with the
 * client's public value; its share is its public value. The private key is the DH private key, made from
 * bytes drawn from the RandomSource, so replays (RFC 8448) inject key-share private keys through the randomness.
 */
export function diffieHellmanKeyExchange<Private>(dh: DiffieHellmanGroup<Private>): KeyExchange<Private> {
  // Bytes of the adapter's own (generatePrivateKey copies from the randomness); a provider's KeyObject is dropped.
  const discard = (privateKey: Private) => {
    if (privateKey instanceof Uint8Array) privateKey.fill(0);
  };
  return {
    group: dh.group,
    shareLengths: { client: dh.publicLength, server: dh.publicLength },
    generate(random) {
      const privateKey = dh.generatePrivateKey(random);
      return { privateKey, share: dh.publicKey(privateKey) };
    },
    // The server's private key lives for this call only: zeroed before it returns, whatever the peer sent.
    encapsulate(clientShare, random) {
      const privateKey = dh.generatePrivateKey(random);
      try {
        const sharedSecret = dh.sharedSecret(privateKey, clientShare);
        return sharedSecret && { share: dh.publicKey(privateKey), sharedSecret };
      } finally {
        discard(privateKey);
      }
    },
    decapsulate: (privateKey, serverShare) => dh.sharedSecret(privateKey, serverShare),
    discard,
  };
}

/**
 * Two key exchanges side by side, as one group (draft-ietf-tls-hybrid-design §3.2): each share is the
 * concatenation of the two components' shares, the shared secret the concatenation of their secrets, in
 * the order the group defines (draft-ietf-tls-ecdhe-mlkem §3: ML-KEM first in X25519MLKEM768, ECDH first
 * in SecP256r1MLKEM768 and SecP384r1MLKEM1024). A part that refuses its piece (wrong length, invalid
 * value) makes the whole share invalid (illegal_parameter, draft-ietf-tls-ecdhe-mlkem §3).
 */
export function hybridKeyExchange<A, B>(group: GroupName, first: KeyExchange<A>, second: KeyExchange<B>): KeyExchange<[A, B]> {
  const shareLengths = {
    client: first.shareLengths.client + second.shareLengths.client,
    server: first.shareLengths.server + second.shareLengths.server,
  };
  return {
    group,
    shareLengths,
    generate(random) {
      const [a, b] = [first.generate(random), second.generate(random)];
      return { privateKey: [a.privateKey, b.privateKey], share: concat(a.share, b.share) };
    },
    // Each part checks its own length: the first gets exactly its share's length (or less, when the whole
    // is too short), the second the rest.
    encapsulate(clientShare, random) {
      const a = first.encapsulate(clientShare.subarray(0, first.shareLengths.client), random);
      const b = a && second.encapsulate(clientShare.subarray(first.shareLengths.client), random);
      const sharedSecret = joinedSecret(a?.sharedSecret ?? null, b?.sharedSecret ?? null);
      return a && b && sharedSecret && { share: concat(a.share, b.share), sharedSecret };
    },
    decapsulate([firstKey, secondKey], serverShare) {
      const a = first.decapsulate(firstKey, serverShare.subarray(0, first.shareLengths.server));
      const b = a && second.decapsulate(secondKey, serverShare.subarray(first.shareLengths.server));
      return joinedSecret(a, b);
    },
    discard([firstKey, secondKey]) {
      first.discard?.(firstKey);
      second.discard?.(secondKey);
    },
  };
}

/** The two parts' secrets as one (null when a part refused its share), and each part zeroed: only the whole goes on. */
function joinedSecret(a: Uint8Array | null, b: Uint8Array | null): Uint8Array | null {
  const whole = a && b && concat(a, b);
  a?.fill(0);
  b?.fill(0);
  return whole;
}
