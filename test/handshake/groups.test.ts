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
const GROUP_SIZES: [keyof typeof NamedGroup, number, number][] = [
  ['x25519', 32, 32],
  ['x448', 56, 56],
  ['secp256r1', 65, 65],
  ['secp384r1', 97, 97],
  ['secp521r1', 133, 133],
  ['ffdhe2048', 256, 256],
  ['ffdhe3072', 384, 384],
  ['ffdhe4096', 512, 512],
  ['ffdhe6144', 768, 768],
  ['ffdhe8192', 1024, 1024],
  ['X25519MLKEM768', 1216, 1120],
  ['SecP256r1MLKEM768', 1249, 1153],
  ['SecP384r1MLKEM1024', 1665, 1665],
  ['MLKEM768', 1184, 1088],
  ['MLKEM1024', 1568, 1568],
];

function pairFor(client: Partial<ClientConfig>, srv: Partial<ServerConfig> = {}, seed = 'groups'): InMemoryPair {
  return new InMemoryPair(
    { trust: { kind: 'pinned-certificate', certificates: [server.der] }, now: () => TEST_NOW, random: seededRandom(`${seed} client`), ...client },
    { certificate: server, now: () => TEST_NOW, random: seededRandom(`${seed} server`), ...srv },
  );
}

type Message<K extends HandshakeMessage['kind']> = Extract<HandshakeMessage, { kind: K }>;

/** The handshake messages `events` report as sent, of one kind. */
function sentMessages<K extends HandshakeMessage['kind']>(events: TlsEvent[], kind: K): Message<K>[] {
  return events.flatMap((e) => (e.type === 'handshake-message' && e.direction === 'out' && e.message.kind === kind ? [e.message as Message<K>] : []));
}

