// Helpers both roles use while negotiating: key-exchange groups by code point, typed extension views,
// and the "did we ask for this?" rule for extensions in responses (RFC 8446 §4.2).
import { POST_QUANTUM_GROUPS } from '../crypto/groups.js';
import type { GroupName } from '../crypto/provider.js';
import { NamedGroup, extensionTypeName } from '../wire/enums.js';
import { TlsError } from '../wire/errors.js';
import type { Extension } from '../wire/types.js';

/** Every group the engine can negotiate, by the provider's names. */
export const IMPLEMENTED_GROUPS: readonly GroupName[] = [
  'x25519',
  'x448',
  'secp256r1',
  'secp384r1',
  'secp521r1',
  'ffdhe2048',
  'ffdhe3072',
  'ffdhe4096',
  'ffdhe6144',
  'ffdhe8192',
  'X25519MLKEM768',
  'SecP256r1MLKEM768',
  'SecP384r1MLKEM1024',
  'MLKEM768',
  'MLKEM1024',
];

/** Every group we implement, by code point; the provider's names are the IANA names of the code points. */
const GROUP_NAMES: ReadonlyMap<number, GroupName> = new Map(IMPLEMENTED_GROUPS.map((name) => [NamedGroup[name], name]));

/** The provider's name for a group we implement, or undefined. */
export function groupName(group: number): GroupName | undefined {
  return GROUP_NAMES.get(group);
}

/** A group we implement whose secret resists a quantum computer: ML-KEM alone or in a hybrid. */
export function isPostQuantum(group: number): boolean {
  const name = groupName(group);
  return name !== undefined && POST_QUANTUM_GROUPS.has(name);
}

/**
 * "Implementations MUST NOT send extension responses if the remote endpoint did not send the corresponding
 * extension requests ... Upon receiving such an extension, an endpoint MUST abort the handshake with an
 * unsupported_extension alert" (RFC 8446 §4.2).
 */
export function requireSolicited(received: Extension[], offered: ReadonlySet<number>, where: string): void {
  for (const e of received) {
    if (!offered.has(e.type)) {
      throw new TlsError('UnsolicitedExtension', `${where} carries ${extensionTypeName(e.type)}, which we did not offer`);
    }
  }
}
