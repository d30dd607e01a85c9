// Our client and server against node:tls under Node 26 (OpenSSL 3.5), a real post-quantum peer, over TCP on
// 127.0.0.1, in both directions: OpenSSL 3.5's defaults (X25519MLKEM768), each group it offers, and
// HelloRetryRequests to the hybrid and from it. Each side's negotiated group is checked (ours from the
// engine, OpenSSL's from the ServerHellos in its own trace) and both key logs must be equal line for line.
import { afterAll, describe, expect, it } from 'vitest';
import { connect, type ConnectOptions } from '../../src/node/adapter.js';
import { scratchDirectory } from '../../src/testing/interop.js';
import { NamedGroup } from '../../src/wire/enums.js';
import { ca, eventsOf, pongServer, readAll, sawHelloRetry } from '../node/fixtures.js';
import { closedAfterEach, node26Client, node26Server, peerFiles, requireNode26 } from './node26-peer.js';

const scratch = scratchDirectory('tls13-lab-node26-');
afterAll(scratch.remove);
const { identity, caFile, certFile, keyFile } = peerFiles(scratch);

const { peers, servers, sockets } = closedAfterEach();

/** Each group OpenSSL 3.5 offers that we speak: our name and id, OpenSSL's name, and node's name for it. */
const GROUPS = [
  { name: 'X25519MLKEM768', id: NamedGroup.X25519MLKEM768, openssl: 'X25519MLKEM768', node: 'X25519MLKEM768' },
  { name: 'SecP256r1MLKEM768', id: NamedGroup.SecP256r1MLKEM768, openssl: 'SecP256r1MLKEM768', node: 'SecP256r1MLKEM768' },
  { name: 'SecP384r1MLKEM1024', id: NamedGroup.SecP384r1MLKEM1024, openssl: 'SecP384r1MLKEM1024', node: 'SecP384r1MLKEM1024' },
  { name: 'MLKEM768', id: NamedGroup.MLKEM768, openssl: 'MLKEM768', node: 'MLKEM768' },
  { name: 'MLKEM1024', id: NamedGroup.MLKEM1024, openssl: 'MLKEM1024', node: 'MLKEM1024' },
  { name: 'x25519', id: NamedGroup.x25519, openssl: 'X25519', node: 'X25519' },
  { name: 'secp256r1', id: NamedGroup.secp256r1, openssl: 'P-256', node: 'prime256v1' },
  { name: 'secp384r1', id: NamedGroup.secp384r1, openssl: 'P-384', node: 'secp384r1' },
] as const;

const sorted = (lines: string[]) => [...lines].sort();

/** Our client against a node:tls 26 server: the reply, what our engine negotiated, and both key logs. */
async function ourClientAgainst(test: Parameters<typeof requireNode26>[0], serverGroups: string | undefined, options: Partial<ConnectOptions> = {}) {
  const node = requireNode26(test);
  const peer = await node26Server(node, { certFile, keyFile, ...(serverGroups ? { groups: serverGroups } : {}) });
  peers.push(peer);
  const client = connect({ host: 'localhost', port: peer.port, trust: { kind: 'ca', anchors: [ca.der] }, ...options });
  sockets.push(client);
  const events = eventsOf(client);
  const keylog: string[] = [];
  client.on('keylog', (line: Buffer) => keylog.push(line.toString('latin1').trim()));
  client.end('ping');
  const reply = await readAll(client);
  await peer.child.exited;
  return { reply, info: client.info, helloRetry: sawHelloRetry(events), keylog, peer };
}

/** A node:tls 26 client against our server: the reply, what each side negotiated, and both key logs. */
async function nodeClientAgainst(test: Parameters<typeof requireNode26>[0], clientGroups: string | undefined, options: { groups?: number[]; helloRetryForPreferredGroup?: boolean } = {}) {
  const node = requireNode26(test);
  const ours = await pongServer({ certificate: identity, ...options });
  servers.push(ours.server);
  const peer = node26Client(node, ours.port, { caFile, ...(clientGroups ? { groups: clientGroups } : {}) });
  peers.push(peer);
  await peer.child.exited;
  const reply = peer.events().find((e) => e.event === 'data')?.text;
  expect(ours.errors).toEqual([]);
  expect(ours.sockets).toHaveLength(1);
  const [{ socket, events }] = ours.sockets as [(typeof ours.sockets)[0]];
  return { reply, info: socket.info, helloRetry: sawHelloRetry(events), keylog: ours.keylog, peer };
}

