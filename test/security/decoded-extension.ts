// An object shaped as a decoded Extension: `{ type, data }` of its own and a lazy `value` getter of its class.
// The config's exact-shape check passes over the class's getter, as it did on the caller's object
// (test/security/config-inherited-fields, node-inherited-options).
export class Decoded {
  constructor(
    readonly type: number,
    readonly data: Uint8Array,
  ) {}
  get value(): string {
    return 'decoded';
  }
}
