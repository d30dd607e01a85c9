// The application as attacker, against the memos that skip work for a config "unchanged" since its last use
// (docs/security.md, "The application as attacker"). config-snapshot.ts gives the snapshot made before while every
// field is the same value or the same snapshot, and a snapshot that passed its role's check is not checked again.
// A memo that answers "unchanged" for changed content lets a config the check refuses through unchecked. Holes this
// file found, each test failing before its fix:
// - an unknown field made enumerable in place (Object.defineProperty): the same names and values, so the same
//   snapshot, whose check had passed over the field while it was hidden; a misspelt option was then ignored;
// - the objects a snapshot holds as given (provider, certificate compressors, anti-replay register, the client's
//   ticket) changed in place: the snapshot holds them by identity, so it stays the same, and the check of their
//   shape (a provider without verify, a compressor renamed to an algorithm offered twice) was skipped.
// The other tests are the changes the memo already saw, kept so that a cheaper comparison cannot miss them.
import { describe, expect, it } from 'vitest';
import { nobleProvider } from '../../src/crypto/noble.js';
import { seededRandom } from '../../src/crypto/random.js';
import { DEFAULT_GROUPS, DEFAULT_SERVER_GROUPS, DEFAULT_SIGNATURE_SCHEMES, type ClientConfig, type ServerConfig } from '../../src/handshake/config.js';
import { checkedClientSnapshot, checkedServerSnapshot, snapshotConfig } from '../../src/handshake/config-snapshot.js';
import { Connection } from '../../src/handshake/connection.js';
import { makeIdentity, TEST_NOW } from '../../src/testing/certs.js';

const server = makeIdentity({ subject: { CN: 'server' }, sans: { dns: ['server.example'] } }, seededRandom('config memo: server'));
const now = () => TEST_NOW;
const decompress = (data: Uint8Array) => data;

const clientOf = (extra: Partial<ClientConfig> = {}): ClientConfig => ({
  serverName: 'server.example',
  trust: { kind: 'pinned-certificate', certificates: [server.der.slice()] },
  now,
  ...extra,
});

/** Checked once (so that the memo holds it), then changed by `change`: the check must run on what it is now. */
function refusedAfter<T extends ClientConfig | ServerConfig>(config: T, check: (c: T) => unknown, change: (c: T) => void, refusal: RegExp): void {
  expect(() => check(config)).not.toThrow();
  expect(check(config)).toBe(check(config)); // the memo holds it while unchanged
  change(config);
  expect(() => check(config)).toThrow(refusal);
}

describe('a field made own and enumerable in place, with the same value', () => {
  const hidden = (record: object, key: string, value: unknown) => Object.defineProperty(record, key, { value, enumerable: false, configurable: true, writable: true });
  const shown = (record: object, key: string) => Object.defineProperty(record, key, { enumerable: true });

  it('a misspelt option is refused once it is enumerable, as on a fresh object', () => {
    const config = hidden(clientOf(), 'servername', 'mallory.example');
    refusedAfter(config, checkedClientSnapshot, (c) => shown(c, 'servername'), /servername/);
    expect(() => Connection.client(config)).toThrow(/servername/);
    expect(() => checkedClientSnapshot({ ...clientOf(), servername: 'mallory.example' } as ClientConfig)).toThrow(/servername/);
  });

  it('in a nested object (the trust policy) too', () => {
    const config = clientOf();
    hidden(config.trust!, 'certificate', server.der);
    refusedAfter(config, checkedClientSnapshot, (c) => shown(c.trust!, 'certificate'), /trust: unknown option 'certificate'/);
  });

  it('and hidden again: passed over again (the snapshot follows the field both ways)', () => {
    const config = { ...clientOf(), servername: 'x' } as ClientConfig;
    expect(() => checkedClientSnapshot(config)).toThrow(/servername/);
    hidden(config, 'servername', 'x');
    expect(() => checkedClientSnapshot(config)).not.toThrow();
  });
});

