// The primitive floor of the bench: what one handshake of each case needs from node:crypto, each call timed.
import { describe, expect, it } from 'vitest';
import { measureFloor, renderFloor } from '../../scripts/bench/floor.js';

const callsOf = (parts: { name: string; calls: number }[]) => Object.fromEntries(parts.map((p) => [p.name, p.calls]));

describe('primitive floor', () => {
  it('counts what RFC 8446 needs per case: one signature and verification per authenticating side, one more verification for a CA, the same key schedule', async () => {
    const rows = await measureFloor({ seconds: 0.005, clock: 'cpu', filter: 'ed25519' });
    // The raw-public-key, resumption and group rows are not certificate handshakes over x25519: no floor.
    expect(rows.map((r) => r.name)).toEqual(['ed25519 pinned', 'ed25519 CA', 'mtls ed25519']);
    const [pinned, ca, mtls] = rows.map((r) => callsOf(r.parts));
    const schedule = { 'x25519 key pair': 2, 'x25519 agree': 2, 'hkdf expand': 28, 'hkdf extract': 6, 'hmac (finished)': 4 };
    expect(pinned).toMatchObject({ ...schedule, 'sign ed25519': 1, 'verify ed25519': 1, 'transcript hash': 10 });
    expect(pinned).not.toHaveProperty('verify ed25519 (chain)');
    expect(ca).toMatchObject({ ...schedule, 'sign ed25519': 1, 'verify ed25519': 1, 'verify ed25519 (chain)': 1 });
    expect(mtls).toMatchObject({ ...schedule, 'sign ed25519': 2, 'verify ed25519': 2, 'transcript hash': 12 });
    for (const row of rows) {
      expect(row.parts.every((p) => p.ms >= 0)).toBe(true);
      expect(row.ms).toBeGreaterThan(0);
      expect(row.ms).toBeCloseTo(row.parts.reduce((sum, p) => sum + p.ms, 0), 9);
      // Our own check of what we sign mirrors the peer's verification of it, never the CA's signature on the leaf.
      expect(row.ownSignatureChecksMs).toBe(row.parts.find((p) => p.name === 'verify ed25519')!.ms);
    }
    const text = renderFloor(rows, [], 'cpu');
    for (const row of rows) expect(text).toContain(row.name);
  });
});
