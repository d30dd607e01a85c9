// tlsfuzzer's test-tls13-mlkem (hybrid ML-KEM key shares, draft-ietf-tls-ecdhe-mlkem), probe by probe: each
// hybrid alone is negotiated and the handshake completes; a share whose classical part is not a valid
// public value (X25519MLKEM768: the X25519 part all zero, its shared secret all zero, RFC 8446 §7.4.2; the
// NIST curves: x of the point flipped, off the curve, §4.2.8.2), whose ML-KEM encapsulation key fails the
// FIPS 203 §7.2 modulus check (a 12-bit coefficient of 0xfxx >= q = 3329), or whose length is one byte short
// or long, is illegal_parameter. Share layouts: X25519MLKEM768 = ek (1184) || X25519 (32); SecP256r1MLKEM768 =
// point (65) || ek (1184); SecP384r1MLKEM1024 = point (97) || ek (1568).
import { describe, expect, it } from 'vitest';
import { nobleProvider } from '../../src/crypto/noble.js';
import type { GroupName } from '../../src/crypto/provider.js';
import { seededRandom } from '../../src/crypto/random.js';
import { makeIdentity } from '../../src/testing/certs.js';
import { concat } from '../../src/wire/bytes.js';
import { ExtensionType, NamedGroup } from '../../src/wire/enums.js';
import type { Extension } from '../../src/wire/types.js';
import { ext, rnd, shareEntry, u16 } from '../handshake/abort-harness.js';
import { expectConversation } from './client-certificate-flight.js';
import { codePointList, ScriptedClient, SIG_ALL, SUPPORTED_VERSIONS } from './scripted-client.js';

const CIPHERS = [0x1301, 0x00ff];
const random = seededRandom('mlkem shares');
const ecdsaServer = makeIdentity({ subject: { CN: 'example.test' }, keyType: 'p256' }, rnd);
/** The script's signature_algorithms: RSA-PSS, ECDSA P-256, EdDSA. */
const SCRIPT_SCHEMES = [0x0804, 0x0809, 0x0403, 0x0807, 0x0808];

const HYBRIDS = [
  // name, code, [classical byte to break, how], ML-KEM byte set to 0xff
  ['X25519MLKEM768', NamedGroup.X25519MLKEM768, (share: Uint8Array) => share.fill(0, 1184), 1],
  ['SecP256r1MLKEM768', NamedGroup.SecP256r1MLKEM768, (share: Uint8Array) => (share[2]! ^= 0xff), 67],
  ['SecP384r1MLKEM1024', NamedGroup.SecP384r1MLKEM1024, (share: Uint8Array) => (share[2]! ^= 0xff), 98],
] as const;

function scriptExtensions(group: number, keyShare: Extension): Extension[] {
  return [
    keyShare,
    SUPPORTED_VERSIONS,
    codePointList(ExtensionType.supported_groups, [group]),
    codePointList(ExtensionType.signature_algorithms, SCRIPT_SCHEMES),
    codePointList(ExtensionType.signature_algorithms_cert, SIG_ALL),
  ];
}

/** The script's ClientHello with one share for `group` of `value`; the server's answer. */
function offer(group: number, value: Uint8Array, name: string) {
  const client = new ScriptedClient({ certificate: ecdsaServer }, `mlkem ${name}`);
  const entry = shareEntry(group, value);
  return client.hello(CIPHERS, scriptExtensions(group, ext(ExtensionType.key_share, [...u16(entry.length), ...entry])));
}

it('"sanity" (a share for each hybrid): a handshake in one of them, and data flows', () => {
  const client = new ScriptedClient({ certificate: ecdsaServer }, 'mlkem sanity');
  const extensions = scriptExtensions(NamedGroup.X25519MLKEM768, client.keyShare(...HYBRIDS.map(([, code]) => code)));
  extensions[2] = codePointList(ExtensionType.supported_groups, HYBRIDS.map(([, code]) => code));
  expect(client.hello(CIPHERS, extensions).alerts).toEqual([]);
  expect(client.finish().alerts).toEqual([]);
  expectConversation(client);
});

describe.each(HYBRIDS)('%s', (name, code, breakClassical, pqcByte) => {
  const share = () => nobleProvider.keyExchange(name as GroupName).generate(random).share.slice();

  it(`"connection with ${name}": negotiated, and data flows`, () => {
    const client = new ScriptedClient({ certificate: ecdsaServer }, `mlkem ${name}`);
    expect(client.hello(CIPHERS, scriptExtensions(code, client.keyShare(code))).alerts).toEqual([]);
    expect(client.server.info.group).toBe(name);
    expect(client.finish().alerts).toEqual([]);
    expectConversation(client);
  });

  it.each([
    ['malformed classical part', () => { const s = share(); breakClassical(s); return s; }],
    ['malformed pqc part', () => { const s = share(); s[pqcByte] = 0xff; return s; }],
    ['truncated key share', () => share().subarray(0, -1)],
    ['padded key share', () => concat(share(), Uint8Array.of(2))],
  ])(`"${name}: %s" is illegal_parameter`, (probe, value) => {
    const answer = offer(code, value(), `${name} ${probe}`);
    expect(answer.messages).toEqual([]);
    expect(answer.alerts).toEqual(['illegal_parameter']);
  });
});
