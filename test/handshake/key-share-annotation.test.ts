// Traces split hybrid and ML-KEM key shares into their parts (src/wire/key-share-layout.ts), at the right
// bytes, and each group's decision says what its secret rests on.
import { describe, expect, it } from 'vitest';
import { nobleProvider } from '../../src/crypto/noble.js';
import type { GroupName } from '../../src/crypto/provider.js';
import { seededRandom } from '../../src/crypto/random.js';
import type { TlsEvent } from '../../src/handshake/events.js';
import { Connection } from '../../src/handshake/connection.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { nodeCryptoProvider } from '../../src/node/crypto.js';
import { makeIdentity, TEST_NOW } from '../../src/testing/certs.js';
import { editPlaintextHandshake } from '../../src/testing/tamper.js';
import { ExtensionType, NamedGroup, namedGroupName } from '../../src/wire/enums.js';
import * as X from '../../src/wire/extensions.js';
import { SHARE_LAYOUTS } from '../../src/wire/key-share-layout.js';

const server = makeIdentity({ subject: { CN: 'server' } }, seededRandom('key-share annotation'));

function handshake(group: number) {
  return new InMemoryPair(
    { groups: [group], trust: { kind: 'pinned-certificate', certificates: [server.der] }, now: () => TEST_NOW, trace: true, random: seededRandom('client') },
    { certificate: server, groups: [group], trace: true, random: seededRandom('server') },
  ).run();
}

function sent(events: TlsEvent[], kind: 'client_hello' | 'server_hello') {
  const event = events.find((e) => e.type === 'handshake-message' && e.direction === 'out' && e.message.kind === kind);
  if (event?.type !== 'handshake-message' || !event.spans) throw new Error(`no traced ${kind}`);
  return { body: event.raw.subarray(4), spans: event.spans };
}

/** The group whose public values a part holds: `mlkem768_encapsulation_key` is an MLKEM768 share, `secp256r1_public_key` a secp256r1 one. */
function groupOfPart(field: string): GroupName {
  const mlkem = /^mlkem(768|1024)_/.exec(field);
  return (mlkem ? `MLKEM${mlkem[1]}` : field.replace(/_public_key$/, '')) as GroupName;
}

describe('key share annotation', () => {
  for (const [group, layout] of SHARE_LAYOUTS) {
    it(`splits a ${namedGroupName(group)} client share into parts that are each a valid share of their own group, in wire order`, () => {
      const pair = handshake(group);
      expect(pair.client.info.group).toBe(namedGroupName(group));
      const { body, spans } = sent(pair.events('client'), 'client_hello');
      const share = spans.find((s) => s.path.endsWith('client_shares[0].key_exchange'))!;
      let offset = share.offset;
      for (const part of layout.client) {
        const span = spans.find((s) => s.path === `${share.path}.${part.field}`);
        expect(span).toMatchObject({ offset, length: part.length, meaning: part.meaning, rfc: part.rfc });
        // Misplaced bytes would not pass as an ML-KEM encapsulation key (FIPS 203 §7.2) or a curve point.
        const bytes = body.subarray(offset, offset + part.length);
        expect(nobleProvider.keyExchange(groupOfPart(part.field)).encapsulate(bytes, seededRandom('check'))).not.toBeNull();
        offset += part.length;
      }
      expect(offset).toBe(share.offset + share.length);
    });

    it(`splits a ${namedGroupName(group)} server share into its parts, covering it exactly`, () => {
      const { spans } = sent(handshake(group).events('server'), 'server_hello');
      const share = spans.find((s) => s.path.endsWith('key_share.key_exchange'))!;
      const parts = spans.filter((s) => s.path.startsWith(`${share.path}.`) && s.path !== `${share.path}.length`);
      expect(parts.map((s) => s.path.slice(share.path.length + 1))).toEqual(layout.server.map((p) => p.field));
      expect(parts.map((s) => s.offset - share.offset)).toEqual(layout.server.map((_, i) => layout.server.slice(0, i).reduce((sum, p) => sum + p.length, 0)));
      expect(parts.reduce((sum, s) => sum + s.length, 0)).toBe(share.length);
    });

    it(`describes ${namedGroupName(group)} shares with the lengths both providers send`, () => {
      for (const provider of [nobleProvider, nodeCryptoProvider]) {
        const { shareLengths } = provider.keyExchange(namedGroupName(group) as GroupName);
        const total = (parts: readonly { length: number }[]) => parts.reduce((sum, p) => sum + p.length, 0);
        expect({ client: total(layout.client), server: total(layout.server) }).toEqual(shareLengths);
      }
    });
  }

  it('leaves a classical share whole', () => {
    const { spans } = sent(handshake(NamedGroup.x25519).events('client'), 'client_hello');
    expect(spans.filter((s) => /key_exchange\.(?!length$)/.test(s.path))).toEqual([]);
  });

  it('leaves a hybrid share of the wrong length whole: its bytes are not labelled as parts they are not', () => {
    const group = NamedGroup.X25519MLKEM768;
    const client = Connection.client({ groups: [group], trust: { kind: 'pinned-certificate', certificates: [server.der] }, now: () => TEST_NOW, random: seededRandom('client') });
    const truncated = editPlaintextHandshake(client.takeOutput(), (messages) =>
      messages.map((m) =>
        m.kind !== 'client_hello'
          ? m
          : {
              ...m,
              extensions: m.extensions.map((e) =>
                e.type === ExtensionType.key_share
                  ? X.ext(e.type, X.keyShareClientHello.encode(X.keyShareClientHello.parse(e.data).map((s) => ({ ...s, keyExchange: s.keyExchange.subarray(1) }))))
                  : e,
              ),
            },
      ),
    );
    const receiver = Connection.server({ certificate: server, groups: [group], trace: true, random: seededRandom('server') });
    receiver.receive(truncated);
    const events = receiver.takeEvents();
    const hello = events.find((e) => e.type === 'handshake-message' && e.message.kind === 'client_hello');
    expect(hello?.type === 'handshake-message' && hello.spans?.filter((s) => /key_exchange\.(?!length$)/.test(s.path))).toEqual([]);
    expect(events).toContainEqual(expect.objectContaining({ type: 'alert', direction: 'out', description: 'illegal_parameter' }));
  });

  it("says in each group's decision what the secret rests on", () => {
    const reasons = (group: number) =>
      handshake(group).log.flatMap(({ event }) => (event.type === 'decision' && event.topic === 'group' ? [event.reason] : []));
    const hybrid = reasons(NamedGroup.X25519MLKEM768);
    expect(hybrid).toHaveLength(2);
    for (const reason of hybrid) expect(reason).toMatch(/; hybrid: secure if either X25519 or ML-KEM holds$/);
    expect(reasons(NamedGroup.SecP384r1MLKEM1024)[0]).toMatch(/hybrid: secure if either P-384 or ML-KEM holds$/);
    expect(reasons(NamedGroup.MLKEM1024)[0]).toMatch(/ML-KEM-1024 alone: post-quantum, with no classical algorithm to fall back on$/);
    expect(reasons(NamedGroup.x25519)[0]).toMatch(/classical only: a quantum computer could later recover this secret/);
  });
});
