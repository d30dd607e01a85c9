// HelloRetryRequest rules (RFC 8446 §4.1.2, §4.1.4), each broken once by editing the plaintext hellos in flight.
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/crypto/random.js';
import type { ClientConfig, ServerConfig } from '../../src/handshake/config.js';
import type { TlsEvent } from '../../src/handshake/events.js';
import { InMemoryPair, type Flight } from '../../src/handshake/pair.js';
import { makeIdentity, TEST_NOW } from '../../src/testing/certs.js';
import { editPlaintextHandshake } from '../../src/testing/tamper.js';
import { ExtensionType, NamedGroup } from '../../src/wire/enums.js';
import * as X from '../../src/wire/extensions.js';
import type { ClientHello, HandshakeMessage, HelloRetryRequest } from '../../src/wire/types.js';

const server = makeIdentity({ subject: { CN: 'server' } }, seededRandom('hrr-server'));
const clientConfig: ClientConfig = {
  trust: { kind: 'pinned-certificate', certificates: [server.der] },
  now: () => TEST_NOW,
  random: seededRandom('hrr-c'),
  keyShareGroups: [NamedGroup.x25519],
};
const serverConfig: ServerConfig = {
  certificate: server,
  random: seededRandom('hrr-s'),
  groups: [NamedGroup.secp256r1, NamedGroup.x25519],
  helloRetryForPreferredGroup: true,
  helloRetryCookie: () => Uint8Array.of(1, 2, 3, 4),
};

/** Runs the pair, editing the `nth` flight of `from` once. */
function run(from: 'client' | 'server', nth: number, edit: (m: HandshakeMessage) => HandshakeMessage | HandshakeMessage[]): InMemoryPair {
  let seen = 0;
  const tamper = (flight: Flight) => {
    if (flight.from !== from || seen++ !== nth) return flight.bytes;
    return editPlaintextHandshake(flight.bytes, (messages) => messages.flatMap((m) => edit(m)));
  };
  return new InMemoryPair(clientConfig, serverConfig, { tamper }).run();
}

const sentAlert = (events: TlsEvent[]) => events.find((e) => e.type === 'alert' && e.direction === 'out');
const editHrr = (change: (hrr: HelloRetryRequest) => HelloRetryRequest) => (m: HandshakeMessage) => (m.kind === 'hello_retry_request' ? change(m) : m);
const editHello = (change: (ch: ClientHello) => ClientHello) => (m: HandshakeMessage) => (m.kind === 'client_hello' ? change(m) : m);
const withoutExtension = (type: number) => <T extends { extensions: { type: number }[] }>(m: T): T => ({ ...m, extensions: m.extensions.filter((e) => e.type !== type) });

