// Transcript behaviour the RFC 8448 replays do not reach (found by mutation testing, docs/mutation.md):
// forks taken before the hash is known, and the two misuse errors. node:crypto is the independent oracle.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { nobleProvider } from '../../src/crypto/noble.js';
import { Transcript } from '../../src/handshake/transcript.js';
import { nodeCryptoProvider } from '../../src/node/crypto.js';
import { hex } from '../../src/wire/bytes.js';

const sha256 = (...parts: Uint8Array[]): string => createHash('sha256').update(Buffer.concat(parts)).digest('hex');
const clientHello = Uint8Array.of(1, 0, 0, 2, 3, 3);
const serverHello = Uint8Array.of(2, 0, 0, 2, 3, 3);

describe('Transcript', () => {
  it('reports no hash until one is selected, then the selected one', () => {
    const transcript = new Transcript(nobleProvider);
    expect(transcript.hash).toBeUndefined();
    transcript.selectHash('sha256');
    expect(transcript.hash).toBe('sha256');
  });

  it('refuses to hash before a hash function is chosen', () => {
    expect(() => new Transcript(nobleProvider).current()).toThrow('transcript: hash not chosen yet');
  });

  it('refuses to switch to another hash function once one is chosen', () => {
    const transcript = new Transcript(nobleProvider);
    transcript.selectHash('sha256');
    expect(() => transcript.selectHash('sha384')).toThrow('transcript: hash already chosen');
  });

  it('a fork taken before the hash is chosen keeps the messages added so far, and only those', () => {
    const transcript = new Transcript(nobleProvider);
    transcript.add(clientHello);
    const fork = transcript.fork();
    transcript.add(serverHello);
    fork.selectHash('sha256');
    transcript.selectHash('sha256');
    expect(hex(fork.current())).toBe(sha256(clientHello));
    expect(hex(transcript.current())).toBe(sha256(clientHello, serverHello));
  });

  it('a fork taken after the hash is chosen continues independently of the original', () => {
    const transcript = new Transcript(nobleProvider);
    transcript.selectHash('sha256');
    transcript.add(clientHello);
    const fork = transcript.fork();
    fork.add(serverHello);
    expect(fork.hash).toBe('sha256');
    expect(hex(transcript.current())).toBe(sha256(clientHello));
    expect(hex(fork.current())).toBe(sha256(clientHello, serverHello));
  });

  it('answers twice at the same point with one hash, and never with a stale one after another message or a HelloRetryRequest', () => {
    const transcript = new Transcript(nobleProvider);
    transcript.selectHash('sha256');
    transcript.add(clientHello);
    expect(hex(transcript.current())).toBe(sha256(clientHello));
    expect(hex(transcript.current())).toBe(sha256(clientHello));
    const fork = transcript.fork();
    transcript.add(serverHello);
    expect(hex(transcript.current())).toBe(sha256(clientHello, serverHello));
    expect(hex(fork.current())).toBe(sha256(clientHello));
    fork.add(serverHello);
    expect(hex(fork.current())).toBe(sha256(clientHello, serverHello));
    // RFC 8446 §4.4.1: message_hash(Hash(ClientHello1)) replaces the transcript so far.
    const retried = new Transcript(nobleProvider);
    retried.selectHash('sha256');
    retried.add(clientHello);
    const first = Buffer.from(createHash('sha256').update(clientHello).digest());
    expect(hex(retried.current())).toBe(first.toString('hex'));
    retried.replaceWithMessageHash();
    expect(hex(retried.current())).toBe(sha256(Uint8Array.of(254, 0, 0, 32), first));
  });

  // current() writes each digest into the transcript's own array (docs/performance-history.md, eighth round).
  it.each([
    ['noble', nobleProvider],
    ['node:crypto', nodeCryptoProvider],
  ] as const)('%s: a digest written into reused memory is never another transcript\'s, nor changed for a fork', (_name, provider) => {
    const [a, b] = [new Transcript(provider), new Transcript(provider)];
    for (const t of [a, b]) t.selectHash('sha256');
    a.add(clientHello);
    b.add(serverHello);
    const [first, other] = [a.current(), b.current()];
    expect([hex(first), hex(other)]).toEqual([sha256(clientHello), sha256(serverHello)]);
    // A fork keeps no digest in its parent's memory: the parent's next digest leaves the fork's alone.
    const fork = a.fork();
    const forked = fork.current();
    expect(forked).not.toBe(first);
    a.add(serverHello);
    expect(hex(a.current())).toBe(sha256(clientHello, serverHello));
    expect(hex(forked)).toBe(sha256(clientHello));
    expect(hex(fork.current())).toBe(sha256(clientHello));
    expect(hex(b.current())).toBe(sha256(serverHello));
  });
});
