// The machinery of extension bodies: the codec shape every extension's body has (`encode`, `write`, `decode`,
// `parse`), the value decoded with a received message (DecodedExtension, read through `bodyOf`), and the small
// helpers the codecs of extensions.ts are made of. The codecs themselves: extensions-rfc8446.ts (RFC 8446 §4.2)
// and extensions-other-rfcs.ts (the RFCs §4.2 names beside it).
import { decodeWhole, encode, encodeValue, type Reader, type Writer } from './bytes.js';
import type { Extension } from './types.js';

export interface BodyCodec<T> {
  /** The extension_data bytes for `value`. */
  encode(value: T): Uint8Array;
  /** Writes what `encode` returns into `w`. */
  write(w: Writer, value: T): void;
  /** Reads the body from `r` and requires every byte of it to be used (else decode_error). */
  decode(r: Reader): T;
  /** `decode` over a standalone body. */
  parse(body: Uint8Array): T;
}

export function bodyCodec<T>(write: (w: Writer, value: T) => void, read: (r: Reader) => T): BodyCodec<T> {
  const decode = (r: Reader): T => {
    const value = read(r);
    r.end();
    return value;
  };
  return {
    encode: (value) => encodeValue(write, value),
    write,
    decode,
    parse: (body) => decodeWhole(body, decode),
  };
}

/** `base` with the stricter rules one message adds when decoding; it encodes as `base` does. */
export function refined<T>(base: BodyCodec<T>, read: (r: Reader) => T): BodyCodec<T> {
  return bodyCodec<T>(base.write, read);
}

/**
 * An extension of a received message together with the value its body decoded to when the message was
 * decoded (messages.ts checks every known body against the §4.2 table, with the codec of that message).
 * `bodyOf` hands that value to the handshake layer, so a body is decoded once. The value answers only for
 * the codec that made it and while `data` is still the view it was decoded from.
 *
 * `data` is an own, enumerable accessor (spread, JSON and deep equality read it as a field) whose view of the
 * message is made when first read: the handshake reads most bodies only through `bodyOf`, and a view is
 * ~240 bytes of garbage (Node 20; nine per handshake, docs/performance-garbage-notes.md, session 18). The view
 * is of the same memory, whenever it is made, as one made at decoding would be.
 */
export class DecodedExtension implements Extension {
  /** The bytes the body was decoded from, and where in them it lies. */
  readonly #message: Uint8Array;
  readonly #start: number;
  readonly #end: number;
  /** The view of the body once made (undefined while unread), and `data`: that view, or what was assigned since. */
  #decodedFrom: Uint8Array | undefined;
  #data: Uint8Array | undefined;
  readonly #codec: BodyCodec<unknown>;
  readonly #value: unknown;
  declare data: Uint8Array;

  /** The extension whose body is `message[start..end)`, decoded to `value` by `codec`. */
  constructor(
    readonly type: number,
    message: Uint8Array,
    start: number,
    end: number,
    codec: BodyCodec<unknown>,
    value: unknown,
  ) {
    this.#message = message;
    this.#start = start;
    this.#end = end;
    this.#codec = codec;
    this.#value = value;
    Object.defineProperty(this, 'data', DecodedExtension.#dataAccessor);
  }

  /** One descriptor, so one accessor pair and one map shared by every extension. */
  static readonly #dataAccessor: PropertyDescriptor = {
    get(this: DecodedExtension): Uint8Array {
      return (this.#data ??= this.#decodedFrom = this.#message.subarray(this.#start, this.#end));
    },
    set(this: DecodedExtension, value: Uint8Array) {
      this.#data = value;
    },
    enumerable: true,
    configurable: true,
  };

  /** Whether `value` is what `codec` reads from the current `data`. */
  decodedBy(codec: BodyCodec<unknown>): boolean {
    return this.#codec === codec && this.#data === this.#decodedFrom;
  }

  get value(): unknown {
    return this.#value;
  }

  /** A copy whose data and value are `copied` from ours, decoded by the same codec (handshake/handed-out-message.ts). */
  copy(copied: (value: unknown) => unknown): DecodedExtension {
    const data = copied(this.data) as Uint8Array;
    const copy = new DecodedExtension(this.type, data, 0, data.length, this.#codec, copied(this.#value));
    copy.#data = copy.#decodedFrom = data;
    return copy;
  }
}

/** The value of an extension's body as `codec` reads it: the one decoded with its message, or parsed now. */
export function bodyOf<T>(codec: BodyCodec<T>, extension: Extension): T {
  return extension instanceof DecodedExtension && extension.decodedBy(codec) ? (extension.value as T) : codec.parse(extension.data);
}

export function ext(type: number, body: Uint8Array): Extension {
  return { type, data: body };
}

/**
 * A message's extension list as it is built, in order: extensions given whole (`given`) and extensions whose body
 * a codec writes (`body`). The written bodies go one after another into one array, and each extension's `data` is
 * a view of its part: one array for all of them instead of one (and a Writer) per extension. The views are set
 * once the list is complete (ExtensionsBuilder.build): `build`'s callback sees placeholders.
 */
export class ExtensionsBuilder {
  readonly list: Extension[] = [];
  /** The extensions `body` made, and the start and end of each one's body in `w`. */
  private readonly written: Extension[] = [];
  private readonly bounds: number[] = [];

  private constructor(private readonly w: Writer) {}

  /** The extensions `fill` adds, their written bodies in one array of their own. */
  static build(fill: (builder: ExtensionsBuilder) => void): Extension[] {
    let builder: ExtensionsBuilder | undefined;
    const bodies = encode((w) => {
      builder = new ExtensionsBuilder(w);
      fill(builder);
    });
    const { list, written, bounds } = builder!;
    for (let i = 0; i < written.length; i++) written[i]!.data = bodies.subarray(bounds[2 * i]!, bounds[2 * i + 1]!);
    return list;
  }

  given(extension: Extension): void {
    this.list.push(extension);
  }

  /** An extension of `type` whose body is `write(w, value)`. */
  body<T>(type: number, write: (w: Writer, value: T) => void, value: T): void {
    const start = this.w.length;
    write(this.w, value);
    const extension: Extension = { type, data: NO_BODY_YET };
    this.list.push(extension);
    this.written.push(extension);
    this.bounds.push(start, this.w.length);
  }

  /** An extension of `type` with empty extension_data. */
  empty(type: number): void {
    this.body(type, emptyBody.write, undefined);
  }
}

/** What a written extension holds until build() gives it its view; never left in a finished list. */
const NO_BODY_YET = new Uint8Array(0);

/** The bytes `list` takes inside an extensions<..> block: each extension's type and length (4) and its data. */
export function extensionsLength(list: readonly Extension[]): number {
  return list.reduce((sum, e) => sum + 4 + e.data.length, 0);
}

export function findExtension(list: Extension[], type: number): Extension | undefined {
  for (const e of list) if (e.type === type) return e;
  return undefined;
}

export const u16Codec = (field: string, name: (v: number) => string) =>
  bodyCodec<number>((w, v) => w.u16(v), (r) => r.u16(field, name));

export const u8Codec = (field: string, name: (v: number) => string) =>
  bodyCodec<number>((w, v) => w.u8(v), (r) => r.u8(field, name));

/** Empty extension_data: acknowledgements and flags (early_data in CH/EE, post_handshake_auth, ...). */
export const emptyBody = bodyCodec<void>(
  () => {},
  () => {},
);
