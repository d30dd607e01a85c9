// Attacker's view of the transcript's reused digest memory (src/handshake/transcript.ts: current() writes every
// digest into one array per transcript, valid until the next add()). A consumer that keeps a transcript hash
// past the transcript's next add() (a CertificateVerify's content, a Finished, a Derive-Secret context, a PSK
// binder, an HRR message_hash, a post-handshake request's fork) reads whatever that memory holds by then: a
// later hash, which both ends of this engine would compute alike, so a handshake between two of ours would
// still complete, on secrets no RFC peer shares. Caught here by difference, three providers over one inner:
// - `fresh`: every digest a new array (a provider written before `output`: what the engine did before);
// - the inner provider as it is (digests written into the transcript's memory);
// - `poisoned`: as the inner, and every later update() of the hash state scribbles over every array its
//   digests were written into, so a digest read after its transcript moved on is garbage at once;
// - `sharedScratch`: every digest of every transcript in one array (a provider breaking its contract).
// With seeded randoms and Ed25519 (deterministic signatures) every byte on the wire, every secret event and
// every exporter value must be the same under the four, through HRR, mutual TLS, two post-handshake
// certificate requests, tickets, resumption with 0-RTT, external PSKs and KeyUpdate.
import { describe, expect, it } from 'vitest';
import { nobleProvider } from '../../src/crypto/noble.js';
import type { CryptoProvider, HashState } from '../../src/crypto/provider.js';
import { seededRandom } from '../../src/crypto/random.js';
import type { ClientConfig, ServerConfig } from '../../src/handshake/config.js';
import type { SessionTicket } from '../../src/handshake/events.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { SingleUseTickets } from '../../src/handshake/tickets.js';
import { nodeCryptoProvider } from '../../src/node/crypto.js';
import { makeIdentity, TEST_NOW } from '../../src/testing/certs.js';
import { hex, utf8 } from '../../src/wire/bytes.js';
import { NamedGroup } from '../../src/wire/enums.js';

const server = makeIdentity({ subject: { CN: 'server' } }, seededRandom('digest aliasing: server'));
const alice = makeIdentity({ subject: { CN: 'alice' } }, seededRandom('digest aliasing: alice'));
const ticketKey = seededRandom('digest aliasing: ticket key')(32);
const now = () => TEST_NOW;

function wrapHashes(inner: CryptoProvider, wrap: (state: HashState) => HashState): CryptoProvider {
  return { ...inner, createHash: (hash) => wrap(inner.createHash(hash)) };
}

/** Every digest in a new array: `output` ignored, as a provider written before it does. */
function fresh(inner: CryptoProvider): CryptoProvider {
  const wrap = (state: HashState): HashState => ({
    update(data) {
      state.update(data);
      return this;
    },
    digest: () => state.digest(),
    clone: () => wrap(state.clone()),
  });
  return wrapHashes(inner, wrap);
}

/**
 * Every digest of every hash state in one array per hash, `output` ignored: a provider that hands out its own
 * scratch memory (against provider.ts: results are the caller's), as one over WebAssembly memory might.
 */
function sharedScratch(inner: CryptoProvider): CryptoProvider {
  const scratch = new Map<number, Uint8Array>();
  const wrap = (state: HashState): HashState => ({
    update(data) {
      state.update(data);
      return this;
    },
    digest() {
      const digest = state.digest();
      const memory = scratch.get(digest.length) ?? new Uint8Array(digest.length);
      scratch.set(digest.length, memory);
      memory.set(digest);
      return memory;
    },
    clone: () => wrap(state.clone()),
  });
  return wrapHashes(inner, wrap);
}

/** Digests scribbled over by `poisoned` providers, so far: the control that the scribbling happens. */
let scribbled = 0;

/** Digests into `output`; the state's next update() overwrites every array it wrote a digest into. */
function poisoned(inner: CryptoProvider): CryptoProvider {
  const wrap = (state: HashState): HashState => {
    const written: Uint8Array[] = [];
    return {
      update(data) {
        for (const array of written.splice(0)) {
          array.fill(0xa5);
          scribbled++;
        }
        state.update(data);
        return this;
      },
      digest(output) {
        const result = state.digest(output);
        written.push(result);
        return result;
      },
      clone: () => wrap(state.clone()),
    };
  };
  return wrapHashes(inner, wrap);
}

/** Everything observable of one pair: the wire, the secret events of both sides, what the applications read. */
function observed(pair: InMemoryPair): string[] {
  const seen = pair.wire.map((w) => `${w.from} ${hex(w.bytes)}`);
  for (const side of ['client', 'server'] as const) {
    for (const e of pair.events(side)) {
      if (e.type === 'secret') seen.push(`${side} ${e.name} ${hex(e.secret)} ${hex(e.clientRandom)}`);
      if (e.type === 'data') seen.push(`${side} data ${hex(e.data)}`);
    }
  }
  expect(seen.filter((line) => line.includes(' data '))).not.toHaveLength(0);
  return seen;
}

function ticketOf(pair: InMemoryPair): SessionTicket {
  const event = pair.events('client').find((e) => e.type === 'session-ticket');
  if (event?.type !== 'session-ticket') throw new Error('no ticket');
  return event.ticket;
}

