// Two scripts about the server's first flight and what may follow it:
// - test-tls13-finished-plaintext, "Unencrypted Finished message": once the server reads with the client's
//   handshake keys, a plaintext handshake record is unexpected_message (RFC 8446 §5: records after the
//   ServerHello are protected; §5.1 "If a TLS implementation receives an unexpected record type ...").
// - test-tls13-serverhello-random: ServerHello.random and the server's key share differ on every connection,
//   in every group the script tries, with the randomness the server uses by default (as `tls13 serve` does).
import { describe, expect, it } from 'vitest';
import { makeIdentity } from '../../src/testing/certs.js';
import { rsaTestKey } from '../../src/testing/rsa-keys.js';
import { NamedGroup } from '../../src/wire/enums.js';
import { rnd } from '../handshake/abort-harness.js';
import { rsaScriptExtensions, ScriptedClient } from './scripted-client.js';

const CIPHERS = [0x1301, 0x00ff];
const rsaServer = makeIdentity({ subject: { CN: 'example.test' }, privateKey: rsaTestKey() }, rnd);

/** The scripts' ClientHello in `group`, to a server with an RSA certificate and the randomness given. */
function connect(group: number, serverRandom: 'default' | 'seeded', seed?: string) {
  const client = new ScriptedClient({ certificate: rsaServer, ...(serverRandom === 'default' ? { random: undefined } : {}) }, seed);
  const answer = client.hello(CIPHERS, rsaScriptExtensions(client, group));
  expect(answer.alerts).toEqual([]);
  expect(answer.messages.map((m) => m.kind)).toEqual(['server_hello', 'encrypted_extensions', 'certificate', 'certificate_verify', 'finished']);
  return { client, serverHello: answer.messages[0]! };
}

describe('test-tls13-finished-plaintext', () => {
  it('"Unencrypted Finished message" (the right verify_data, in a plaintext record): unexpected_message, and no ticket', () => {
    const { client } = connect(NamedGroup.secp256r1, 'seeded');
    const answer = client.finish({ plaintext: true });
    expect(answer.alerts).toEqual(['unexpected_message']);
    expect(answer.messages).toEqual([]);
    expect(client.server.isConnected).toBe(false);
    expect(client.server.isClosed).toBe(true);
  });

  it('"sanity": the same Finished, protected, completes the handshake', () => {
    const { client } = connect(NamedGroup.secp256r1, 'seeded');
    expect(client.finish().alerts).toEqual([]);
    expect(client.server.isConnected).toBe(true);
  });
});

describe('test-tls13-serverhello-random', () => {
  it('ServerHello.random and the key share are new on each connection, in each group of the script', () => {
    const groups = [NamedGroup.secp256r1, NamedGroup.secp384r1, NamedGroup.secp521r1, NamedGroup.x25519, NamedGroup.x448, NamedGroup.ffdhe2048, NamedGroup.ffdhe3072];
    const randoms = new Set<string>();
    const shares = new Set<string>();
    const repeats = 3;
    for (const group of groups) {
      for (let i = 0; i < repeats; i++) {
        // The same client each time (its seed fixed): only the server's own randomness can make them differ.
        const { client, serverHello } = connect(group, 'default', 'serverhello-random');
        if (serverHello.kind !== 'server_hello') throw new Error('no ServerHello');
        randoms.add(Buffer.from(serverHello.random).toString('hex'));
        shares.add(Buffer.from(client.serverKeyShare!).toString('hex'));
      }
    }
    expect(randoms.size).toBe(groups.length * repeats);
    expect(shares.size).toBe(groups.length * repeats);
  });
});
