// Attacker's test: every handshake message is decoded with one reused Reader (decodeWhole), so what one
// message left in it must not reach the next. A peer sends a malformed message on one connection; the next
// message decoded, on any connection, is judged on its own bytes alone: not refused for the first one's
// fault, not read past its own end, its spans not mixed into the first one's trace, and a decode that
// starts inside another gets a reader of its own.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { decodeWhole, fromHex, type Span } from '../../src/wire/bytes.js';
import { decodeHandshake, decodeHandshakeBody, encodeHandshake } from '../../src/wire/messages.js';
import { expectTlsError, rfcMessage, withLength } from './helpers.js';

const clientHello = rfcMessage(3, 'client', 'ClientHello');
const KEY_UPDATE = 24;

describe('the reused decoding Reader keeps nothing from one message to the next', () => {
  it('a fault of meaning refused in one message is not the next message’s', () => {
    // request_update 2 parses whole and is refused (illegal_parameter, kept until the end of the message).
    expectTlsError(() => decodeHandshakeBody(KEY_UPDATE, fromHex('02')), 'IllegalParameter', 'illegal_parameter');
    expect(decodeHandshakeBody(KEY_UPDATE, fromHex('01'))).toEqual({ kind: 'key_update', requestUpdate: 1 });
    expect(decodeHandshake(clientHello).kind).toBe('client_hello');
  });

  it('a message that fails inside nested vectors leaves none of them open for the next one', () => {
    // supported_versions whose versions<2..254> claims 4 bytes where its extension body holds 3: the decode fails
    // two vectors deep (the extensions block, the extension's body), with both open.
    const cut = fromHex(`0303 ${'00'.repeat(32)} 00 0002 1301 01 00 ${withLength(2, '002b 0004 04 0304 03')}`);
    expectTlsError(() => decodeHandshakeBody(1, cut), 'DecodeError', 'decode_error');
    expect(encodeHandshake(decodeHandshake(clientHello))).toEqual(clientHello);
    // The same inside a vector a codec opened itself.
    expectTlsError(() => decodeWhole(fromHex('0002 aabb'), (r) => [r.open(2), r.u32()]), 'DecodeError', 'decode_error');
    expect(decodeWhole(fromHex('0002 aabb'), (r) => { const outer = r.open(2); const v = r.u16(); r.close(outer); return v; })).toBe(0xaabb);
  });

  it('a short message after a long one is read to its own end only', () => {
    decodeHandshake(clientHello);
    // A Finished body is all of the message: it must be exactly these 3 bytes, not the ClientHello's length.
    expect(decodeHandshakeBody(20, fromHex('aabbcc'))).toEqual({ kind: 'finished', verifyData: fromHex('aabbcc') });
    expectTlsError(() => decodeHandshakeBody(24, new Uint8Array(0)), 'DecodeError', 'decode_error');
    expectTlsError(() => decodeHandshakeBody(24, fromHex('0000')), 'DecodeError', 'decode_error');
  });

  it('spans go to the decode that asked for them, under its own prefix', () => {
    const first: Span[] = [];
    decodeHandshake(clientHello, first);
    const recorded = first.length;
    expect(recorded).toBeGreaterThan(20);
    decodeHandshakeBody(KEY_UPDATE, fromHex('00'));
    expect(first.length).toBe(recorded);
    const second: Span[] = [];
    decodeHandshakeBody(KEY_UPDATE, fromHex('00'), second);
    expect(second.map((s) => s.path)).toEqual(['key_update.request_update']);
    expect(first.length).toBe(recorded);
  });

  it('a decode begun inside another reads with a reader of its own', () => {
    const outer = fromHex('0102 0304');
    const inner = fromHex('aa bb');
    const read = decodeWhole(outer, (r) => {
      const first = r.u16();
      const nested = decodeWhole(inner, (n) => [n.u8(), n.u8()]);
      return [first, ...nested, r.u16()];
    });
    expect(read).toEqual([0x0102, 0xaa, 0xbb, 0x0304]);
    // And a nested decode that fails does not disturb the one around it.
    const survived = decodeWhole(outer, (r) => {
      const first = r.u16();
      expectTlsError(() => decodeWhole(inner, (n) => n.u32()), 'DecodeError', 'decode_error');
      return [first, r.u16()];
    });
    expect(survived).toEqual([0x0102, 0x0304]);
  });

  it('keeps no message alive once its decode is over', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const decodedAndDropped = () => {
      const bytes = clientHello.slice();
      decodeHandshakeBody(1, bytes.subarray(4)).kind;
      return new WeakRef(bytes.buffer);
    };
    const ref = decodedAndDropped();
    // A WeakRef's target stays alive until the current job ends.
    await new Promise((resolve) => setTimeout(resolve, 0));
    gc();
    expect(ref.deref()).toBeUndefined();
  });
});
