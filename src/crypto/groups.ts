// Every key-exchange group we implement, built from what a provider brings: its Diffie-Hellman arithmetic
// and its ML-KEM. The hybrids are compositions of those parts, in the order their draft defines, so a
// provider never writes a group twice.
import { diffieHellmanKeyExchange, hybridKeyExchange, type DiffieHellmanGroup } from './key-exchange.js';
import { ML_KEM_1024, ML_KEM_768, mlKemKeyExchange, type MlKemParameters, type MlKemPrimitive } from './mlkem.js';
import type { GroupName, KeyExchange } from './provider.js';

export type HybridGroupName = 'X25519MLKEM768' | 'SecP256r1MLKEM768' | 'SecP384r1MLKEM1024';
export type MlKemGroupName = 'MLKEM768' | 'MLKEM1024';
export type DiffieHellmanGroupName = Exclude<GroupName, HybridGroupName | MlKemGroupName>;

/** The groups whose shared secret holds against a quantum computer: ML-KEM, alone or in a hybrid. */
export const POST_QUANTUM_GROUPS: ReadonlySet<GroupName> = new Set<HybridGroupName | MlKemGroupName>([
  'X25519MLKEM768',
  'SecP256r1MLKEM768',
  'SecP384r1MLKEM1024',
  'MLKEM768',
  'MLKEM1024',
]);

/** Each provider's private keys in its own form (DiffieHellmanGroup's `Private`); the engine never looks inside. */
export type DiffieHellmanGroups = Readonly<Record<DiffieHellmanGroupName, DiffieHellmanGroup<unknown>>>;
export type MlKemPrimitives = Readonly<Record<MlKemParameters['name'], MlKemPrimitive>>;

export function keyExchangeGroups(dh: DiffieHellmanGroups, mlKem: MlKemPrimitives): Readonly<Record<GroupName, KeyExchange>> {
  const entries = Object.entries(dh).map(([name, group]) => [name, diffieHellmanKeyExchange(group)] as const);
  const classical = Object.fromEntries(entries) as Record<DiffieHellmanGroupName, KeyExchange>;
  const mlKem768 = mlKemKeyExchange('MLKEM768', ML_KEM_768, mlKem['ML-KEM-768']);
  const mlKem1024 = mlKemKeyExchange('MLKEM1024', ML_KEM_1024, mlKem['ML-KEM-1024']);
  // Frozen, as the providers that hand them out: every connection of the process shares them.
  return frozenGroups({
    ...classical,
    MLKEM768: mlKem768,
    MLKEM1024: mlKem1024,
    // draft-ietf-tls-ecdhe-mlkem §3: "we put the ML-KEM shared secret first in X25519MLKEM768, and the
    // ECDH shared secret first in SecP256r1MLKEM768 and SecP384r1MLKEM1024"; the shares follow the same order.
    X25519MLKEM768: hybridKeyExchange('X25519MLKEM768', mlKem768, classical.x25519),
    SecP256r1MLKEM768: hybridKeyExchange('SecP256r1MLKEM768', classical.secp256r1, mlKem768),
    SecP384r1MLKEM1024: hybridKeyExchange('SecP384r1MLKEM1024', classical.secp384r1, mlKem1024),
  });
}

function frozenGroups<T extends Record<string, KeyExchange>>(table: T): Readonly<T> {
  for (const exchange of Object.values(table)) Object.freeze(Object.freeze(exchange).shareLengths);
  return Object.freeze(table);
}
