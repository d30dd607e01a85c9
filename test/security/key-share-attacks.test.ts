// An attacker in the middle rewrites the key shares of a real handshake. Every malformed share ends the
// handshake with illegal_parameter in a plaintext alert and nothing else, never a stray exception or an
// internal_error: RFC 8446 §4.2.8.1, §4.2.8.2, §7.4.2; draft-ietf-tls-ecdhe-mlkem §3 ("abort with an
// illegal_parameter alert"); draft-ietf-tls-mlkem §4 (the encapsulation key check, the ciphertext length).
// Without the checks these shares would yield weak or undefined secrets (a low-order point's all-zero
// secret, an encapsulation key outside the ML-KEM key space) or crash the engine.
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/crypto/random.js';
import type { ClientConfig, ServerConfig } from '../../src/handshake/config.js';
import { Connection } from '../../src/handshake/connection.js';
import type { TlsEvent } from '../../src/handshake/events.js';
import { makeIdentity, TEST_NOW } from '../../src/testing/certs.js';
import { editPlaintextHandshake, editServerHello } from '../../src/testing/tamper.js';
import { i2osp } from '../../src/crypto/bigint.js';
import { FFDHE_PARAMETERS } from '../../src/crypto/ffdhe.js';
import { concat, hex } from '../../src/wire/bytes.js';
import { ExtensionType, NamedGroup } from '../../src/wire/enums.js';
import * as X from '../../src/wire/extensions.js';
import type { KeyShareEntry } from '../../src/wire/types.js';

const identity = makeIdentity({ subject: { CN: 'key share attacks' } }, seededRandom('key share attacks'));

const clientConfig = (groups: number[], extra: Partial<ClientConfig> = {}): ClientConfig => ({
  trust: { kind: 'pinned-certificate', certificates: [identity.der] },
  now: () => TEST_NOW,
  random: seededRandom('attacked client'),
  groups,
  ...extra,
});
const serverConfig = (groups: number[], extra: Partial<ServerConfig> = {}): ServerConfig => ({
  certificate: identity,
  now: () => TEST_NOW,
  random: seededRandom('attacked server'),
  groups,
  ...extra,
});

/** Alert descriptions (RFC 8446 §6). */
const ALERT = { handshake_failure: 40, illegal_parameter: 47 } as const;

/** The victim sent exactly one fatal alert, in a plaintext record and nothing else, and is closed. */
function expectAlert(victim: Connection, events: TlsEvent[], output: Uint8Array, alert: keyof typeof ALERT, reason?: string): void {
  const sent = events.filter((e) => e.type === 'alert' && e.direction === 'out');
  expect(sent).toEqual([expect.objectContaining({ level: 'fatal', description: alert, ...(reason ? { reason } : {}) })]);
  expect(hex(output)).toBe(hex(Uint8Array.of(0x15, 0x03, 0x03, 0x00, 0x02, 0x02, ALERT[alert])));
  expect(victim.state).toBe('CLOSED');
}

/** The server's answer to our client's ClientHello, its extensions rewritten by `edit` (by type). */
function serverFacingHello(groups: number[], edit: (type: number, data: Uint8Array) => Uint8Array, srv: Partial<ServerConfig> = {}) {
  const client = Connection.client(clientConfig(groups, { keyShareGroups: groups }));
  const flight = editPlaintextHandshake(client.takeOutput(), (messages) =>
    messages.map((m) => (m.kind === 'client_hello' ? { ...m, extensions: m.extensions.map((e) => X.ext(e.type, edit(e.type, e.data))) } : m)),
  );
  const server = Connection.server(serverConfig(groups, srv));
  server.receive(flight);
  return { victim: server, events: server.takeEvents(), output: server.takeOutput() };
}

/** The server's answer to our client's ClientHello whose key shares went through `edit`. */
function serverFacing(groups: number[], edit: (shares: KeyShareEntry[]) => KeyShareEntry[], srv: Partial<ServerConfig> = {}) {
  return serverFacingHello(
    groups,
    (type, data) => (type === ExtensionType.key_share ? X.keyShareClientHello.encode(edit(X.keyShareClientHello.parse(data))) : data),
    srv,
  );
}