describe('objects the snapshot holds as given, changed in place', () => {
  it('a provider that lost an operation', () => {
    const provider = { ...nobleProvider };
    refusedAfter(clientOf({ provider }), checkedClientSnapshot, () => delete (provider as Partial<typeof provider>).verify, /provider\.verify/);
  });

  it('a certificate compressor renamed to an algorithm already offered', () => {
    const brotli = { algorithm: 'brotli' as const, decompress };
    const config = clientOf({ certificateCompression: [{ algorithm: 'zlib', decompress }, brotli] });
    refusedAfter(config, checkedClientSnapshot, () => ((brotli as { algorithm: string }).algorithm = 'zlib'), /zlib twice/);
  });

  it("a server's anti-replay register that lost firstUse", () => {
    const antiReplay = { firstUse: () => true };
    const config: ServerConfig = { certificate: server, now, tickets: { key: seededRandom('config memo: ticket key')(32), antiReplay: antiReplay as never } };
    refusedAfter(config, checkedServerSnapshot, () => delete (antiReplay as Partial<typeof antiReplay>).firstUse, /tickets\.antiReplay\.firstUse/);
  });

  it("the client's ticket, whose psk is no longer bytes", () => {
    const ticket = { ticket: new Uint8Array(32).fill(1), psk: new Uint8Array(32).fill(2), nonce: new Uint8Array(0), cipherSuite: 0x1301, lifetime: 7200, ageAdd: 0, receivedAt: TEST_NOW, serverName: 'server.example' };
    refusedAfter(clientOf({ resumption: { ticket } }), checkedClientSnapshot, () => ((ticket as { psk: unknown }).psk = 'a secret'), /resumption\.ticket\.psk/);
  });
});

describe('changes the memo sees (regression tests for a cheaper comparison)', () => {
  it('a prototype swapped: an inherited list read anew', () => {
    const config = Object.setPrototypeOf(clientOf(), { alpnProtocols: ['h2'] }) as ClientConfig;
    refusedAfter(config, checkedClientSnapshot, (c) => Object.setPrototypeOf(c, { alpnProtocols: [''] }), /alpnProtocols\[0\]/);
  });

  it('a list grown, a key deleted and added again last, a nested object replaced by one of another class', () => {
    refusedAfter(clientOf({ alpnProtocols: ['h2'] }), checkedClientSnapshot, (c) => c.alpnProtocols!.push(''), /alpnProtocols\[1\]/);
    refusedAfter(clientOf({ alpnProtocols: ['h2'] }), checkedClientSnapshot, (c) => ((c.alpnProtocols as string[]).length = 2), /alpnProtocols\[1\]/); // a hole: the same keys
    refusedAfter(clientOf(), checkedClientSnapshot, (c) => {
      const trust = c.trust;
      delete c.trust;
      c.trust = trust;
      (c as { serverName: unknown }).serverName = 42;
    }, /serverName must be a string/);
    class Pinned {
      readonly kind = 'pinned-certificate';
      constructor(readonly certificates: Uint8Array[]) {}
    }
    const config = clientOf();
    const before = checkedClientSnapshot(config);
    config.trust = new Pinned([new Uint8Array(8)]) as unknown as ClientConfig['trust'];
    expect(() => checkedClientSnapshot(config)).toThrow(/trust\.certificates\[0\]/);
    config.trust = new Pinned([server.der]) as unknown as ClientConfig['trust'];
    const after = checkedClientSnapshot(config);
    expect(after).not.toBe(before);
    expect(after.trust).toEqual(before.trust);
  });

  it('pinned bytes: rewritten through a Buffer over the same memory, in a SharedArrayBuffer, shrunk, detached', () => {
    const shared = new Uint8Array(new SharedArrayBuffer(server.der.length));
    shared.set(server.der);
    const resizable = new Uint8Array(new (ArrayBuffer as unknown as new (n: number, o: object) => ArrayBuffer)(server.der.length, { maxByteLength: server.der.length }));
    resizable.set(server.der);
    const detachable = server.der.slice();
    const changes: Array<[Uint8Array, () => void]> = [
      [shared, () => Buffer.from(shared.buffer).fill(0, 100, 140)],
      [resizable, () => (resizable.buffer as ArrayBuffer & { resize(n: number): void }).resize(200)],
      [detachable, () => structuredClone(detachable.buffer, { transfer: [detachable.buffer] })],
    ];
    for (const [pin, change] of changes) {
      refusedAfter(clientOf({ trust: { kind: 'pinned-certificate', certificates: [pin] } }), checkedClientSnapshot, change, /trust\.certificates\[0\]/);
    }
  });

  it('a getter, and a Proxy, that answer differently on each read: each snapshot judged on what was read', () => {
    const lists = [['h2'], ['']];
    let reads = 0;
    const getter = Object.defineProperty(clientOf(), 'alpnProtocols', { enumerable: true, get: () => lists[reads++ % 2] });
    expect(() => checkedClientSnapshot(getter)).not.toThrow();
    expect(() => checkedClientSnapshot(getter)).toThrow(/alpnProtocols\[0\]/);
    let gets = 0;
    const proxy = new Proxy(clientOf({ alpnProtocols: ['h2'] }), { get: (target, key) => (key === 'alpnProtocols' ? lists[gets++ % 2] : target[key as keyof ClientConfig]) });
    expect(() => checkedClientSnapshot(proxy)).not.toThrow();
    expect(() => checkedClientSnapshot(proxy)).toThrow(/alpnProtocols\[0\]/);
  });

  it('each field is compared with what the snapshot holds at its own place: values moved one field over are a change', () => {
    // The memo keeps the values of each snapshot in the order of its fields; after a change in the middle, the
    // fields before it are carried over. Were they not, the values after would sit one place off, and this
    // source, its values shifted by one, would match them and get the stale snapshot.
    const source: Record<string, unknown> = { a: 'A', b: 'B', c: 'C', d: undefined };
    expect(snapshotConfig(source)).toBe(snapshotConfig(source));
    source.b = 'B2';
    const changed = snapshotConfig(source);
    expect(changed).toEqual({ a: 'A', b: 'B2', c: 'C', d: undefined });
    expect(snapshotConfig(source)).toBe(changed);
    Object.assign(source, { a: 'B2', b: 'C', c: undefined });
    expect(snapshotConfig(source)).toEqual({ a: 'B2', b: 'C', c: undefined, d: undefined });
  });

  it('symbol keys are not read; numeric-like keys are fields like any other', () => {
    const config = clientOf();
    const before = checkedClientSnapshot(config);
    (config as Record<symbol, unknown>)[Symbol('noise')] = 1;
    expect(checkedClientSnapshot(config)).toBe(before);
    (config as Record<string, unknown>)['0'] = 1;
    expect(() => checkedClientSnapshot(config)).toThrow(/\b0\b/);
  });
});

