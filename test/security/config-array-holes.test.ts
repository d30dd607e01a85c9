// Attacker's test (bad user input reaching the handshake): the config check skipped an array's holes ("as
// forEach does"), but the engine reads arrays by index and with for...of, which give a hole as undefined. A
// config with a hole passed the check and failed later, inside a handshake, with the engine's own TypeError
// as internal_error: a server whose chain began with a hole accepted a client, read its ClientHello and sent
// internal_error; a client's trust anchors or ALPN list with one failed at Connection.client with
// "Cannot read properties of undefined". A hole is now a one-line TypeError naming it, before anything is sent.
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/crypto/random.js';
import type { ClientConfig, ServerConfig } from '../../src/handshake/config.js';
import { Connection } from '../../src/handshake/connection.js';
import { makeIdentity, TEST_NOW } from '../../src/testing/certs.js';

const server = makeIdentity({ subject: { CN: 'server' }, sans: { dns: ['server.example'] } }, seededRandom('config array holes'));
const now = () => TEST_NOW;
/** `[<hole>, ...items]`: length one more than the items, index 0 never set. */
function withHole<T>(...items: T[]): T[] {
  const array = new Array<T>(items.length + 1);
  items.forEach((item, i) => (array[i + 1] = item));
  return array;
}
const client = (extra: Partial<ClientConfig>): ClientConfig => ({ serverName: 'server.example', trust: { kind: 'pinned-certificate', certificates: [server.der] }, now, ...extra });

describe('a config array with a hole is refused when the connection is made, naming the hole', () => {
  it.each<[string, () => unknown, RegExp]>([
    ["a server's certificate chain", () => Connection.server({ certificate: { ...server, chain: withHole(server.der) }, now } as ServerConfig), /certificate\.chain\[0\]/],
    ["a client's trust anchors", () => Connection.client(client({ trust: { kind: 'ca', anchors: withHole(server.der) } })), /trust\.anchors\[0\]/],
    ["a client's pinned certificates", () => Connection.client(client({ trust: { kind: 'pinned-certificate', certificates: withHole(server.der) } })), /trust\.certificates\[0\]/],
    ["a client's ALPN protocols", () => Connection.client(client({ alpnProtocols: withHole('h2') })), /alpnProtocols\[0\]/],
    ["a client's key share groups", () => Connection.client(client({ keyShareGroups: withHole(29) })), /keyShareGroups\[0\]/],
  ])('%s', (_name, make, names) => {
    expect(make).toThrow(TypeError);
    expect(make).toThrow(names);
    expect(make).toThrow(/hole/);
  });
});