/** The client's answer to a ServerHello whose key share went through `edit`. */
function clientFacing(group: number, edit: (keyExchange: Uint8Array) => Uint8Array) {
  const client = Connection.client(clientConfig([group]));
  const server = Connection.server(serverConfig([group]));
  server.receive(client.takeOutput());
  client.takeEvents();
  const flight = editServerHello(server.takeOutput(), (sh) => ({
    ...sh,
    extensions: sh.extensions.map((e) => {
      if (e.type !== ExtensionType.key_share) return e;
      const share = X.keyShareServerHello.parse(e.data);
      return X.ext(e.type, X.keyShareServerHello.encode({ group: share.group, keyExchange: edit(share.keyExchange) }));
    }),
  }));
  client.receive(flight);
  return { victim: client, events: client.takeEvents(), output: client.takeOutput() };
}

const replaceShare = (edit: (keyExchange: Uint8Array) => Uint8Array) => (shares: KeyShareEntry[]) =>
  shares.map((s) => ({ group: s.group, keyExchange: edit(s.keyExchange) }));

/** Sets the first 12-bit coefficient of the ML-KEM encapsulation key at `offset` to 4095 (>= q = 3329). */
const coefficientAboveQ = (offset: number) => (share: Uint8Array) => {
  const out = share.slice();
  out[offset] = 0xff;
  out[offset + 1]! |= 0x0f;
  return out;
};

const { X25519MLKEM768, SecP256r1MLKEM768, SecP384r1MLKEM1024, MLKEM768, MLKEM1024, x25519 } = NamedGroup;
const POST_QUANTUM = (['X25519MLKEM768', 'SecP256r1MLKEM768', 'SecP384r1MLKEM1024', 'MLKEM768', 'MLKEM1024'] as const).map((name) => [name, NamedGroup[name]] as const);

describe('the server, facing a rewritten client key share', () => {
  it('answers the untouched ClientHello with a ServerHello (each attack below is the only change)', () => {
    const { victim, events } = serverFacing([X25519MLKEM768], (shares) => shares);
    expect(events.some((e) => e.type === 'alert')).toBe(false);
    expect(victim.state).not.toBe('CLOSED');
  });

  it.each(POST_QUANTUM)('%s: a share one byte short (truncated) gets illegal_parameter', (_, group) => {
    const { victim, events, output } = serverFacing([group], replaceShare((k) => k.subarray(0, k.length - 1)));
    expectAlert(victim, events, output, 'illegal_parameter', 'BadKeyShare');
  });

  it('X25519MLKEM768: a share one byte too long gets illegal_parameter', () => {
    const { victim, events, output } = serverFacing([X25519MLKEM768], replaceShare((k) => concat(k, Uint8Array.of(0))));
    expectAlert(victim, events, output, 'illegal_parameter', 'BadKeyShare');
  });

  it.each([
    ['X25519MLKEM768', X25519MLKEM768],
    ['x25519', x25519],
  ])('%s: a zero-length share gets illegal_parameter', (_, group) => {
    const { victim, events, output } = serverFacing([group], replaceShare(() => new Uint8Array(0)));
    expectAlert(victim, events, output, 'illegal_parameter', 'BadKeyShare');
  });

  it.each([
    ['X25519MLKEM768', X25519MLKEM768, 0],
    ['SecP256r1MLKEM768', SecP256r1MLKEM768, 65],
    ['SecP384r1MLKEM1024', SecP384r1MLKEM1024, 97],
    ['MLKEM768', MLKEM768, 0],
    ['MLKEM1024', MLKEM1024, 0],
  ])('%s: an ML-KEM encapsulation key with a coefficient >= q gets illegal_parameter (FIPS 203 §7.2), not internal_error', (_, group, offset) => {
    const { victim, events, output } = serverFacing([group], replaceShare(coefficientAboveQ(offset)));
    expectAlert(victim, events, output, 'illegal_parameter', 'BadKeyShare');
  });

  it.each([
    ['u = 0', new Uint8Array(32)],
    ['u = 1', Uint8Array.of(1, ...new Uint8Array(31))],
  ])('X25519MLKEM768: a low-order X25519 part (%s, all-zero secret) gets illegal_parameter', (_, point) => {
    const { victim, events, output } = serverFacing([X25519MLKEM768], replaceShare((k) => concat(k.subarray(0, 1184), point)));
    expectAlert(victim, events, output, 'illegal_parameter', 'BadKeyShare');
  });

  it.each([
    ['SecP256r1MLKEM768', SecP256r1MLKEM768, 65],
    ['SecP384r1MLKEM1024', SecP384r1MLKEM1024, 97],
  ])('%s: an ECDH part off the curve gets illegal_parameter', (_, group, pointLength) => {
    const { victim, events, output } = serverFacing(
      [group],
      replaceShare((k) => {
        const out = k.slice();
        out[pointLength - 1]! ^= 1;
        return out;
      }),
    );
    expectAlert(victim, events, output, 'illegal_parameter', 'BadKeyShare');
  });
});

