// Key-exchange groups in one shape (provider.ts KeyExchange): the adapter that turns any Diffie-Hellman
// group into it. Providers implement the DH arithmetic; the adapter is the only place that knows how a DH
// exchange maps onto "generate, encapsulate, decapsulate".
import type { GroupName, KeyExchange, RandomSource } from './provider.js';

/** The arithmetic of one Diffie-Hellman group (ECDHE, X25519/X448, FFDHE), as a provider implements it. */
export interface DiffieHellmanGroup {
  readonly group: GroupName;
  /** Length of a public value in a KeyShareEntry (RFC 8446 §4.2.8.1, §4.2.8.2); the same for both sides. */
  readonly publicLength: number;
  /** A fresh private key made from the caller's randomness. */
  generatePrivateKey(random: RandomSource): Uint8Array;
  /** The public value as it goes in a KeyShareEntry. */
  publicKey(privateKey: Uint8Array): Uint8Array;
  /**
   * The shared secret (RFC 8446 §7.4), or null when the peer's value is invalid: wrong length, not on the
   * curve or out of range, or an all-zero X25519/X448 result.
   */
  sharedSecret(privateKey: Uint8Array, peerPublic: Uint8Array): Uint8Array | null;
}

/**
 * A DH group as a KEM: the server's "encapsulation" is making its own key pair and agreeing with the
 * client's public value; its share is its public value. The private key is the DH private key, drawn from
 * the RandomSource, so replays (RFC 8448) inject key-share private keys through the randomness.
 */
export function diffieHellmanKeyExchange(dh: DiffieHellmanGroup): KeyExchange<Uint8Array> {
  return {
    group: dh.group,
    shareLengths: { client: dh.publicLength, server: dh.publicLength },
    generate(random) {
      const privateKey = dh.generatePrivateKey(random);
      return { privateKey, share: dh.publicKey(privateKey) };
    },
    encapsulate(clientShare, random) {
      const privateKey = dh.generatePrivateKey(random);
      const sharedSecret = dh.sharedSecret(privateKey, clientShare);
      return sharedSecret && { share: dh.publicKey(privateKey), sharedSecret };
    },
    decapsulate: (privateKey, serverShare) => dh.sharedSecret(privateKey, serverShare),
  };
}
