// Attacker's script for the secret events' copies of the client random (src/handshake/context.ts
// eventClientRandom): each copy is a 32-byte slot of one array shared by the next few events. An application
// that wipes what it was given through the whole buffer (`new Uint8Array(e.clientRandom.buffer).fill(0)`, a
// way to wipe a whole array) reaches the other slots: the copies of the client random in the events given with it
// or before it, public bytes that crossed the wire in the ClientHello. It must reach nothing of the engine: its
// own random, the events of later steps, any secret.
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/crypto/random.js';
import type { TlsEvent } from '../../src/handshake/events.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { makeIdentity, TEST_NOW } from '../../src/testing/certs.js';
import { hex } from '../../src/wire/bytes.js';

const identity = makeIdentity({ subject: { CN: 'server' } }, seededRandom('secret-event-random-buffer'));

type SecretEvent = Extract<TlsEvent, { type: 'secret' }>;

describe("wiping a secret event's client random through its whole buffer", () => {
  it('reaches only other events\' copies of the public random: the events of later steps carry the ClientHello\'s random, every secret its own bytes', () => {
    const pair = new InMemoryPair(
      { trust: { kind: 'pinned-certificate', certificates: [identity.der] }, now: () => TEST_NOW, random: seededRandom('c') },
      { certificate: identity, now: () => TEST_NOW, random: seededRandom('s') },
    );
    const reference = new InMemoryPair(
      { trust: { kind: 'pinned-certificate', certificates: [identity.der] }, now: () => TEST_NOW, random: seededRandom('c') },
      { certificate: identity, now: () => TEST_NOW, random: seededRandom('s') },
    ).run();
    // Both sides: the server gives resumption_master_secret a step after the others (the client's Finished).
    const line = (role: string, e: SecretEvent) => `${role} ${e.name} ${hex(e.clientRandom)} ${hex(e.secret)}`;
    const expected = (['client', 'server'] as const).flatMap((role) => reference.events(role).filter((e): e is SecretEvent => e.type === 'secret').map((e) => line(role, e)));
    // Each event as it comes: noted, then its whole client-random buffer wiped (and its secret).
    const taken = { client: 0, server: 0 };
    const seen: Record<'client' | 'server', string[]> = { client: [], server: [] };
    for (let moved = true; moved; ) {
      moved = pair.step('client') || pair.step('server');
      for (const role of ['client', 'server'] as const) {
        const events = pair.events(role);
        const secrets = events.slice(taken[role]).filter((e): e is SecretEvent => e.type === 'secret');
        taken[role] = events.length;
        // The events of one step are noted before any is wiped: the buffer spans them too (public bytes only).
        for (const e of secrets) seen[role].push(line(role, e));
        for (const e of secrets) {
          new Uint8Array(e.clientRandom.buffer).fill(0);
          e.secret.fill(0);
        }
      }
    }
    expect(pair.client.isConnected).toBe(true);
    expect(expected.length).toBeGreaterThanOrEqual(12);
    expect([...seen.client, ...seen.server]).toEqual(expected);
    const random = hex(reference.events('client').find((e): e is SecretEvent => e.type === 'secret')!.clientRandom);
    expect(random).not.toMatch(/^(00)+$/);
    // The exporter still answers from the connection's own secrets and random.
    const label = 'EXPORTER-test';
    expect(hex(pair.client.exportKeyingMaterial(label, new Uint8Array(0), 32))).toBe(hex(reference.client.exportKeyingMaterial(label, new Uint8Array(0), 32)));
  });
});