describe('the client, facing a rewritten server key share', () => {
  it.each(POST_QUANTUM)('%s: a ciphertext one byte short gets illegal_parameter (the ciphertext length check)', (_, group) => {
    const { victim, events, output } = clientFacing(group, (k) => k.subarray(0, k.length - 1));
    expectAlert(victim, events, output, 'illegal_parameter', 'BadKeyShare');
  });

  it('X25519MLKEM768: a zero-length server share gets illegal_parameter', () => {
    const { victim, events, output } = clientFacing(X25519MLKEM768, () => new Uint8Array(0));
    expectAlert(victim, events, output, 'illegal_parameter', 'BadKeyShare');
  });

  it('X25519MLKEM768: a low-order X25519 part in the server share gets illegal_parameter', () => {
    const { victim, events, output } = clientFacing(X25519MLKEM768, (k) => concat(k.subarray(0, 1088), new Uint8Array(32)));
    expectAlert(victim, events, output, 'illegal_parameter', 'BadKeyShare');
  });

  it('SecP256r1MLKEM768: an ECDH part off the curve in the server share gets illegal_parameter', () => {
    const { victim, events, output } = clientFacing(SecP256r1MLKEM768, (k) => {
      const out = k.slice();
      out[64]! ^= 1;
      return out;
    });
    expectAlert(victim, events, output, 'illegal_parameter', 'BadKeyShare');
  });
});

describe('an empty key_exchange for a group the server would not even choose', () => {
  it('gets illegal_parameter: key_exchange<1..2^16-1> has no empty value in any group (RFC 8446 §4.2.8)', () => {
    const { victim, events, output } = serverFacing([x25519, NamedGroup.secp256r1], (shares) => [
      shares[0]!,
      { group: NamedGroup.secp256r1, keyExchange: new Uint8Array(0) },
    ]);
    expectAlert(victim, events, output, 'illegal_parameter', 'BadKeyShare');
  });
});

describe('the classical groups: X448, P-521, FFDHE', () => {
  const pMinusOne = (group: 'ffdhe2048' | 'ffdhe8192') => i2osp(FFDHE_PARAMETERS[group].prime - 1n, FFDHE_PARAMETERS[group].length);
  const one = (group: 'ffdhe2048' | 'ffdhe8192') => i2osp(1n, FFDHE_PARAMETERS[group].length);

  it.each([
    ['ffdhe2048', 'Y = 1', one('ffdhe2048')],
    ['ffdhe2048', 'Y = p - 1', pMinusOne('ffdhe2048')],
    ['ffdhe8192', 'Y = 1', one('ffdhe8192')],
    ['ffdhe8192', 'Y = p - 1', pMinusOne('ffdhe8192')],
  ] as const)('%s: a client value %s gets illegal_parameter (1 < Y < p - 1, RFC 8446 §4.2.8.1)', (group, _, y) => {
    const { victim, events, output } = serverFacing([NamedGroup[group]], replaceShare(() => y));
    expectAlert(victim, events, output, 'illegal_parameter', 'BadKeyShare');
  });

  it.each([
    ['Y = 1', one('ffdhe2048')],
    ['Y = p - 1', pMinusOne('ffdhe2048')],
  ])('ffdhe2048: a server value %s gets illegal_parameter at the client', (_, y) => {
    const { victim, events, output } = clientFacing(NamedGroup.ffdhe2048, () => y);
    expectAlert(victim, events, output, 'illegal_parameter', 'BadKeyShare');
  });

  it('ffdhe2048: a value not padded to the size of p gets illegal_parameter', () => {
    const { victim, events, output } = serverFacing([NamedGroup.ffdhe2048], replaceShare((k) => k.subarray(1)));
    expectAlert(victim, events, output, 'illegal_parameter', 'BadKeyShare');
  });

  it('x448: a low-order point (all-zero secret) gets illegal_parameter on both sides', () => {
    const server = serverFacing([NamedGroup.x448], replaceShare(() => new Uint8Array(56)));
    expectAlert(server.victim, server.events, server.output, 'illegal_parameter', 'BadKeyShare');
    const client = clientFacing(NamedGroup.x448, () => Uint8Array.of(1, ...new Uint8Array(55)));
    expectAlert(client.victim, client.events, client.output, 'illegal_parameter', 'BadKeyShare');
  });

  it('secp521r1: a point off the curve gets illegal_parameter on both sides', () => {
    const offCurve = (k: Uint8Array) => {
      const out = k.slice();
      out[132]! ^= 1;
      return out;
    };
    const server = serverFacing([NamedGroup.secp521r1], replaceShare(offCurve));
    expectAlert(server.victim, server.events, server.output, 'illegal_parameter', 'BadKeyShare');
    const client = clientFacing(NamedGroup.secp521r1, offCurve);
    expectAlert(client.victim, client.events, client.output, 'illegal_parameter', 'BadKeyShare');
  });
});

