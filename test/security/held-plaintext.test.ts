// An application keeps the data it was given while the connection goes on reading: the bytes of a `data` event
// must be the application's, not a view of memory the engine or its caller writes again. Here the sender seals
// into one reused array (as the node adapter's record pool) and the receiver is fed every record through one
// reused read buffer: opening in place, or handing out a view of the received record, would rewrite what the
// application holds when the next record lands (RFC 8446 §5.2: the plaintext is the AEAD's output, not its input).
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { nobleProvider } from '../../src/crypto/noble.js';
import { seededRandom } from '../../src/crypto/random.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { SUITES } from '../../src/handshake/suites.js';
import { nodeCryptoProvider } from '../../src/node/crypto.js';
import { makeIdentity, TEST_NOW } from '../../src/testing/certs.js';
import { hex } from '../../src/wire/bytes.js';

const identity = makeIdentity({ subject: { CN: 'server' } }, seededRandom('held-plaintext'));

describe.each([
  ['noble', nobleProvider],
  ['node:crypto', nodeCryptoProvider],
] as const)('data held by the application while later records are opened (%s)', (_, provider) => {
  it.each([...SUITES.values()].map((suite) => [suite.name, suite.code] as const))('%s: every data event keeps its bytes', (_, code) => {
    const pair = new InMemoryPair(
      { trust: { kind: 'pinned-certificate', certificates: [identity.der] }, now: () => TEST_NOW, random: seededRandom('c'), provider, cipherSuites: [code] },
      { certificate: identity, random: seededRandom('s'), provider, cipherSuites: [code] },
    ).run();
    const sealedInto = new Uint8Array(2 ** 15);
    pair.client.sealRecordsWith((length) => sealedInto.fill(0xa5).subarray(0, length));
    const readBuffer = new Uint8Array(2 ** 15);
    const sent = [2 ** 14, 1000, 2 ** 14, 7].map((length) => randomBytes(length));
    const held: Uint8Array[] = [];
    for (const payload of sent) {
      pair.client.write(payload);
      const [record] = pair.client.takeOutputRecords();
      readBuffer.set(record!);
      pair.server.receive(readBuffer.subarray(0, record!.length));
      for (const event of pair.server.takeEvents()) if (event.type === 'data') held.push(event.data);
    }
    expect(held.map(hex)).toEqual(sent.map(hex));
  });
});
