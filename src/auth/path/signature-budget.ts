// The signature checks one Certificate message may cost us (SIGNATURE_BUDGET), shared by everything that
// judges it: path building under every CA policy it meets, the search for its staple's issuer and the
// staple's own signatures. A budget per step would let a peer's failed path be paid again for its staple.
export class SignatureBudget {
  private spent = 0;

  constructor(readonly limit: number) {}

  get left(): number {
    return this.limit - this.spent;
  }

  /** Pays for one check of `cost` (signatureCost: a P-521 key counts twice); false, paying nothing, when too little is left. */
  spend(cost: number): boolean {
    if (cost > this.left) return false;
    this.spent += cost;
    return true;
  }
}

/** A budget of its own for a number (a caller judging one thing), or the caller's shared one. */
export function signatureBudget(budget: number | SignatureBudget): SignatureBudget {
  return typeof budget === 'number' ? new SignatureBudget(budget) : budget;
}