function serverConfig(provider: CryptoProvider, seed: string): ServerConfig {
  return {
    provider,
    certificate: server,
    now,
    random: seededRandom(`${seed}/server`),
    groups: [NamedGroup.secp256r1],
    clientAuth: 'require',
    trust: { kind: 'pinned-certificate', certificates: [alice.der] },
    tickets: { count: 1, key: ticketKey, maxEarlyDataSize: 1024, antiReplay: new SingleUseTickets() },
    externalPsks: { keys: [{ identity: 'bob', key: seededRandom('bob')(48), hash: 'sha384' }] },
  };
}

function clientConfig(provider: CryptoProvider, seed: string, extra: Partial<ClientConfig> = {}): ClientConfig {
  return {
    provider,
    certificate: alice,
    trust: { kind: 'pinned-certificate', certificates: [server.der] },
    now,
    random: seededRandom(`${seed}/client`),
    // x25519's share first: the server, which takes secp256r1 only, answers with a HelloRetryRequest.
    groups: [NamedGroup.x25519, NamedGroup.secp256r1],
    postHandshakeAuth: true,
    ...extra,
  };
}

/** Application data both ways and an exporter of each side: what the application keys and exporter secret do. */
function exercise(pair: InMemoryPair): string[] {
  pair.client.write(utf8.encode('from the client'));
  pair.server.write(utf8.encode('from the server'));
  pair.run();
  const exported = [pair.client, pair.server].map((c) => hex(c.exportKeyingMaterial('aliasing', utf8.encode('ctx'), 32)));
  expect(exported[0]).toBe(exported[1]);
  return exported;
}

/** HRR, mutual TLS, two post-handshake requests, KeyUpdate; a resumption with 0-RTT; an external PSK. */
function everything(provider: CryptoProvider): string[] {
  const full = new InMemoryPair(clientConfig(provider, 'full'), serverConfig(provider, 'full')).run();
  expect(full.client.isConnected && full.server.isConnected).toBe(true);
  expect(full.events('client').some((e) => e.type === 'handshake-message' && e.message.kind === 'hello_retry_request')).toBe(true);
  // Two requests in turn, each answer checked against a fork of its own of the handshake's transcript.
  for (let i = 0; i < 2; i++) {
    full.server.requestClientCertificate();
    full.run();
  }
  expect(full.events('server').filter((e) => e.type === 'post-handshake-auth')).toHaveLength(2);
  full.client.updateKeys(true);
  full.client.write(utf8.encode('after KeyUpdate'));
  full.run();
  const exported = exercise(full);

  const resumed = new InMemoryPair(
    // One group the server takes: 0-RTT does not survive a HelloRetryRequest (RFC 8446 §4.2.10).
    clientConfig(provider, 'resumed', { groups: [NamedGroup.secp256r1], resumption: { ticket: ticketOf(full), earlyData: utf8.encode('0-RTT') } }),
    serverConfig(provider, 'resumed'),
  ).run();
  expect(resumed.server.info.resumed).toBe(true);
  expect(resumed.server.info.earlyData).toBe('accepted');
  exported.push(...exercise(resumed));

  const external = new InMemoryPair(
    { provider, now, random: seededRandom('external/client'), externalPsks: { keys: [{ identity: 'bob', key: seededRandom('bob')(48), hash: 'sha384' }] } },
    serverConfig(provider, 'external'),
  ).run();
  expect(external.client.isConnected && external.server.isConnected).toBe(true);
  exported.push(...exercise(external));
  return [...observed(full), ...exported, ...observed(resumed), ...observed(external)];
}

/** Digests one byte short, in scratch memory of its own: a provider that is simply wrong. */
function shortDigests(inner: CryptoProvider): CryptoProvider {
  const wrap = (state: HashState): HashState => ({
    update(data) {
      state.update(data);
      return this;
    },
    digest: () => state.digest().subarray(1),
    clone: () => wrap(state.clone()),
  });
  return wrapHashes(inner, wrap);
}

describe.each([
  ['noble', nobleProvider],
  ['node', nodeCryptoProvider],
])('transcript digests in reused memory (%s)', (_name, inner) => {
  it('change nothing anywhere: the same wire, secrets and exporters as with a new array per digest, even when each digest is scribbled over as its transcript moves on', () => {
    const reference = everything(fresh(inner));
    expect(everything(inner)).toEqual(reference);
    scribbled = 0;
    expect(everything(poisoned(inner))).toEqual(reference);
    expect(scribbled).toBeGreaterThan(20);
    // A provider handing out its scratch memory: the transcript copies the digest into memory of its own.
    expect(everything(sharedScratch(inner))).toEqual(reference);
  });

  it('a digest of the wrong length is an internal_error, not a transcript hash with a stale byte', () => {
    const provider = shortDigests(inner);
    const pair = new InMemoryPair(clientConfig(provider, 'short'), serverConfig(provider, 'short')).run();
    expect(pair.client.isConnected || pair.server.isConnected).toBe(false);
    const alerts = [...pair.events('client'), ...pair.events('server')].flatMap((e) => (e.type === 'alert' && e.direction === 'out' ? [e.description] : []));
    expect(alerts).toEqual(['internal_error']);
  });
});
