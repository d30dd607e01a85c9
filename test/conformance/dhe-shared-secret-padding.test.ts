// tlsfuzzer's test-tls13-dhe-shared-secret-padding: handshakes in each group until the (EC)DH shared secret
// starts with a zero byte, and until the server's key share does (after the 0x04 of an uncompressed point),
// each of which a server that strips leading zeros gets wrong. RFC 8446 §7.4.1: the FFDHE secret is "left-
// padded with zeros up to the size of the prime"; §7.4.2: the ECDHE secret is the x-coordinate, fixed length;
// §4.2.8.1: Y is "left-padded with zeros to the size of p"; §4.2.8.2: the point is fixed length. The script
// loops over random handshakes; here each case is one handshake whose seeds (found once, by searching) give
// that leading zero, on the noble provider for both sides so the seeds hold in either vitest project. The
// lengths are checked against the RFC's, and the Finished of both sides verifying proves they agree.
import { describe, expect, it } from 'vitest';
import { nobleProvider } from '../../src/crypto/noble.js';
import { makeIdentity } from '../../src/testing/certs.js';
import { rsaTestKey } from '../../src/testing/rsa-keys.js';
import { NamedGroup } from '../../src/wire/enums.js';
import { rnd } from '../handshake/abort-harness.js';
import { rsaScriptExtensions, ScriptedClient } from './scripted-client.js';

const CIPHERS = [0x1301, 0x00ff];
const rsaServer = makeIdentity({ subject: { CN: 'example.test' }, privateKey: rsaTestKey() }, rnd);

/** Each group of the script: the shared secret's and the server share's RFC lengths, and the seeds' numbers. */
const GROUPS = [
  { name: 'secp384r1', secret: 48, share: 97, zeroSecret: 182, zeroShare: 4 },
  { name: 'secp521r1', secret: 66, share: 133, zeroSecret: 0, zeroShare: 1 },
  { name: 'x25519', secret: 32, share: 32, zeroSecret: 255, zeroShare: 137 },
  { name: 'x448', secret: 56, share: 56, zeroSecret: 65, zeroShare: 7 },
  { name: 'ffdhe2048', secret: 256, share: 256, zeroSecret: 63, zeroShare: 849 },
  { name: 'ffdhe3072', secret: 384, share: 384, zeroSecret: 65, zeroShare: 127 },
] as const;

/** The script's handshake in `name` alone, with the seeds numbered `seed`; completed with our Finished. */
function handshake(name: (typeof GROUPS)[number]['name'], seed: number): ScriptedClient {
  const group = NamedGroup[name];
  const client = new ScriptedClient({ certificate: rsaServer, provider: nobleProvider }, `dhe padding ${name} ${seed}`);
  const answer = client.hello(CIPHERS, rsaScriptExtensions(client, group));
  expect(answer.alerts).toEqual([]);
  expect(client.server.info.group).toBe(name);
  expect(client.finish().alerts).toEqual([]);
  expect(client.server.isConnected).toBe(true);
  return client;
}

describe('test-tls13-dhe-shared-secret-padding', () => {
  it.each(GROUPS)('"TLS 1.3 with $name": a shared secret with a leading zero byte, full length', ({ name, secret, zeroSecret }) => {
    const client = handshake(name, zeroSecret);
    expect(client.sharedSecret).toHaveLength(secret);
    expect(client.sharedSecret![0]).toBe(0);
  });

  it.each(GROUPS)('"TLS 1.3 with $name": a server key share with a leading zero byte, full length', ({ name, share, zeroShare }) => {
    const client = handshake(name, zeroShare);
    expect(client.serverKeyShare).toHaveLength(share);
    expect(client.serverKeyShare![name.startsWith('secp') ? 1 : 0]).toBe(0);
  });
});