const [HYBRID, , , , , X25519, P256] = GROUPS;

/** Both ends on their defaults (OpenSSL 3.5 and ours both put X25519MLKEM768 first), then each group alone. */
const CASES = [{ group: HYBRID, restricted: false }, ...GROUPS.map((group) => ({ group, restricted: true }))];

describe('a node:tls 26 server with our client', () => {
  for (const { group, restricted } of CASES) {
    it(`negotiates ${group.name} ${restricted ? `when the server allows only ${group.openssl}` : 'when both use their defaults'}, with equal key logs`, async (test) => {
      const { reply, info, helloRetry, keylog, peer } = await ourClientAgainst(test, restricted ? group.openssl : undefined, restricted ? { groups: [group.id] } : {});
      expect(reply).toBe('pong: ping');
      expect(info.group).toBe(group.name);
      expect(helloRetry).toBe(false);
      expect(peer.serverHellos()).toEqual([{ retry: false, group: group.id }]);
      expect(sorted(peer.keylog())).toEqual(sorted(keylog));
    });
  }
});

describe('a node:tls 26 client with our server', () => {
  for (const { group, restricted } of CASES) {
    it(`negotiates ${group.name} ${restricted ? `when the client offers only ${group.openssl}` : 'when both use their defaults'}, with equal key logs`, async (test) => {
      const { reply, info, helloRetry, keylog, peer } = await nodeClientAgainst(test, restricted ? group.openssl : undefined, restricted ? { groups: [group.id] } : {});
      expect(reply).toBe('pong: ping');
      expect(info.group).toBe(group.name);
      expect(peer.secure()?.ephemeral?.name).toBe(group.node);
      expect(helloRetry).toBe(false);
      expect(peer.serverHellos()).toEqual([{ retry: false, group: group.id }]);
      expect(sorted(peer.keylog())).toEqual(sorted(keylog));
    });
  }
});

/** HelloRetryRequests: the client's one key share is for `share`, the server accepts only `demanded`. */
const HELLO_RETRIES = [
  { share: X25519, demanded: HYBRID },
  { share: HYBRID, demanded: X25519 },
  { share: X25519, demanded: P256 },
];

describe('HelloRetryRequest between node:tls 26 and us', () => {
  for (const { share, demanded } of HELLO_RETRIES) {
    it(`our server asks a node:tls 26 client that sent a ${share.name} share for ${demanded.name}`, async (test) => {
      const { reply, info, helloRetry, keylog, peer } = await nodeClientAgainst(test, `${share.openssl}:${demanded.openssl}`, { groups: [demanded.id] });
      expect(reply).toBe('pong: ping');
      expect(info.group).toBe(demanded.name);
      expect(helloRetry).toBe(true);
      expect(peer.serverHellos()).toEqual([{ retry: true, group: demanded.id }, { retry: false, group: demanded.id }]);
      expect(sorted(peer.keylog())).toEqual(sorted(keylog));
    });

    it(`a node:tls 26 server asks our client that sent a ${share.name} share for ${demanded.name}`, async (test) => {
      const { reply, info, helloRetry, keylog, peer } = await ourClientAgainst(test, demanded.openssl, { groups: [share.id, demanded.id], keyShareGroups: [share.id] });
      expect(reply).toBe('pong: ping');
      expect(info.group).toBe(demanded.name);
      expect(helloRetry).toBe(true);
      expect(peer.serverHellos()).toEqual([{ retry: true, group: demanded.id }, { retry: false, group: demanded.id }]);
      expect(sorted(peer.keylog())).toEqual(sorted(keylog));
    });
  }
});
