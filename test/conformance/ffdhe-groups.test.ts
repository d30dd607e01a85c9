// Finite-field key shares as tlsfuzzer's test-tls13-ffdhe-groups and test-tls13-ffdhe-sanity send them,
// probe by probe. RFC 8446 §4.2.8.1: Y is "encoded as a big-endian integer and padded to the left with zeros
// to the size of p in bytes", and "Peers MUST validate each other's public key Y by ensuring that 1 < Y < p-1";
// a share of another length, or out of that range, is illegal_parameter, as the script expects (an empty
// key_exchange too, as for the curves in key-exchange.test.ts). Two shares for one group: §4.2.8 "Clients
// MUST NOT offer multiple KeyShareEntry values for the same group ... Servers MAY check for violations of
// these rules and abort the handshake with an "illegal_parameter" alert". ffdhe2048 and ffdhe3072 are served
// by default; ffdhe4096 and up only when configured (`tls13 serve --groups`), so a run of the script
// against the default names those groups with -e, or lists them in --groups (docs/robustness.md). Here
// ffdhe4096 stands for the configured ones (6144 and 8192 cost seconds a handshake on this machine).
import { describe, expect, it } from 'vitest';
import { nobleProvider } from '../../src/crypto/noble.js';
import { FFDHE_PRIMES_HEX } from '../../src/crypto/ffdhe-primes.js';
import { seededRandom } from '../../src/crypto/random.js';
import type { ServerConfig } from '../../src/handshake/config.js';
import { concat } from '../../src/wire/bytes.js';
import { NamedGroup } from '../../src/wire/enums.js';
import type { ClientHello } from '../../src/wire/types.js';
import { EXT, expectAbort, ext, feedServer, helloWith, keyShare, record, replacingExtension, shareEntry, u16 } from '../handshake/abort-harness.js';
import { accepted } from './harness.js';

const HANDSHAKE = 22;
const random = seededRandom('ffdhe groups');

type FfdheGroup = 'ffdhe2048' | 'ffdhe3072' | 'ffdhe4096';
const CODE = { ffdhe2048: NamedGroup.ffdhe2048, ffdhe3072: NamedGroup.ffdhe3072, ffdhe4096: NamedGroup.ffdhe4096 } as const;
/** Servers: the default for 2048 and 3072, one configured with ffdhe4096 for it. */
const SERVER: Record<FfdheGroup, Partial<ServerConfig>> = { ffdhe2048: {}, ffdhe3072: {}, ffdhe4096: { groups: [NamedGroup.ffdhe4096] } };

const prime = (group: FfdheGroup) => BigInt(`0x${FFDHE_PRIMES_HEX[group]}`);
const bytesOf = (value: bigint, length: number) => Uint8Array.from({ length }, (_, i) => Number((value >> BigInt(8 * (length - 1 - i))) & 0xffn));
const publicValue = (group: FfdheGroup) => nobleProvider.keyExchange(group).generate(random).share;

/** A ClientHello offering `group` alone in supported_groups, with `shares` (the raw key_share body). */
const offering = (group: FfdheGroup, ...values: Uint8Array[]) => (h: ClientHello) => {
  replacingExtension(ext(EXT.supported_groups, [0, 2, ...u16(CODE[group])]))(h);
  const entries = values.flatMap((value) => shareEntry(CODE[group], value));
  replacingExtension(values.length === 1 ? keyShare(CODE[group], values[0]!) : ext(EXT.key_share, [...u16(entries.length), ...entries]))(h);
};
const serve = (group: FfdheGroup, edit: (h: ClientHello) => void) => feedServer(record(HANDSHAKE, helloWith(edit)), SERVER[group]);

describe('test-tls13-ffdhe-sanity and -ffdhe-groups "sanity - <group>"', () => {
  it.each(['ffdhe2048', 'ffdhe3072', 'ffdhe4096'] as const)('%s alone: a ServerHello in that group', (group) => {
    const result = serve(group, offering(group, publicValue(group)));
    expect(accepted(result)).toBe(true);
    expect(result.victim.info.group).toBe(group);
  });

  it('"sanity" (every group the script knows, a share for each): a ServerHello in one of them', () => {
    const all = ['ffdhe2048', 'ffdhe3072'] as const;
    const hello = (h: ClientHello) => {
      replacingExtension(ext(EXT.supported_groups, [0, 4, ...all.flatMap((g) => u16(CODE[g]))]))(h);
      const entries = all.flatMap((g) => shareEntry(CODE[g], publicValue(g)));
      replacingExtension(ext(EXT.key_share, [...u16(entries.length), ...entries]))(h);
    };
    const result = serve('ffdhe2048', hello);
    expect(accepted(result)).toBe(true);
    expect(all).toContain(result.victim.info.group);
  });
});

describe.each(['ffdhe2048', 'ffdhe3072', 'ffdhe4096'] as const)('test-tls13-ffdhe-groups, %s, probe by probe', (group) => {
  const p = prime(group);
  const size = FFDHE_PRIMES_HEX[group].length / 2;
  const other: FfdheGroup = group === 'ffdhe2048' ? 'ffdhe3072' : 'ffdhe2048';
  it.each([
    ['"duplicated key share entry"', () => [publicValue(group), publicValue(group)]],
    ['"right 0-padded key_share"', () => [concat(publicValue(group), Uint8Array.of(0))]],
    ['"right-truncated key_share"', () => [publicValue(group).subarray(0, -1)]],
    ['"key share from other group"', () => [publicValue(other)]],
    ['"0 as one byte"', () => [Uint8Array.of(0)]],
    ['"0 as key share"', () => [new Uint8Array(size)]],
    ['"1 as key share"', () => [bytesOf(1n, size)]],
    ['"all bits set key share"', () => [new Uint8Array(size).fill(0xff)]],
    ['"p-1 as key share"', () => [bytesOf(p - 1n, size)]],
    ['"p as key share"', () => [bytesOf(p, size)]],
    ['"empty key share entry in key_share ext"', () => [new Uint8Array(0)]],
  ])('%s is illegal_parameter', (_, values) => {
    expectAbort(serve(group, offering(group, ...values())), 'illegal_parameter', { plaintext: true });
  });
});
