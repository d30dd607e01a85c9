// BoringSSL's BoGo server tests of client certificates (addClientAuthTests, addCertificateTests), the
// client's skipped messages (tls13_tests.go ServerSkipCertificateVerify-TLS13) and KeyUpdate towards and from
// the server (KeyUpdate-ToServer, KeyUpdate-FromServer), replayed against our server with the hand-written
// client. Each case is named as BoGo names it with its TLS 1.3 suffix, states what BoGo expects and checks our
// exact answer; docs/bogo-server.md lists them all.
import { describe, expect, it } from 'vitest';
import { nobleProvider } from '../../src/crypto/noble.js';
import { seededRandom } from '../../src/crypto/random.js';
import type { ServerConfig } from '../../src/handshake/config.js';
import { signCertificateVerify } from '../../src/handshake/signatures.js';
import { makeIdentity, type Identity } from '../../src/testing/certs.js';
import { rsaTestKey } from '../../src/testing/rsa-keys.js';
import { concat, utf8 } from '../../src/wire/bytes.js';
import { CipherSuite, ContentType, ExtensionType, SignatureScheme } from '../../src/wire/enums.js';
import { encodeHandshake } from '../../src/wire/messages.js';
import { ca, ext, pinned, rnd } from '../handshake/abort-harness.js';
import { expectRefused, kinds, messageOf, runnerExtensions } from './bogo-server-harness.js';
import { certificateMessage } from './client-certificate-flight.js';
import { ScriptedClient } from './scripted-client.js';

const { TLS_AES_128_GCM_SHA256 } = CipherSuite;
const FLIGHT_WITH_REQUEST = ['server_hello', 'encrypted_extensions', 'certificate_request', 'certificate', 'certificate_verify', 'finished'];

const rsaClient = makeIdentity({ subject: { CN: 'bogo rsa client' }, privateKey: rsaTestKey() }, rnd);
const ecdsaClient = makeIdentity({ subject: { CN: 'bogo ecdsa client' }, keyType: 'p256' }, rnd);

/** A ScriptedClient through a server flight that asks for a certificate (`clientAuth`), trusting `trusted`. */
function asked(clientAuth: ServerConfig['clientAuth'], seed: string, trusted: Identity[] = [rsaClient, ecdsaClient]) {
  const client = new ScriptedClient({ clientAuth, trust: pinned(...trusted) }, seed);
  const flight = client.hello([TLS_AES_128_GCM_SHA256], runnerExtensions(client));
  expect(flight.alerts).toEqual([]);
  expect(kinds(flight)).toEqual(FLIGHT_WITH_REQUEST);
  return client;
}

/** The client's CertificateVerify of `identity` with `scheme` over the transcript so far (RFC 8446 §4.4.3). */
const certificateVerify = (client: ScriptedClient, identity: Identity, scheme: number) =>
  encodeHandshake({ kind: 'certificate_verify', scheme, signature: signCertificateVerify(nobleProvider, scheme, identity, 'client', client.transcriptHashNow(), seededRandom('bogo client cv')) });