describe('HelloRetryRequest (RFC 8446 §4.1.4)', () => {
  it('completes on the group the server asked for, with the cookie echoed', () => {
    const pair = run('server', 99, (m) => m);
    expect(pair.client.info.group).toBe('secp256r1');
    const hellos = pair.events('server').flatMap((e) => (e.type === 'handshake-message' && e.message.kind === 'client_hello' ? [e.message] : []));
    expect(X.cookie.parse(X.findExtension(hellos[1]!.extensions, ExtensionType.cookie)!.data)).toEqual(Uint8Array.of(1, 2, 3, 4));
  });

  it('a GREASE client answers a HelloRetryRequest with the one share asked for, its GREASE share dropped (RFC 8446 §4.1.2)', () => {
    const pair = new InMemoryPair({ ...clientConfig, clientHello: { grease: true } }, serverConfig).run();
    expect(pair.client.info.group).toBe('secp256r1');
    const hellos = pair.events('server').flatMap((e) => (e.type === 'handshake-message' && e.message.kind === 'client_hello' ? [e.message] : []));
    const shares = (hello: ClientHello) => X.keyShareClientHello.parse(X.findExtension(hello.extensions, ExtensionType.key_share)!.data).map((share) => share.group);
    expect(shares(hellos[0]!)).toHaveLength(2); // the GREASE share and x25519
    expect(shares(hellos[1]!)).toEqual([NamedGroup.secp256r1]);
  });

  it('client sends unexpected_message for a second HelloRetryRequest', () => {
    const pair = run('server', 0, (m) => (m.kind === 'hello_retry_request' ? [m, m] : m));
    expect(sentAlert(pair.events('client'))).toMatchObject({ description: 'unexpected_message' });
  });

  it('client sends illegal_parameter for a HelloRetryRequest asking for the group it already sent a share for', () => {
    const pair = run('server', 0, editHrr((hrr) => ({ ...withoutExtension(ExtensionType.key_share)(hrr), extensions: [X.ext(ExtensionType.key_share, X.keyShareHelloRetryRequest.encode(NamedGroup.x25519)), ...withoutExtension(ExtensionType.key_share)(hrr).extensions] })));
    expect(sentAlert(pair.events('client'))).toMatchObject({ description: 'illegal_parameter' });
  });

  it('client sends illegal_parameter for a HelloRetryRequest asking for a group it did not offer', () => {
    const pair = run('server', 0, editHrr((hrr) => ({ ...hrr, extensions: hrr.extensions.map((e) => (e.type === ExtensionType.key_share ? X.ext(e.type, X.keyShareHelloRetryRequest.encode(NamedGroup.x448)) : e)) })));
    expect(sentAlert(pair.events('client'))).toMatchObject({ description: 'illegal_parameter' });
  });

  it('client sends illegal_parameter for a HelloRetryRequest that would change nothing', () => {
    const pair = run('server', 0, editHrr((hrr) => withoutExtension(ExtensionType.cookie)(withoutExtension(ExtensionType.key_share)(hrr))));
    expect(sentAlert(pair.events('client'))).toMatchObject({ description: 'illegal_parameter' });
  });

  it('client sends illegal_parameter when the ServerHello cipher suite differs from the HelloRetryRequest', () => {
    const pair = run('server', 0, editHrr((hrr) => ({ ...hrr, cipherSuite: 0x1302 })));
    expect(sentAlert(pair.events('client'))).toMatchObject({ description: 'illegal_parameter' });
  });

  it('server sends illegal_parameter for a second ClientHello with another random', () => {
    const pair = run('client', 1, editHello((ch) => ({ ...ch, random: new Uint8Array(32).fill(9) })));
    expect(sentAlert(pair.events('server'))).toMatchObject({ description: 'illegal_parameter' });
  });

  it('server sends illegal_parameter for a second ClientHello that drops the cookie', () => {
    const pair = run('client', 1, editHello(withoutExtension(ExtensionType.cookie)));
    expect(sentAlert(pair.events('server'))).toMatchObject({ description: 'illegal_parameter' });
  });

  it('server sends illegal_parameter for a second ClientHello still without the requested key share', () => {
    const pair = run('client', 1, editHello((ch) => ({ ...ch, extensions: ch.extensions.map((e) => (e.type === ExtensionType.key_share ? X.ext(e.type, X.keyShareClientHello.encode([])) : e)) })));
    expect(sentAlert(pair.events('server'))).toMatchObject({ description: 'illegal_parameter' });
  });
});

describe('ClientHello2 may change only what RFC 8446 §4.1.2 allows', () => {
  it('server sends illegal_parameter when the second ClientHello drops a cipher suite', () => {
    const pair = run('client', 1, editHello((ch) => ({ ...ch, cipherSuites: ch.cipherSuites.slice(0, 1) })));
    expect(sentAlert(pair.events('server'))).toMatchObject({ description: 'illegal_parameter' });
  });

  it('server sends illegal_parameter when the second ClientHello changes its signature_algorithms', () => {
    const pair = run('client', 1, editHello((ch) => ({
      ...ch,
      extensions: ch.extensions.map((e) => (e.type === ExtensionType.signature_algorithms ? X.ext(e.type, X.signatureAlgorithms.encode([0x0807])) : e)),
    })));
    expect(sentAlert(pair.events('server'))).toMatchObject({ description: 'illegal_parameter' });
  });
});