describe('a ClientHello offering only groups TLS 1.3 forbids', () => {
  // RFC 8446 §B.3.1.4: "Values within "obsolete_RESERVED" ranges [0x0001..0x0016, 0x001A..0x001C] are used
  // in previous versions of TLS and MUST NOT be offered or negotiated by TLS 1.3 implementations." The RFC
  // names no alert for offering them; what applies is the general rule: no group in common.
  const sect163k1 = 0x0001;
  const secp192r1 = 0x0013;
  const secp224r1 = 0x0015;
  const obsolete = [sect163k1, secp192r1, secp224r1];
  const onlyObsoleteGroups = (shares: KeyShareEntry[]) => (type: number, data: Uint8Array) => {
    if (type === ExtensionType.supported_groups) return X.supportedGroups.encode(obsolete);
    if (type === ExtensionType.key_share) return X.keyShareClientHello.encode(shares);
    return data;
  };

  it('with a key share for one of them: handshake_failure, no common group (RFC 8446 §4.1.1)', () => {
    // An uncompressed P-192 point is 49 bytes; its content never matters, no group is shared.
    const share = { group: secp192r1, keyExchange: Uint8Array.of(4, ...new Uint8Array(48).fill(7)) };
    const { victim, events, output } = serverFacingHello([x25519], onlyObsoleteGroups([share]));
    expectAlert(victim, events, output, 'handshake_failure', 'NoCommonGroup');
  });

  it('with no key share at all: handshake_failure, no common group (no HelloRetryRequest for a group we lack)', () => {
    const { victim, events, output } = serverFacingHello([x25519], onlyObsoleteGroups([]));
    expectAlert(victim, events, output, 'handshake_failure', 'NoCommonGroup');
  });

  it('with an x25519 key share although x25519 is not in supported_groups: illegal_parameter (RFC 8446 §4.2.8)', () => {
    const { victim, events, output } = serverFacingHello([x25519], (type, data) =>
      type === ExtensionType.supported_groups ? X.supportedGroups.encode(obsolete) : data,
    );
    expectAlert(victim, events, output, 'illegal_parameter', 'IllegalParameter');
  });

  it('listing them beside a group we implement is fine: they are ignored', () => {
    const { victim, events } = serverFacingHello([x25519], (type, data) =>
      type === ExtensionType.supported_groups ? X.supportedGroups.encode([...obsolete, x25519]) : data,
    );
    expect(events.some((e) => e.type === 'alert')).toBe(false);
    expect(victim.state).not.toBe('CLOSED');
  });
});

describe('the work a ClientHello can make a default server do', () => {
  // A client pays nothing for any in-range Y, while a server's ffdhe8192 exponentiation costs tens of
  // milliseconds: by default a server takes only the finite-field groups that OpenSSL 3.5 takes by default.
  const defaultServer = () => Connection.server({ certificate: identity, now: () => TEST_NOW, random: seededRandom('default server') });
  it.each([NamedGroup.ffdhe4096, NamedGroup.ffdhe6144, NamedGroup.ffdhe8192])('a ClientHello offering only group %i gets handshake_failure, no exponentiation', (group) => {
    const client = Connection.client(clientConfig([group], { keyShareGroups: [group] }));
    const server = defaultServer();
    server.receive(client.takeOutput());
    expectAlert(server, server.takeEvents(), server.takeOutput(), 'handshake_failure');
  });

  it('ffdhe2048 still connects with a default server', () => {
    const client = Connection.client(clientConfig([NamedGroup.ffdhe2048], { keyShareGroups: [NamedGroup.ffdhe2048] }));
    const server = defaultServer();
    server.receive(client.takeOutput());
    client.receive(server.takeOutput());
    expect(client.info.group).toBe('ffdhe2048');
  });
});