describe('addClientAuthTests (client_auth_tests.go)', () => {
  it.each([
    ['TLS13-Server-ClientAuth-RSA', rsaClient, SignatureScheme.rsa_pss_rsae_sha256],
    ['TLS13-Server-ClientAuth-ECDSA', ecdsaClient, SignatureScheme.ecdsa_secp256r1_sha256],
  ])('%s (-require-any-client-certificate; the client authenticates) → a handshake; ours: connected, the peer known', (_, identity, scheme) => {
    const client = asked('require', `bogo client auth ${scheme}`);
    expect(client.sendHandshake(certificateMessage(new Uint8Array(0), identity.der)).alerts).toEqual([]);
    expect(client.sendHandshake(certificateVerify(client, identity, scheme)).alerts).toEqual([]);
    expect(client.finish().alerts).toEqual([]);
    expect(client.server.isConnected).toBe(true);
    expect(client.server.info.peer?.subject).toContain(identity === rsaClient ? 'bogo rsa client' : 'bogo ecdsa client');
  });

  it('NoClientCertificate-Server-TLS13 (-verify-peer: optional; an empty Certificate) → a handshake without a peer; ours: the same (§4.4.2.4)', () => {
    const client = asked('optional', 'bogo no client cert');
    expect(client.sendHandshake(certificateMessage(new Uint8Array(0))).alerts).toEqual([]);
    expect(client.finish().alerts).toEqual([]);
    expect(client.server.isConnected).toBe(true);
    expect(client.server.info.peer).toBeUndefined();
  });

  it('NoClientCertificateRequested-Server-TLS13 (nothing asked) → no CertificateRequest, a handshake; ours: the same', () => {
    const client = new ScriptedClient({}, 'bogo not requested');
    expect(kinds(client.hello([TLS_AES_128_GCM_SHA256], runnerExtensions(client)))).not.toContain('certificate_request');
    expect(client.finish().alerts).toEqual([]);
  });

  it('RequireAnyClientCertificate-TLS13 (an empty Certificate) → PEER_DID_NOT_RETURN_A_CERTIFICATE, "remote error: certificate required"; ours: certificate_required at the Certificate (§4.4.2.4)', () => {
    const client = asked('require', 'bogo require empty');
    expectRefused(client, client.sendHandshake(certificateMessage(new Uint8Array(0))), 'certificate_required');
  });

  it('SkipClientCertificate-TLS13 (-verify-peer; the Finished without a Certificate) → UNEXPECTED_MESSAGE; ours: unexpected_message (§4.4.2: the client MUST send one)', () => {
    const client = asked('optional', 'bogo skip client cert');
    expectRefused(client, client.finish(), 'unexpected_message');
  });

  it('TLS13-Server-CertReq-CA-List (-use-client-ca-list) → certificate_authorities in the CertificateRequest; ours: with sendCertificateAuthorities, the issuers we trust', () => {
    const client = new ScriptedClient({ clientAuth: 'require', trust: { kind: 'ca', anchors: [rsaClient.der] }, sendCertificateAuthorities: true }, 'bogo ca list');
    const request = messageOf(client.hello([TLS_AES_128_GCM_SHA256], runnerExtensions(client)), 'certificate_request');
    expect(request.extensions.map((e) => e.type)).toContain(ExtensionType.certificate_authorities);
  });

  it('TLS13-Empty-Client-CA-List (an empty list) → no certificate_authorities (an empty one is malformed); ours: none by default', () => {
    const client = new ScriptedClient({ clientAuth: 'require', trust: pinned(rsaClient) }, 'bogo no ca list');
    const request = messageOf(client.hello([TLS_AES_128_GCM_SHA256], runnerExtensions(client)), 'certificate_request');
    expect(request.extensions.map((e) => e.type)).not.toContain(ExtensionType.certificate_authorities);
  });
});

describe('addCertificateTests and tls13_tests.go: the client\'s certificate flight, wrong', () => {
  it('GarbageCertificate-Server-TLS13 (the client\'s certificate is "GARBAGE") → CANNOT_PARSE_LEAF_CERT, "remote error: error decoding message"; ours: bad_certificate', () => {
    const client = asked('require', 'bogo garbage cert');
    expectRefused(client, client.sendHandshake(certificateMessage(new Uint8Array(0), utf8.encode('GARBAGE'))), 'bad_certificate');
  });

  describe('SendReceiveIntermediate-Server-TLS13 (-require-any-client-certificate; a client leaf issued by an intermediate of our CA)', () => {
    const intermediate = makeIdentity({ subject: { CN: 'bogo intermediate' }, issuer: ca, isCA: true, keyUsage: ['keyCertSign'] }, rnd);
    const leaf = makeIdentity({ subject: { CN: 'bogo chain client' }, issuer: intermediate, keyType: 'p256', extKeyUsage: ['clientAuth'] }, rnd);
    it.each([
      ['the leaf and its intermediate (BoGo\'s case) → a handshake, the chain seen; ours: connected, the leaf judged through the intermediate', [leaf.der, intermediate.der], 'connected'],
      // §6.2: unknown_ca, "the CA certificate could not be located".
      ['the intermediate left out (ours) → no path to our CA; ours: unknown_ca', [leaf.der], 'unknown_ca'],
    ])('%s', (_, chain, outcome) => {
      const client = new ScriptedClient({ clientAuth: 'require', trust: { kind: 'ca', anchors: [ca.der] } }, `bogo intermediate ${chain.length}`);
      expect(kinds(client.hello([TLS_AES_128_GCM_SHA256], runnerExtensions(client)))).toEqual(FLIGHT_WITH_REQUEST);
      const answers = [client.sendHandshake(certificateMessage(new Uint8Array(0), ...chain))];
      if (answers[0]!.alerts.length === 0) answers.push(client.sendHandshake(certificateVerify(client, leaf, SignatureScheme.ecdsa_secp256r1_sha256)));
      if (answers.every((a) => a.alerts.length === 0)) answers.push(client.finish());
      if (outcome === 'connected') {
        expect(answers.flatMap((a) => a.alerts)).toEqual([]);
        expect(client.server.info.peer?.subject).toContain('bogo chain client');
      } else expectRefused(client, answers.at(-1)!, outcome);
    });
  });

  it('ServerSkipCertificateVerify-TLS13 (a Certificate, then the Finished) → UNEXPECTED_MESSAGE, "remote error: unexpected message"; ours: unexpected_message (§4.4.3)', () => {
    const client = asked('require', 'bogo skip cv');
    expect(client.sendHandshake(certificateMessage(new Uint8Array(0), rsaClient.der)).alerts).toEqual([]);
    expectRefused(client, client.finish(), 'unexpected_message');
  });

  // Named in rustls's bogo/config.json (TestErrorMap: PEER_MISBEHAVIOUR); its Go source was not read. The
  // client's CertificateEntry carries an extension the CertificateRequest did not ask for.
  it('SendExtensionOnClientCertificate-TLS13 (signed_certificate_timestamp on the client\'s entry, not asked for) → a fatal alert; ours: unsupported_extension (§4.2)', () => {
    const client = asked('require', 'bogo cert extension');
    const certificate = encodeHandshake({ kind: 'certificate', context: new Uint8Array(0), entries: [{ data: rsaClient.der, extensions: [ext(ExtensionType.signed_certificate_timestamp, [0, 4, 0, 2, 1, 2])] }] });
    expectRefused(client, client.sendHandshake(certificate), 'unsupported_extension');
  });
});