function keyShareOf(message: { extensions: { type: number; data: Uint8Array }[] }) {
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

describe('defaults: X25519MLKEM768 first, as browsers send it', () => {
  it('the client offers X25519MLKEM768, x25519, secp256r1, secp384r1 with key shares for X25519MLKEM768 and x25519', () => {
    const pair = pairFor({}, {}, 'defaults').run();
    const [hello] = sentMessages(pair.events('client'), 'client_hello');
    const offered = X.supportedGroups.parse(X.findExtension(hello!.extensions, 10)!.data);
    expect(offered).toEqual([NamedGroup.X25519MLKEM768, NamedGroup.x25519, NamedGroup.secp256r1, NamedGroup.secp384r1]);
    const shares = X.keyShareClientHello.parse(keyShareOf(hello!));
    expect(shares.map((s) => [s.group, s.keyExchange.length])).toEqual([
      [NamedGroup.X25519MLKEM768, 1216],
      [NamedGroup.x25519, 32],
    ]);
    // The server prefers the hybrid over x25519, both shares being there.
    expect(pair.server.info.group).toBe('X25519MLKEM768');
    expect(pair.client.info.group).toBe('X25519MLKEM768');
  });

  it('a server without post-quantum groups takes the x25519 share at once: no HelloRetryRequest', () => {
    const pair = pairFor({}, { groups: [NamedGroup.x25519, NamedGroup.secp256r1] }, 'classical server').run();
    expect(pair.client.isConnected).toBe(true);
    expect(pair.server.info.group).toBe('x25519');
    expect(sentMessages(pair.events('server'), 'hello_retry_request')).toEqual([]);
  });

  it('a client whose first group is classical sends one key share, as before', () => {
    const pair = pairFor({ groups: [NamedGroup.secp256r1, NamedGroup.X25519MLKEM768] }, { groups: [NamedGroup.secp256r1] }, 'classical client').run();
    const [hello] = sentMessages(pair.events('client'), 'client_hello');
    expect(X.keyShareClientHello.parse(keyShareOf(hello!)).map((s) => s.group)).toEqual([NamedGroup.secp256r1]);
  });
});

describe('HelloRetryRequest to and from the hybrid', () => {
  it('to X25519MLKEM768: a client that sent only x25519 is asked for the hybrid, and sends a 1216-byte share', () => {
    const pair = pairFor(
      { keyShareGroups: [NamedGroup.x25519] },
      { groups: [NamedGroup.X25519MLKEM768, NamedGroup.x25519], helloRetryForPreferredGroup: true },
      'hrr to hybrid',
    ).run();
    expect(pair.client.isConnected).toBe(true);
    const [hrr] = sentMessages(pair.events('server'), 'hello_retry_request');
    expect(X.keyShareHelloRetryRequest.parse(keyShareOf(hrr!))).toBe(NamedGroup.X25519MLKEM768);
    const [, hello2] = sentMessages(pair.events('client'), 'client_hello');
    expect(X.keyShareClientHello.parse(keyShareOf(hello2!)).map((s) => [s.group, s.keyExchange.length])).toEqual([[NamedGroup.X25519MLKEM768, 1216]]);
    expect(pair.server.info.group).toBe('X25519MLKEM768');
    expect(pair.client.info.group).toBe('X25519MLKEM768');
  });

  it('to X25519MLKEM768 when the client listed it but sent no share for it (server accepts only the hybrid)', () => {
    const pair = pairFor({ keyShareGroups: [NamedGroup.secp256r1] }, { groups: [NamedGroup.X25519MLKEM768] }, 'hrr only hybrid').run();
    expect(pair.client.isConnected).toBe(true);
    expect(sentMessages(pair.events('server'), 'hello_retry_request')).toHaveLength(1);
    expect(pair.client.info.group).toBe('X25519MLKEM768');
  });

  it('from X25519MLKEM768: a client that sent only the hybrid share is asked for secp256r1 by a classical server', () => {
    const pair = pairFor({ keyShareGroups: [NamedGroup.X25519MLKEM768] }, { groups: [NamedGroup.secp256r1] }, 'hrr from hybrid').run();
    expect(pair.client.isConnected).toBe(true);
    const [hrr] = sentMessages(pair.events('server'), 'hello_retry_request');
    expect(X.keyShareHelloRetryRequest.parse(keyShareOf(hrr!))).toBe(NamedGroup.secp256r1);
    const [hello1, hello2] = sentMessages(pair.events('client'), 'client_hello');
    expect(X.keyShareClientHello.parse(keyShareOf(hello1!)).map((s) => s.group)).toEqual([NamedGroup.X25519MLKEM768]);
    expect(X.keyShareClientHello.parse(keyShareOf(hello2!)).map((s) => [s.group, s.keyExchange.length])).toEqual([[NamedGroup.secp256r1, 65]]);
    expect(pair.server.info.group).toBe('secp256r1');
  });

  it('from the default shares (X25519MLKEM768 and x25519) to secp384r1, the only group a server accepts', () => {
    const pair = pairFor({}, { groups: [NamedGroup.secp384r1] }, 'hrr from defaults').run();
    expect(pair.client.isConnected).toBe(true);
    expect(sentMessages(pair.events('server'), 'hello_retry_request')).toHaveLength(1);
    expect(pair.client.info.group).toBe('secp384r1');
  });

  it('between two hybrids: from X25519MLKEM768 to SecP384r1MLKEM1024', () => {
    const pair = pairFor(
      { groups: [NamedGroup.X25519MLKEM768, NamedGroup.SecP384r1MLKEM1024] },
      { groups: [NamedGroup.SecP384r1MLKEM1024] },
      'hrr hybrid to hybrid',
    ).run();
    expect(pair.client.isConnected).toBe(true);
    const [, hello2] = sentMessages(pair.events('client'), 'client_hello');
    expect(X.keyShareClientHello.parse(keyShareOf(hello2!)).map((s) => [s.group, s.keyExchange.length])).toEqual([[NamedGroup.SecP384r1MLKEM1024, 1665]]);
    expect(pair.server.info.group).toBe('SecP384r1MLKEM1024');
  });
});
