// The external-psk scenario (RFC 8446 §4.2.11, RFC 9257): no certificates and no public keys at all. Both
// sides were given the same secret and its identity out of band; the client names the identity in its
// ClientHello and binds the secret to it (the binder), the server checks the binder, and each side's
// Finished proves it holds the secret. psk_dhe_ke: an x25519 exchange on top keeps forward secrecy.
// Core-safe: no node imports.
import { seededRandom } from '../crypto/random.js';
import type { ExternalPskConfig } from '../handshake/external-psk.js';
import { TEST_NOW } from '../testing/certs.js';
import { hex } from '../wire/bytes.js';
import type { ScenarioSetup } from './mutual-tls.js';

/** The PSK both sides were provisioned with: 32 bytes from the seed, identity "alice@tls13-lab". */
export function makeExternalPsk(seed: string): ExternalPskConfig {
  return { keys: [{ identity: 'alice@tls13-lab', key: seededRandom(`${seed}/external-psk`)(32) }] };
}

export const EXTERNAL_PSK_SCENARIO = {
  summary: 'both sides authenticate with one external pre-shared key (RFC 8446 §4.2.11), psk_dhe_ke: connected',
  setup(seed: string): ScenarioSetup {
    const psk = makeExternalPsk(seed);
    const common = (side: string) => ({ now: () => TEST_NOW, random: seededRandom(`${seed}/${side}-connection`), externalPsks: psk });
    return {
      name: 'external-psk',
      question: 'Can two parties authenticate each other with a shared secret, without certificates or keys?',
      story: [
        'Neither side has a certificate or a key pair: both were given the same 32-byte secret and its identity',
        '"alice@tls13-lab" out of band. The ClientHello names the identity in pre_shared_key (in the clear: an',
        'observer learns who connects) with a binder, an HMAC keyed from the secret ("ext binder") over the',
        'ClientHello. The server selects the PSK by identity, checks the binder, and answers with no Certificate',
        'at all. Each Finished proves its sender holds the secret; psk_dhe_ke adds an x25519 exchange, so a later',
        'leak of the PSK does not decrypt this session (psk_ke would give that up).',
        `The PSK (secret, shown for the demo): ${hex(psk.keys[0]!.key)}`,
      ],
      client: common('client'),
      server: common('server'),
      expected: { kind: 'connected' },
    };
  },
};
