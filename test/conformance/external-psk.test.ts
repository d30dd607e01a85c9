// External PSKs as tlsfuzzer's test-tls13-psk_ke and -psk_dhe_ke offer them: a ClientHello with no
// signature_algorithms (and, for psk_ke, no groups at all), the binder computed by hand with the "ext binder"
// key (RFC 8446 §4.2.11.2, §7.1). The script's default PSK is one byte (0xaa); ours must hold 128 bits
// (RFC 9257 §6), so a suite runs it with --psk and a 16-byte key, as here.
import { describe, expect, it } from 'vitest';
import { suiteNamed } from '../../src/testing/tamper.js';
import { NamedGroup } from '../../src/wire/enums.js';
import type { ClientHello } from '../../src/wire/types.js';
import { baseHello, EXT, expectAbort, ext, feedServer, keyShare, record, x25519Public } from '../handshake/abort-harness.js';
import { accepted } from './harness.js';
import { codePointList, helloWithPsk, ScriptedClient, SUPPORTED_VERSIONS } from './scripted-client.js';

const HANDSHAKE = 22;
const PSK_KEY_EXCHANGE_MODES = 45;
const PSK_KE = 0;
const PSK_DHE_KE = 1;
const psk = { identity: 'test', key: new Uint8Array(16).fill(0xaa) };
const suite = suiteNamed('TLS_AES_128_GCM_SHA256');
const GET = new TextEncoder().encode('GET / HTTP/1.0\r\n\r\n');

/** `hello` with a pre_shared_key naming `identity`, last, its binder made with `key` ("ext binder"). */
const withBinder = (hello: ClientHello, identity: string, key: Uint8Array) =>
  helloWithPsk(hello, { identity: new TextEncoder().encode(identity), obfuscatedTicketAge: 0, key, resumption: false }, suite);

/** The script's ClientHello: supported_versions, psk_key_exchange_modes [mode] (and a key share for psk_dhe_ke), then the PSK. */
function scriptHello(mode: number): ClientHello {
  const hello = baseHello();
  const versions = hello.extensions.find((e) => e.type === EXT.supported_versions)!;
  const modes = ext(PSK_KEY_EXCHANGE_MODES, [1, mode]);
  hello.extensions = mode === PSK_KE ? [versions, modes] : [versions, modes, ext(EXT.supported_groups, [0, 2, 0, 0x1d]), keyShare(0x1d, x25519Public())];
  return hello;
}

const serverWith = (modes: Array<'psk_ke' | 'psk_dhe_ke'>) => ({ externalPsks: { keys: [psk], modes } });

describe.each([
  ['test-tls13-psk_ke', PSK_KE, 'psk_ke'],
  ['test-tls13-psk_dhe_ke', PSK_DHE_KE, 'psk_dhe_ke'],
] as const)('%s "sanity"', (_, mode, name) => {
  it(`a server holding the PSK and allowing ${name} answers with a ServerHello selecting it, and no Certificate`, () => {
    const result = feedServer(record(HANDSHAKE, withBinder(scriptHello(mode), psk.identity, psk.key)), serverWith([name]));
    expect(accepted(result)).toBe(true);
    expect(result.output[5]).toBe(2);
    const sent = result.events.flatMap((e) => (e.type === 'handshake-message' && e.direction === 'out' ? [e.message.kind] : []));
    expect(sent).toEqual(['server_hello', 'encrypted_extensions', 'finished']);
  });

  it('a binder made with another key is decrypt_error (§4.2.11: "MUST abort")', () => {
    const result = feedServer(record(HANDSHAKE, withBinder(scriptHello(mode), psk.identity, new Uint8Array(16).fill(0xbb))), serverWith([name]));
    expectAbort(result, 'decrypt_error', { plaintext: true });
  });
});

it('test-tls13-psk_ke against a server that keeps forward secrecy (psk_dhe_ke only, no certificate): handshake_failure', () => {
  // No (EC)DHE offered, psk_ke not allowed, nothing else to authenticate with: no parameters in common (§4.1.1).
  const result = feedServer(record(HANDSHAKE, withBinder(scriptHello(PSK_KE), psk.identity, psk.key)), { ...serverWith(['psk_dhe_ke']), certificate: undefined });
  expectAbort(result, 'handshake_failure', { plaintext: true });
});

// Each probe to its end, as the scripts run them (the scripts' server runs with --psk, and with
// --psk-sha384 for their SHA-384 runs): the ServerHello accepts identity 0 (with a key share in the client's
// group for psk_dhe_ke, none for psk_ke, §4.2.9), EncryptedExtensions and Finished follow, our Finished
// verifies, and the GET is delivered under the application keys.
describe.each([
  ['sha256', 'TLS_AES_128_GCM_SHA256', 0x1301],
  ['sha384', 'TLS_AES_256_GCM_SHA384', 0x1302],
] as const)('test-tls13-psk_dhe_ke and -psk_ke with a %s PSK, probe by probe to the application data', (hash, suiteName, cipher) => {
  const pskSuite = suiteNamed(suiteName);
  const offer = { identity: new TextEncoder().encode(psk.identity), obfuscatedTicketAge: 0, key: psk.key, resumption: false };

  function run(mode: 'psk_ke' | 'psk_dhe_ke', group?: number) {
    const client = new ScriptedClient({ certificate: undefined, externalPsks: { keys: [{ ...psk, hash }], modes: [mode] } }, `external psk ${hash} ${mode} ${group}`);
    const modes = ext(PSK_KEY_EXCHANGE_MODES, [1, mode === 'psk_ke' ? PSK_KE : PSK_DHE_KE]);
    const extensions = group === undefined ? [SUPPORTED_VERSIONS, modes] : [SUPPORTED_VERSIONS, client.keyShare(group), codePointList(EXT.supported_groups, [group]), modes];
    const flight = client.hello([cipher], extensions, { offer, suite: pskSuite });
    expect(flight.alerts).toEqual([]);
    expect(flight.messages.map((m) => m.kind)).toEqual(['server_hello', 'encrypted_extensions', 'finished']);
    const serverHello = flight.messages[0]!;
    const share = serverHello.kind === 'server_hello' ? serverHello.extensions.find((e) => e.type === EXT.key_share) : undefined;
    expect(share === undefined).toBe(group === undefined);
    expect(client.finish().alerts).toEqual([]);
    client.server.takeEvents();
    expect(client.send(GET).alerts).toEqual([]);
    expect(client.server.takeEvents().filter((e) => e.type === 'data')).toHaveLength(1);
    expect(client.server.info.peer).toMatchObject({ kind: 'psk' });
  }

  it.each([
    ['"sanity" (secp256r1)', NamedGroup.secp256r1],
    ['"ffdhe2048"', NamedGroup.ffdhe2048],
    ['"x25519"', NamedGroup.x25519],
  ])('psk_dhe_ke %s', (_, group) => run('psk_dhe_ke', group));

  it('psk_ke "sanity" (no groups, no key share)', () => run('psk_ke'));
});
