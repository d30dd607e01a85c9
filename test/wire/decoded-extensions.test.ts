// A received extension body is decoded once, with its message (messages.ts validates every known body against
// the §4.2 table); the handshake layer gets that value through bodyOf. The value must answer only for the codec
// that made it and for the bytes it was made from.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fromHex } from '../../src/wire/bytes.js';
import { ExtensionType } from '../../src/wire/enums.js';
import {
  bodyOf,
  DecodedExtension,
  findExtension,
  keyShareClientHello,
  offeredServerName,
  serverName,
  supportedVersionsClientHello,
  supportedVersionsServerHello,
} from '../../src/wire/extensions.js';
import { decodeHandshake } from '../../src/wire/messages.js';
import type { ClientHello, Extension } from '../../src/wire/types.js';
import { expectTlsError, rfcMessage } from './helpers.js';

function rfcClientHello(): ClientHello {
  const hello = decodeHandshake(rfcMessage(3, 'client', 'ClientHello'));
  if (hello.kind !== 'client_hello') throw new Error('not a ClientHello');
  return hello;
}

function extensionOf(hello: ClientHello, type: number): Extension {
  const found = findExtension(hello.extensions, type);
  if (!found) throw new Error(`no extension ${type}`);
  return found;
}

describe('extension bodies decoded once', () => {
  afterEach(() => vi.restoreAllMocks());

  it('hands the handshake layer the value decoded with the message, without parsing the body again', () => {
    const hello = rfcClientHello();
    const shares = extensionOf(hello, ExtensionType.key_share);
    expect(shares).toBeInstanceOf(DecodedExtension);
    const parse = vi.spyOn(keyShareClientHello, 'parse');
    const value = bodyOf(keyShareClientHello, shares);
    expect(parse).not.toHaveBeenCalled();
    parse.mockRestore();
    expect(value).toEqual(keyShareClientHello.parse(shares.data));
    expect(value[0]!.group).toBe(0x001d);
    // The server_name of a ClientHello is decoded by offeredServerName (its stricter ClientHello rules).
    expect(bodyOf(offeredServerName, extensionOf(hello, ExtensionType.server_name))).toEqual(['server']);
  });

  it('parses the new bytes when data was replaced after decoding', () => {
    const hello = rfcClientHello();
    const versions = extensionOf(hello, ExtensionType.supported_versions);
    expect(bodyOf(supportedVersionsClientHello, versions)).toEqual([0x0304]);
    versions.data = fromHex('04 0304 0303');
    expect(bodyOf(supportedVersionsClientHello, versions)).toEqual([0x0304, 0x0303]);
  });

  it('does not hand one codec the value another codec decoded: it parses the body with the codec asked', () => {
    const hello = rfcClientHello();
    const versions = extensionOf(hello, ExtensionType.supported_versions);
    // A ClientHello's versions<2..254> is no ServerHello selected_version: parsing it so is a decode_error.
    expectTlsError(() => bodyOf(supportedVersionsServerHello, versions), 'DecodeError', 'decode_error');
    const sni = extensionOf(hello, ExtensionType.server_name);
    const parse = vi.spyOn(serverName, 'parse');
    expect(bodyOf(serverName, sni)).toEqual(['server']);
    expect(parse).toHaveBeenCalledOnce();
  });

  it('parses extensions that were built, not received', () => {
    const built: Extension = { type: ExtensionType.supported_versions, data: fromHex('02 0304') };
    expect(bodyOf(supportedVersionsClientHello, built)).toEqual([0x0304]);
    expectTlsError(() => bodyOf(supportedVersionsClientHello, { ...built, data: fromHex('03 0304') }), 'DecodeError', 'decode_error');
  });

  it('keeps a received extension equal to its plain (type, data) pair', () => {
    const versions = extensionOf(rfcClientHello(), ExtensionType.supported_versions);
    expect(versions).toEqual({ type: ExtensionType.supported_versions, data: fromHex('02 0304') });
    expect(JSON.parse(JSON.stringify(versions))).toEqual({ type: ExtensionType.supported_versions, data: { ...fromHex('02 0304') } });
  });

  // Session 18: `data` is a view made when first read (extension-body.ts); it must behave as the field it replaced.
  it('gives data as a view of the message, the same one at every read, with the body as its bytes', () => {
    const message = rfcMessage(3, 'client', 'ClientHello');
    const hello = decodeHandshake(message) as ClientHello;
    const versions = extensionOf(hello, ExtensionType.supported_versions);
    const data = versions.data;
    expect(data).toEqual(fromHex('02 0304'));
    expect(versions.data).toBe(data);
    expect(data.buffer).toBe(message.buffer);
    expect(Object.keys(versions)).toEqual(['type', 'data']);
    expect({ ...versions }).toEqual({ type: ExtensionType.supported_versions, data: fromHex('02 0304') });
  });

  it('parses the new bytes when data was replaced before it was ever read', () => {
    const versions = extensionOf(rfcClientHello(), ExtensionType.supported_versions);
    versions.data = fromHex('04 0304 0303');
    expect(bodyOf(supportedVersionsClientHello, versions)).toEqual([0x0304, 0x0303]);
    expect(versions.data).toEqual(fromHex('04 0304 0303'));
  });

  it('keeps the decoded value when data is assigned the view it was decoded from', () => {
    const versions = extensionOf(rfcClientHello(), ExtensionType.supported_versions);
    const parse = vi.spyOn(supportedVersionsClientHello, 'parse');
    versions.data = versions.data;
    expect(bodyOf(supportedVersionsClientHello, versions)).toEqual([0x0304]);
    expect(parse).not.toHaveBeenCalled();
  });

  it('gives each extension its own data: reading or replacing one changes no other', () => {
    const [a, b] = [rfcClientHello(), rfcClientHello()].map((h) => extensionOf(h, ExtensionType.supported_versions));
    a!.data = fromHex('04 0304 0303');
    expect(b!.data).toEqual(fromHex('02 0304'));
    expect(bodyOf(supportedVersionsClientHello, b!)).toEqual([0x0304]);
    const other = extensionOf(rfcClientHello(), ExtensionType.key_share);
    expect(other.data).not.toEqual(b!.data);
  });

  it("gives a copy the copied bytes as its data, and the copied value without parsing them again", () => {
    const shares = extensionOf(rfcClientHello(), ExtensionType.key_share) as DecodedExtension;
    const copied: unknown[] = [];
    const copy = shares.copy((v) => {
      const c = v instanceof Uint8Array ? v.slice() : structuredClone(v);
      copied.push(c);
      return c;
    });
    expect(copy.data).toBe(copied[0]);
    expect(copy.data).toEqual(shares.data);
    const parse = vi.spyOn(keyShareClientHello, 'parse');
    expect(bodyOf(keyShareClientHello, copy)).toBe(copied[1]);
    expect(parse).not.toHaveBeenCalled();
  });
});
