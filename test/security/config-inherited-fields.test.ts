// Attacker's test (the application's config, read once): the snapshot (config-snapshot.ts) copied a config's
// own enumerable fields only. Before it, the check and the handshake read each field as a property, so a field
// a config inherits (defaults on a prototype: `Object.create(defaults)`, a getter of a class) or holds as a
// non-enumerable property was honoured. The snapshot dropped such a field without a word: a server whose
// `clientAuth: 'require'` and client pins came from its defaults accepted a client with no certificate at all.
// A config's fields are read as properties again, each once: own or inherited, enumerable or not.
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/crypto/random.js';
import type { ServerConfig } from '../../src/handshake/config.js';
import { Connection } from '../../src/handshake/connection.js';
import { makeIdentity, TEST_NOW } from '../../src/testing/certs.js';
import { exchange } from './exchange.js';
import { Decoded } from './decoded-extension.js';

const server = makeIdentity({ subject: { CN: 'server' }, sans: { dns: ['server.example'] } }, seededRandom('config inherited fields: server'));
const alice = makeIdentity({ subject: { CN: 'alice' } }, seededRandom('config inherited fields: alice'));
const now = () => TEST_NOW;

/** A client without a certificate against `config`: whether the server completed a handshake with it. */
function serverAcceptsAnonymous(config: ServerConfig): boolean {
  const srv = Connection.server(config);
  const client = Connection.client({ serverName: 'server.example', trust: { kind: 'pinned-certificate', certificates: [server.der] }, now, random: seededRandom('config inherited fields: c') });
  exchange(client, srv);
  return srv.isConnected;
}

const requireAlice: Partial<ServerConfig> = { clientAuth: 'require', trust: { kind: 'pinned-certificate', certificates: [alice.der] } };

describe('client authentication that a server config does not hold as its own enumerable fields', () => {
  it('the reference: own fields, the anonymous client is refused', () => {
    expect(serverAcceptsAnonymous({ certificate: server, now, ...requireAlice })).toBe(false);
  });

  it('inherited from a prototype of defaults (Object.create): still required', () => {
    const config = Object.create(requireAlice) as ServerConfig;
    Object.assign(config, { certificate: server, now });
    expect(serverAcceptsAnonymous(config)).toBe(false);
  });

  it('getters of a class: still required', () => {
    class Site {
      readonly certificate = server;
      readonly now = now;
      get clientAuth() {
        return 'require' as const;
      }
      get trust() {
        return requireAlice.trust;
      }
    }
    expect(serverAcceptsAnonymous(new Site() as ServerConfig)).toBe(false);
  });

  it('non-enumerable own fields: still required', () => {
    const config = { certificate: server, now } as ServerConfig;
    Object.defineProperty(config, 'clientAuth', { value: 'require', enumerable: false });
    Object.defineProperty(config, 'trust', { value: requireAlice.trust, enumerable: false });
    expect(serverAcceptsAnonymous(config)).toBe(false);
  });
});

describe('the exact-shape check over a snapshot: what the caller did not hold as own enumerable fields', () => {
  const client = { serverName: 'server.example', trust: { kind: 'pinned-certificate' as const, certificates: [server.der] }, now };
  // An object with `{ type, data }` of its own and a getter of its class, as a decoded Extension has (its lazy
  // `value`): the check passes over the class's getter, as it did on the caller's object; an own unknown field
  // is still refused by name.

  it('a class getter unknown to the schema is passed over', () => {
    expect(() => Connection.client({ ...client, clientHello: { extensions: [new Decoded(0xff01, new Uint8Array([0]))] } })).not.toThrow();
  });

  it('an own unknown field is still refused', () => {
    const entry = { type: 0xff01, data: new Uint8Array([0]), value: 'own' };
    expect(() => Connection.client({ ...client, clientHello: { extensions: [entry] } })).toThrow(TypeError);
  });
});

// The side table (inherited-fields.ts) of names the check passes over, attacked. (a) The snapshot of an object is
// kept while its fields are the same values; a field that turned from inherited into own with the same value
// found the old snapshot, still marked inherited, and an own unknown field passed. (b) Fields named as
// Object.prototype's: the check asked `key in schema`, which `constructor`, `toString` or `__proto__` pass, and
// the snapshot assigned `copy[key]`, so an own `__proto__` field (JSON.parse makes one) became the prototype of
// the copy: data turned into inherited defaults, here switching the server name check off.
describe('the side table of inherited names: what it must not let through', () => {
  const client = { serverName: 'server.example', trust: { kind: 'pinned-certificate' as const, certificates: [server.der] }, now };

  it('an unknown field inherited, then made own with the same value, is refused the second time', () => {
    const config = Object.assign(Object.create({ extra: 1 }) as Record<string, unknown>, client);
    expect(() => Connection.client(config as never)).not.toThrow();
    Object.defineProperty(config, 'extra', { value: 1, enumerable: true, writable: true, configurable: true });
    expect(() => Connection.client(config as never)).toThrow(/^unknown option 'extra'$/);
  });

  it('own fields named as Object.prototype\'s are unknown options', () => {
    for (const name of ['constructor', 'toString', 'hasOwnProperty', 'valueOf']) {
      expect(() => Connection.client({ ...client, [name]: 'x' } as never)).toThrow(new RegExp(`^unknown option '${name}'$`));
    }
  });

  it('an own __proto__ field (as JSON.parse makes) is an unknown option, not the defaults of the snapshot', () => {
    const ca = makeIdentity({ subject: { CN: 'ca' }, isCA: true, keyUsage: ['keyCertSign'] }, seededRandom('config inherited fields: ca'));
    const parsed = JSON.parse('{"__proto__": {"insecureSkipServerNameCheck": true}}') as Record<string, unknown>;
    expect(Object.keys(parsed)).toEqual(['__proto__']);
    const config = { ...parsed, trust: { kind: 'ca' as const, anchors: [ca.der] }, now };
    expect(() => Connection.client(config as never)).toThrow(/^unknown option '__proto__'$/);
    const nested = { ...client, clientHello: JSON.parse('{"__proto__": {"grease": true}}') as object };
    expect(() => Connection.client(nested as never)).toThrow(/^clientHello: unknown option '__proto__'$/);
  });
});
