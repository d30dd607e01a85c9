// Attacker's script (a careless caller an active attacker profits from): a server whose tickets.key is 32 zero
// bytes, an array allocated and never filled (`new Uint8Array(32)`, `Buffer.alloc(32)`), seals its tickets
// with a key everyone knows. Mallory, who holds no private key of alice's, only her certificate (sent in the
// clear by TLS 1.2 peers, logged, published), seals a ticket of her own making under zeros: a PSK she chose,
// alice's certificate as the ticket's client. The server opens it, re-judges alice's certificate (still
// pinned, still valid), checks the binder made with mallory's PSK, and reports alice, authenticated, under
// clientAuth 'require' (the first case below, before the fix). An external PSK of zeros is the same: anyone
// can compute its binders and Finished and is reported as its holder. Both are a TypeError naming the field,
// before anything is sent (a node server at createServer). Any other 32 bytes are the caller's secret to keep.
import { describe, expect, it } from 'vitest';
import { nobleProvider } from '../../src/crypto/noble.js';
import { seededRandom } from '../../src/crypto/random.js';
import type { ClientConfig, ServerConfig } from '../../src/handshake/config.js';
import { Connection } from '../../src/handshake/connection.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { sealTicket } from '../../src/handshake/tickets.js';
import { createServer } from '../../src/node/adapter.js';
import { makeIdentity, TEST_NOW } from '../../src/testing/certs.js';

const server = makeIdentity({ subject: { CN: 'server' }, sans: { dns: ['server.example'] } }, seededRandom('all-zero secrets: server'));
const alice = makeIdentity({ subject: { CN: 'alice' } }, seededRandom('all-zero secrets: alice'));
const now = () => TEST_NOW;

function serverConfig(ticketKey: Uint8Array): ServerConfig {
  return { certificate: server, now, random: seededRandom('all-zero secrets: s'), clientAuth: 'require', trust: { kind: 'pinned-certificate', certificates: [alice.der] }, tickets: { count: 1, key: ticketKey } };
}

/** Mallory's ClientHello offers a ticket she sealed herself under `key`, naming alice as its client. */
function mallory(key: Uint8Array): ClientConfig {
  const psk = seededRandom("all-zero secrets: mallory's PSK")(32);
  const state = { cipherSuite: 0x1301, psk, ageAdd: 0, issuedAt: TEST_NOW, lifetime: 7200, clientChain: [alice.der], clientRawPublicKey: false, serverName: 'server.example', maxEarlyDataSize: 0 };
  const ticket = sealTicket(nobleProvider, key, state, seededRandom('all-zero secrets: nonce'));
  return {
    trust: { kind: 'pinned-certificate', certificates: [server.der] },
    serverName: 'server.example',
    now,
    random: seededRandom('all-zero secrets: mallory'),
    resumption: { ticket: { ticket, psk, cipherSuite: 0x1301, lifetime: 7200, ageAdd: 0, nonce: new Uint8Array(0), receivedAt: TEST_NOW, serverName: 'server.example' } },
  };
}

describe('a server whose tickets.key is all zeros', () => {
  it('is a TypeError naming tickets.key before anything is read (else a ticket forged under zeros names alice)', () => {
    expect(() => Connection.server(serverConfig(new Uint8Array(32)))).toThrow(TypeError);
    expect(() => Connection.server(serverConfig(new Uint8Array(32)))).toThrow(/tickets\.key/);
    expect(() => createServer(serverConfig(Buffer.alloc(32)))).toThrow(/tickets\.key/);
  });

  it('the control: under a key mallory does not hold, her forged ticket is not ours: a full handshake, certificate_required, nobody reported', () => {
    const pair = new InMemoryPair(mallory(new Uint8Array(32)), serverConfig(seededRandom('all-zero secrets: the real key')(32)));
    pair.run();
    expect(pair.server.info.peer).toBeUndefined();
    expect(pair.server.info.resumed).toBeFalsy();
    expect(pair.events('server').some((e) => e.type === 'connected')).toBe(false);
  });

  it('the forgery itself works under any key mallory holds: why a known key may not be configured', () => {
    const known = seededRandom('all-zero secrets: a key mallory stole')(32);
    const pair = new InMemoryPair(mallory(known), serverConfig(known));
    pair.run();
    expect(pair.server.info.peer?.kind !== 'psk' && pair.server.info.peer?.subject).toBe('CN=alice');
  });
});

describe('an external PSK of all zeros', () => {
  const zeroPsk = { externalPsks: { keys: [{ identity: 'device-7', key: new Uint8Array(32) }] } };

  it("is a TypeError naming externalPsks.keys[i].key, on either side, before anything is sent", () => {
    expect(() => Connection.client({ now, ...zeroPsk })).toThrow(/externalPsks\.keys\[0\]\.key/);
    expect(() => Connection.server({ now, ...zeroPsk })).toThrow(/externalPsks\.keys\[0\]\.key/);
  });

  it('the control: a PSK of other bytes connects, its holder reported', () => {
    const keys = [{ identity: 'device-7', key: seededRandom('all-zero secrets: psk')(32) }];
    const pair = new InMemoryPair({ now, random: seededRandom('all-zero secrets: c'), externalPsks: { keys } }, { now, random: seededRandom('all-zero secrets: s2'), externalPsks: { keys } });
    pair.run();
    expect(pair.server.info.peer?.kind === 'psk' && pair.server.info.peer.identity).toBe('device-7');
  });
});