describe('one object, or one snapshot, for both roles', () => {
  it("an object used as a server's and as a client's config is checked for each role", () => {
    const config = { certificate: server, now, trust: { kind: 'pinned-certificate', certificates: [server.der] }, clientAuth: 'require' } as ServerConfig;
    const asServer = checkedServerSnapshot(config);
    expect(() => checkedClientSnapshot(config as unknown as ClientConfig)).toThrow(/clientAuth/);
    expect(() => checkedClientSnapshot(asServer as unknown as ClientConfig)).toThrow(/clientAuth/);
  });

  it("a client's checked snapshot given to the server's check is checked as a server's", () => {
    const asClient = checkedClientSnapshot(clientOf());
    expect(() => checkedServerSnapshot(asClient as unknown as ServerConfig)).toThrow(TypeError);
    expect(() => Connection.server(asClient as unknown as ServerConfig)).toThrow(TypeError);
  });

  it('a snapshot is frozen all the way down, but for bytes and the objects held as given', () => {
    const provider = { ...nobleProvider };
    const snapshot = checkedClientSnapshot(clientOf({ provider, alpnProtocols: ['h2'] }));
    const open: string[] = [];
    const walk = (value: unknown, path: string): void => {
      if (typeof value !== 'object' || value === null || value instanceof Uint8Array || value === provider) return;
      if (!Object.isFrozen(value)) open.push(path);
      for (const [key, field] of Object.entries(value)) walk(field, `${path}.${key}`);
    };
    walk(snapshot, 'config');
    expect(open).toEqual([]);
    expect(snapshot.provider).toBe(provider);
  });
});

describe('the exported default lists, which every config without its own list shares (and the memos hold)', () => {
  it('cannot be written: a push would change the policy of every connection made with the defaults', () => {
    for (const list of [DEFAULT_GROUPS, DEFAULT_SERVER_GROUPS, DEFAULT_SIGNATURE_SCHEMES]) {
      expect(() => (list as number[]).push(0x0201)).toThrow(TypeError); // rsa_pkcs1_sha1
      expect(() => ((list as number[])[0] = 0x0201)).toThrow(TypeError);
    }
  });
});
