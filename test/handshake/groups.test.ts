// Every key-exchange group we implement completes a handshake with our own pair (on the default provider
// of the vitest project: noble, or node:crypto), with the share sizes its definition gives on the wire.
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/crypto/random.js';
import type { ClientConfig, ServerConfig } from '../../src/handshake/config.js';
import type { TlsEvent } from '../../src/handshake/events.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { makeIdentity, TEST_NOW } from '../../src/testing/certs.js';
import { NamedGroup } from '../../src/wire/enums.js';
import * as X from '../../src/wire/extensions.js';
import type { HandshakeMessage } from '../../src/wire/types.js';

const server = makeIdentity({ subject: { CN: 'groups' } }, seededRandom('groups identity'));

/** [group, client key_exchange bytes, server key_exchange bytes] as the group's definition gives them. */
export const GROUP_SIZES: [keyof typeof NamedGroup, number, number][] = [
  ['x25519', 32, 32],
  ['secp256r1', 65, 65],
  ['secp384r1', 97, 97],
  ['X25519MLKEM768', 1216, 1120],
  ['SecP256r1MLKEM768', 1249, 1153],
  ['SecP384r1MLKEM1024', 1665, 1665],
  ['MLKEM768', 1184, 1088],
  ['MLKEM1024', 1568, 1568],
];

export function pairFor(client: Partial<ClientConfig>, srv: Partial<ServerConfig> = {}, seed = 'groups'): InMemoryPair {
  return new InMemoryPair(
    { trust: { kind: 'pinned-certificate', certificates: [server.der] }, now: () => TEST_NOW, random: seededRandom(`${seed} client`), ...client },
    { certificate: server, now: () => TEST_NOW, random: seededRandom(`${seed} server`), ...srv },
  );
}

type Message<K extends HandshakeMessage['kind']> = Extract<HandshakeMessage, { kind: K }>;

/** The handshake messages `events` report as sent, of one kind. */
export function sentMessages<K extends HandshakeMessage['kind']>(events: TlsEvent[], kind: K): Message<K>[] {
  return events.flatMap((e) => (e.type === 'handshake-message' && e.direction === 'out' && e.message.kind === kind ? [e.message as Message<K>] : []));
}

export function keyShareOf(message: { extensions: { type: number; data: Uint8Array }[] }) {
  return X.findExtension(message.extensions, 51)!.data;
}

describe('a handshake with our own pair in every group', () => {
  it.each(GROUP_SIZES)('%s: both sides connect and report the group; the shares have their defined sizes', (name, clientSize, serverSize) => {
    const group = NamedGroup[name];
    const pair = pairFor({ groups: [group] }, { groups: [group] }, name).run();
    expect(pair.client.isConnected).toBe(true);
    expect(pair.server.isConnected).toBe(true);
    expect(pair.client.info.group).toBe(name);
    expect(pair.server.info.group).toBe(name);
    const [hello] = sentMessages(pair.events('client'), 'client_hello');
    const clientShares = X.keyShareClientHello.parse(keyShareOf(hello!));
    expect(clientShares.map((s) => [s.group, s.keyExchange.length])).toEqual([[group, clientSize]]);
    const [serverHello] = sentMessages(pair.events('server'), 'server_hello');
    const serverShare = X.keyShareServerHello.parse(keyShareOf(serverHello!));
    expect([serverShare.group, serverShare.keyExchange.length]).toEqual([group, serverSize]);
    // Both sides derived the same keys: application data crosses in both directions.
    pair.client.write(new TextEncoder().encode(`hello over ${name}`));
    pair.run();
    const data = pair.events('server').filter((e) => e.type === 'data');
    expect(new TextDecoder().decode((data.at(-1) as { data: Uint8Array }).data)).toBe(`hello over ${name}`);
  });
});
