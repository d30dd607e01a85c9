// A state transition that carries the fields of the state it leaves (RFC 8446 Appendix A: WAIT_CERT_CR →
// WAIT_CV keeps what ServerHello and EncryptedExtensions negotiated, and adds the certificate).

/** Every key of every member of a union (`keyof` of a union gives only the keys all members share). */
type KeysOfUnion<T> = T extends unknown ? keyof T : never;
/** `Added`, with each key that `From` already has typed `never`: an added field is always a new one. */
type Fresh<From, Added> = { [K in keyof Added]: K extends KeysOfUnion<From> ? never : Added[K] };

/**
 * The state `name` with `from`'s fields and the `added` ones, copied in that order onto a new object:
 * `Object.assign({}, added, from, { name })`. On Node 20 the spread forms are slow here: `{ ...state, name, leaf }`
 * costs 1.5–2 µs (docs/performance-history.md, sixth round), and `{ ...added, ...from, name }` gave every new state a
 * hidden class of its own, ~4 KiB of garbage and 4–8 µs per call with the client's real states; the copy keeps
 * one hidden class per transition, ~0.3 KiB and 0.15–0.3 µs (seventh round). Since a later field wins, that order
 * would let a stale field of `from` replace a new one: the type forbids an `added` key that any member of
 * `From` has, so no field is ever written twice.
 */
export function advance<From extends { name: string }, Name extends string, Added extends object>(
  from: From,
  name: Name,
  added: Added & Fresh<From, Added>,
): Omit<From, 'name'> & Added & { name: Name } {
  const carried: Omit<From, 'name'> = from;
  return Object.assign({}, added, carried, { name });
}
