// --ml-dsa on `tls13 serve` and `tls13 connect`: offer and accept the ML-DSA signature schemes
// (draft-ietf-tls-mldsa), which the engine leaves out by default (docs/ml-dsa.md): first, then the defaults.
import { DEFAULT_SIGNATURE_SCHEMES } from '../handshake/config.js';
import { SignatureScheme } from '../wire/enums.js';
import { flag, type OptionTable, type Parsed } from './args.js';

export const ML_DSA_OPTIONS: OptionTable = {
  'ml-dsa': {
    type: 'boolean',
    help: `offer and accept ML-DSA signatures (mldsa65, mldsa87, mldsa44; draft-ietf-tls-mldsa), before the default schemes: for an ML-DSA --cert, or a peer or CA that signs with ML-DSA (make keys with tls13 cert --type ml-dsa-65)`,
  },
};

/** OpenSSL 3.5's order: mldsa65, mldsa87, mldsa44, then the rest. */
const WITH_ML_DSA: readonly number[] = [SignatureScheme.mldsa65, SignatureScheme.mldsa87, SignatureScheme.mldsa44, ...DEFAULT_SIGNATURE_SCHEMES];

export function signatureSchemesFromFlags(args: Parsed): number[] | undefined {
  return flag(args, 'ml-dsa') ? [...WITH_ML_DSA] : undefined;
}
