// HelloRetryRequest as tlsfuzzer's test-tls13-hrr drives it ("HRR because of empty key_shares"): a first
// ClientHello with an empty client_shares list draws a HelloRetryRequest for the group it listed (§4.1.4),
// the one compatibility ChangeCipherSpec follows the HelloRetryRequest and not the ServerHello after it
// (§D.4: "immediately after its first handshake message. This may either be after a ServerHello or a
// HelloRetryRequest"), and the second ClientHello completes the handshake.
import { describe, expect, it } from 'vitest';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { splitRecords } from '../../src/testing/tamper.js';
import { concat } from '../../src/wire/bytes.js';
import { NamedGroup } from '../../src/wire/enums.js';
import { clientConfig, serverConfig } from '../handshake/abort-harness.js';

const CCS = 20;
const HANDSHAKE = 22;
/** The §4.1.3 random of a HelloRetryRequest starts CF 21 AD 74. */
const isHelloRetryRequest = (fragment: Uint8Array) => fragment[0] === 2 && [...fragment.subarray(6, 10)].join() === [0xcf, 0x21, 0xad, 0x74].join();

/** The records the server has in flight, not yet delivered. */
const sentRecords = (pair: InMemoryPair) => splitRecords(concat(...pair.pull('server').map((r) => r.bytes)));

describe('test-tls13-hrr: "HRR because of empty key_shares"', () => {
  it.each([
    ['secp256r1', NamedGroup.secp256r1],
    ['x25519', NamedGroup.x25519],
  ])('supported_groups [%s] and no key share: HelloRetryRequest and one CCS, then a ServerHello without one, then connected', (name, group) => {
    const pair = new InMemoryPair(clientConfig({ groups: [group], keyShareGroups: [] }), serverConfig());
    pair.step('client');
    const hello = pair.events('client').find((e) => e.type === 'handshake-message' && e.message.kind === 'client_hello');
    const keyShare = hello?.type === 'handshake-message' && hello.message.kind === 'client_hello' ? hello.message.extensions.find((e) => e.type === 51) : undefined;
    expect([...keyShare!.data]).toEqual([0, 0]); // client_shares, empty
    const first = sentRecords(pair);
    expect(first.map((r) => r.type)).toEqual([HANDSHAKE, CCS]);
    expect(isHelloRetryRequest(first[0]!.fragment)).toBe(true);
    pair.step('server');
    pair.step('client');
    const second = sentRecords(pair);
    expect(second[0]!.type).toBe(HANDSHAKE);
    expect(isHelloRetryRequest(second[0]!.fragment)).toBe(false);
    expect(second.map((r) => r.type)).not.toContain(CCS);
    pair.run();
    expect(pair.client.isConnected && pair.server.isConnected).toBe(true);
    expect(pair.server.info.group).toBe(name);
  });
});
