// Replaying OpenSSL 3.0's server flight shape (issue 13 part 1): our client, with fixed randomness, meets a
// real `openssl s_server` (key log on), and reads the structure of what it sent: message types per record,
// extension order per message. Our server, shaped with OPENSSL_SERVER_FLIGHT, must answer the very same
// ClientHello with a flight of the very same structure. A missing binary skips loudly (fails with
// REQUIRE_INTEROP=1).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/crypto/random.js';
import type { ClientConfig, ServerConfig } from '../../src/handshake/config.js';
import type { TlsEvent } from '../../src/handshake/events.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import type { ServerFlightShape } from '../../src/handshake/server/flight-shape.js';
import { receivedFlightStructure } from '../../src/testing/flight-structure.js';
import { type BoundedChild, freePort, requireBinary, scratchDirectory, spawnBounded } from '../../src/testing/interop.js';
import { clientEventsOverTcp, ticketsReceived } from '../../src/testing/tcp-client.js';
import { hex } from '../../src/wire/bytes.js';
import { ExtensionType, NamedGroup } from '../../src/wire/enums.js';
import { ca, certPem, keyPem, serverCertificates } from '../node/fixtures.js';

const scratch = scratchDirectory('tls13-lab-flight-');
afterAll(scratch.remove);
const children: BoundedChild[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill();
});

/**
 * OpenSSL 3.0's s_server as captured here: every handshake message in a record of its own, tickets too;
 * supported_versions before key_share in ServerHello and HelloRetryRequest; no server_name acknowledgement (s_server sets no
 * servername callback, so OpenSSL does not ack); tickets with 8-byte nonces counting from 0.
 */
const OPENSSL_SERVER_FLIGHT: ServerFlightShape = {
  extensionOrder: {
    serverHello: [ExtensionType.supported_versions, ExtensionType.key_share, ExtensionType.pre_shared_key],
    helloRetryRequest: [ExtensionType.supported_versions, ExtensionType.key_share, ExtensionType.cookie],
  },
  serverNameAck: false,
  handshakeRecords: 'one-per-record',
  ticketRecords: 'one-per-record',
  newSessionTicket: { nonceLength: 8 },
};

const identity = serverCertificates['ECDSA P-256'];
const clientConfig = (extra: Partial<ClientConfig> = {}): ClientConfig => ({
  serverName: 'localhost',
  trust: { kind: 'ca', anchors: [ca.der] },
  now: Date.now,
  random: seededRandom('openssl server flight'),
  groups: [NamedGroup.x25519],
  traceRecords: true,
  ...extra,
});

/** Our client against `openssl s_server` until both tickets are in; the client's events. */
async function openSslFlight(openssl: string, serverArgs: string[], client: ClientConfig): Promise<{ events: TlsEvent[]; keylog: string }> {
  const port = await freePort();
  const keylogFile = join(scratch.dir, `server-${port}.keylog`);
  const server = spawnBounded(openssl, [
    's_server', '-tls1_3', '-accept', String(port), '-naccept', '1', '-cert', scratch.file('server.pem', certPem(identity)),
    '-key', scratch.file('server.key', keyPem(identity)), '-keylogfile', keylogFile, ...serverArgs,
  ], { timeoutMs: 10_000, cwd: scratch.dir });
  children.push(server);
  await server.waitFor(/ACCEPT/);
  const events = await clientEventsOverTcp(port, client, ticketsReceived(2));
  return { events, keylog: readFileSync(keylogFile, 'latin1') };
}

const ticketFields = (events: TlsEvent[]) =>
  events.flatMap((e) => (e.type === 'handshake-message' && e.message.kind === 'new_session_ticket' ? [{ lifetime: e.message.lifetime, nonce: Array.from(e.message.nonce) }] : []));

/** Captures s_server's answer to `client`, then checks that our shaped server's answer has the same structure. */
async function compare(openssl: string, serverArgs: string[], client: () => ClientConfig, server: Partial<ServerConfig>) {
  const captured = await openSslFlight(openssl, serverArgs, client());
  // The capture is what OpenSSL sent, read with our key schedule: our client connected, and the secrets it
  // derived are OpenSSL's, line for line of its key log.
  expect(captured.events.some((e) => e.type === 'connected')).toBe(true);
  const ours = captured.events.flatMap((e) => (e.type === 'secret' && e.keylog ? [`${e.keylog} ${hex(e.clientRandom)} ${hex(e.secret)}`] : []));
  const theirLines = captured.keylog.split('\n').filter((line) => line && !line.startsWith('#'));
  expect(theirLines.length).toBe(5);
  expect(ours.sort()).toEqual(theirLines.sort());
  const theirs = receivedFlightStructure(captured.events);

  const base: ServerConfig = { certificate: identity, random: seededRandom('our server'), tickets: { count: 2 }, ...server };
  const pair = new InMemoryPair(client(), { ...base, serverFlight: OPENSSL_SERVER_FLIGHT }).run();
  expect(receivedFlightStructure(pair.events('client'))).toEqual(theirs);
  // The tickets' free fields that carry no secret: lifetime and nonce (OpenSSL: 8 bytes, counting from 0).
  expect(ticketFields(pair.events('client'))).toEqual(ticketFields(captured.events));
  // And without the shape, ours differs (coalesced flight, key_share first).
  const plain = new InMemoryPair(client(), base).run();
  expect(receivedFlightStructure(plain.events('client'))).not.toEqual(theirs);
  return theirs;
}

describe('our server reproduces the structure of an openssl s_server flight', () => {
  it('same ClientHello, same records, same message types per record, same extension orders', async (test) => {
    const theirs = await compare(requireBinary('openssl', test), [], clientConfig, {});
    // s_server 3.0: each message in its own record, supported_versions first, an empty EncryptedExtensions.
    expect(theirs.records).toContain('certificate_verify');
    expect(theirs.extensionOrders.server_hello).toEqual([[ExtensionType.supported_versions, ExtensionType.key_share]]);
    expect(theirs.extensionOrders.encrypted_extensions).toEqual([[]]);
  });

  it('the same after a HelloRetryRequest (s_server -groups P-256, our client sends an x25519 share first)', async (test) => {
    const client = () => clientConfig({ groups: [NamedGroup.x25519, NamedGroup.secp256r1], random: seededRandom('openssl server flight, retried') });
    const theirs = await compare(requireBinary('openssl', test), ['-groups', 'P-256'], client, { groups: [NamedGroup.secp256r1] });
    expect(theirs.records[0]).toBe('hello_retry_request');
    expect(theirs.extensionOrders.hello_retry_request).toEqual([[ExtensionType.supported_versions, ExtensionType.key_share]]);
  });
});
