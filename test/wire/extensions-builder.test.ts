// ExtensionsBuilder writes the bodies of a message's extensions into one array and gives each extension a view
// of its part. The list must be what encoding each body apart gave: the same order, types and bytes, with given
// extensions kept as they are; and no body may reach into another's bytes.
import { describe, expect, it } from 'vitest';
import { ExtensionType, NamedGroup, ProtocolVersion, SignatureScheme } from '../../src/wire/enums.js';
import { alpn, ExtensionsBuilder, keyShareClientHello, serverName, signatureAlgorithms, supportedGroups, supportedVersionsClientHello } from '../../src/wire/extensions.js';
import type { Extension } from '../../src/wire/types.js';

const share = { group: NamedGroup.x25519, keyExchange: new Uint8Array(32).fill(7) };
const given: Extension = { type: 0xfe00, data: new Uint8Array([1, 2, 3]) };

/** The list built with the builder, and the same list with every body encoded apart (as before the builder). */
function bothWays(): { built: Extension[]; apart: Extension[] } {
  const built = ExtensionsBuilder.build((b) => {
    b.body(ExtensionType.server_name, serverName.write, ['example.com']);
    b.empty(ExtensionType.early_data);
    b.given(given);
    b.body(ExtensionType.supported_versions, supportedVersionsClientHello.write, [ProtocolVersion.TLSv1_3]);
    b.body(ExtensionType.supported_groups, supportedGroups.write, [NamedGroup.x25519, NamedGroup.secp256r1]);
    b.body(ExtensionType.signature_algorithms, signatureAlgorithms.write, [SignatureScheme.ed25519]);
    b.body(ExtensionType.key_share, keyShareClientHello.write, [share]);
    b.body(ExtensionType.application_layer_protocol_negotiation, alpn.write, ['h2', 'http/1.1']);
    b.empty(ExtensionType.post_handshake_auth);
  });
  const apart: Extension[] = [
    { type: ExtensionType.server_name, data: serverName.encode(['example.com']) },
    { type: ExtensionType.early_data, data: new Uint8Array(0) },
    given,
    { type: ExtensionType.supported_versions, data: supportedVersionsClientHello.encode([ProtocolVersion.TLSv1_3]) },
    { type: ExtensionType.supported_groups, data: supportedGroups.encode([NamedGroup.x25519, NamedGroup.secp256r1]) },
    { type: ExtensionType.signature_algorithms, data: signatureAlgorithms.encode([SignatureScheme.ed25519]) },
    { type: ExtensionType.key_share, data: keyShareClientHello.encode([share]) },
    { type: ExtensionType.application_layer_protocol_negotiation, data: alpn.encode(['h2', 'http/1.1']) },
    { type: ExtensionType.post_handshake_auth, data: new Uint8Array(0) },
  ];
  return { built, apart };
}

describe('ExtensionsBuilder', () => {
  it('builds the list that encoding each body apart builds: order, types and bytes', () => {
    const { built, apart } = bothWays();
    expect(built.map((e) => e.type)).toEqual(apart.map((e) => e.type));
    for (const [i, e] of built.entries()) expect([...e.data], `extension ${i}`).toEqual([...apart[i]!.data]);
  });

  it('keeps a given extension as it is, and writes the bodies it wrote into one array, one after another', () => {
    const { built } = bothWays();
    expect(built[2]).toBe(given);
    const written = built.filter((e) => e !== given);
    const memory = written[0]!.data.buffer;
    let end = written[0]!.data.byteOffset;
    for (const e of written) {
      expect(e.data.buffer).toBe(memory);
      expect(e.data.byteOffset).toBe(end);
      end += e.data.length;
    }
    expect(memory.byteLength).toBe(end - written[0]!.data.byteOffset);
  });

  it('gives each body exactly its own bytes: writing all of one changes no other', () => {
    const { built, apart } = bothWays();
    const keyShare = built.findIndex((e) => e.type === ExtensionType.key_share);
    built[keyShare]!.data.fill(0xee);
    for (const [i, e] of built.entries()) if (i !== keyShare) expect([...e.data], `extension ${i}`).toEqual([...apart[i]!.data]);
  });

  it('a list built inside another build (a body that builds one) gets arrays of its own', () => {
    let inner: Extension[] = [];
    const outer = ExtensionsBuilder.build((b) => {
      b.body(ExtensionType.supported_groups, supportedGroups.write, [NamedGroup.x25519]);
      inner = ExtensionsBuilder.build((c) => c.body(ExtensionType.server_name, serverName.write, ['inner.example']));
      b.body(ExtensionType.server_name, serverName.write, ['outer.example']);
    });
    expect([...outer[1]!.data]).toEqual([...serverName.encode(['outer.example'])]);
    expect([...inner[0]!.data]).toEqual([...serverName.encode(['inner.example'])]);
    expect(inner[0]!.data.buffer).not.toBe(outer[0]!.data.buffer);
  });
});