/** A ScriptedClient after a whole handshake with our default server, the server's events taken. */
const connected = (seed: string) => {
  const client = new ScriptedClient({}, seed);
  expect(client.hello([TLS_AES_128_GCM_SHA256], runnerExtensions(client)).alerts).toEqual([]);
  expect(client.finish().alerts).toEqual([]);
  client.server.takeEvents();
  return client;
};

describe('addKeyUpdateTests: the server\'s side (key_update_tests.go)', () => {

  it('KeyUpdate-ToServer (update_not_requested, then data) → the data read; ours: read under the next key, no KeyUpdate back (§4.6.3)', () => {
    const client = connected('bogo key update to server');
    expect(client.keyUpdate(0)).toMatchObject({ alerts: [], messages: [] });
    expect(client.send(Uint8Array.of(1, 2, 3)).alerts).toEqual([]);
    expect(client.server.takeEvents().filter((e) => e.type === 'data')).toEqual([expect.objectContaining({ data: Uint8Array.of(1, 2, 3) })]);
  });

  it('KeyUpdate-FromServer (the shim updates its keys) → a KeyUpdate, then data under the next key; ours: the same', () => {
    const client = connected('bogo key update from server');
    client.server.updateKeys();
    expect(kinds(client.read())).toEqual(['key_update']);
    client.server.write(Uint8Array.of(4, 5, 6));
    expect(client.read().applicationData).toEqual([Uint8Array.of(4, 5, 6)]);
  });
});

// addBasicTests' record-layer cases (runner.go) are client tests in BoGo; the same records against our server,
// whose record layer and KeyUpdate count are the client's (docs/bogo-server.md).
describe('addBasicTests: the record layer after the handshake, towards our server (ours)', () => {
  const userCanceled = (client: ScriptedClient) => client.seal(ContentType.alert, Uint8Array.of(1, 90));
  const empty = (client: ScriptedClient, count: number) => Array.from({ length: count }, () => client.seal(ContentType.application_data, new Uint8Array(0)));

  it('SendUserCanceledAlerts-TLS13 (4, then data) → the data read; ours: the same', () => {
    const client = connected('bogo user canceled');
    const alerts = Array.from({ length: 4 }, () => userCanceled(client));
    expect(client.sendRaw(concat(...alerts, client.seal(ContentType.application_data, Uint8Array.of(7)))).alerts).toEqual([]);
    expect(client.server.takeEvents().filter((e) => e.type === 'data')).toEqual([expect.objectContaining({ data: Uint8Array.of(7) })]);
  });

  it('SendUserCanceledAlerts-TooMany-TLS13 (ours: 33) → TOO_MANY_WARNING_ALERTS; ours: unexpected_message past MAX_CONSECUTIVE_EMPTY_RECORDS', () => {
    const client = connected('bogo user canceled flood');
    expectRefused(client, client.sendRaw(concat(...Array.from({ length: 33 }, () => userCanceled(client)))), 'unexpected_message');
  });

  it('SendEmptyRecords (ours: 32 empty records, a user_canceled, 32 more) → unexpected_message: the alert does not reset the count', () => {
    const client = connected('bogo empty records and user canceled');
    expectRefused(client, client.sendRaw(concat(...empty(client, 32), userCanceled(client), ...empty(client, 32))), 'unexpected_message');
  });

  it('TooManyKeyUpdates (33, update_not_requested) → TOO_MANY_KEY_UPDATES; ours: unexpected_message', () => {
    const client = connected('bogo too many key updates');
    for (let i = 0; i < 32; i++) expect(client.keyUpdate(0).alerts).toEqual([]);
    expectRefused(client, client.keyUpdate(0), 'unexpected_message');
  });
});
