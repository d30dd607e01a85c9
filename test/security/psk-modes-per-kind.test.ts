// Attacker's script: psk_key_exchange_modes is one list for every PSK in the ClientHello (RFC 8446
// §4.2.9), but our client configures modes twice: for its resumption ticket and for its external PSKs.
// When the two differ, the union goes on the wire; a server may then pick the kind of PSK whose own config
// forbids psk_ke and answer without a key_share. The client must judge the mode by the PSK the server
// selected (§4.2.11: "key_share" is present "if required by the ClientHello psk_key_exchange_modes"),
// or psk_ke, which gives up forward secrecy (§E.1, RFC 9257 §6), slips in through the other config.
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/crypto/random.js';
import type { ClientConfig, ServerConfig } from '../../src/handshake/config.js';
import type { ExternalPsk } from '../../src/handshake/external-psk.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { TEST_NOW } from '../../src/testing/certs.js';
import { fromHex, utf8 } from '../../src/wire/bytes.js';
import { CipherSuite } from '../../src/wire/enums.js';

const now = () => TEST_NOW;
const alice: ExternalPsk = { identity: 'alice', key: fromHex('00112233445566778899aabbccddeeff') };
/** A ticket from some earlier session whose config allows psk_ke for resumption. */
const ticket = { lifetime: 7200, ageAdd: 0, nonce: new Uint8Array(0), ticket: utf8.encode('an old ticket'), psk: new Uint8Array(32).fill(7), cipherSuite: CipherSuite.TLS_AES_128_GCM_SHA256 };

describe('PSK key exchange modes are judged per kind of PSK (RFC 8446 §4.2.9)', () => {
  it('refuses an external PSK in psk_ke when only the ticket config allows psk_ke', () => {
    // The client's external PSKs: psk_dhe_ke only (the default). Its ticket: psk_ke too.
    const victim: ClientConfig = { now, random: seededRandom('modes client'), externalPsks: { keys: [alice] }, resumption: { ticket, modes: ['psk_dhe_ke', 'psk_ke'] } };
    // A server that holds alice's PSK and prefers psk_ke.
    const server: ServerConfig = { now, random: seededRandom('modes server'), externalPsks: { keys: [alice], modes: ['psk_ke'] } };
    const pair = new InMemoryPair(victim, server).run();
    expect(pair.events('client').some((e) => e.type === 'connected')).toBe(false);
    expect(pair.events('client').flatMap((e) => (e.type === 'alert' && e.direction === 'out' ? [e.description] : []))).toEqual(['missing_extension']);
    expect(pair.client.info.peer).toBeUndefined();
  });
});
