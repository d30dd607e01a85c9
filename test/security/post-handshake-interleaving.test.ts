// Red team, session 14: post-handshake client authentication (RFC 8446 §4.6.2) interleaved with the rest of the
// connection. "Servers MUST be prepared for some delay, including receiving an arbitrary number of other messages
// between sending the CertificateRequest and receiving a response": application data and KeyUpdates may come
// between the request and the answer, and between the answer's messages. Whatever comes in between, the server
// reports the answer's identity only once its Finished verified (keyed from the client's *current* application
// traffic secret, §4.4), a failed answer leaves only what the handshake proved, and a ticket issued before the
// answer never carries its identity (§4.6.1: a ticket's identity is the one its handshake proved).
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/crypto/random.js';
import type { ClientConfig, ServerConfig } from '../../src/handshake/config.js';
import type { SessionTicket, TlsEvent } from '../../src/handshake/events.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { makeCast, SERVER_NAME } from '../../src/scenarios/mutual-tls.js';
import { TEST_NOW } from '../../src/testing/certs.js';
import { announcedSecret, editProtectedRecords, splitHandshakeMessages, suiteNamed } from '../../src/testing/tamper.js';
import { utf8 } from '../../src/wire/bytes.js';
import { ContentType } from '../../src/wire/enums.js';

const cast = makeCast('post-handshake interleaving');
const ticketKey = seededRandom('phi ticket key')(32);

function clientConfig(seed: string, extra: Partial<ClientConfig> = {}): ClientConfig {
  return { now: () => TEST_NOW, random: seededRandom(`${seed}/client`), serverName: SERVER_NAME, trust: { kind: 'ca', anchors: [cast.webCa.der] }, postHandshakeAuth: true, certificate: cast.alice, ...extra };
}

function serverConfig(seed: string, extra: Partial<ServerConfig> = {}): ServerConfig {
  return { now: () => TEST_NOW, random: seededRandom(`${seed}/server`), certificate: cast.server, trust: { kind: 'pinned-certificate', certificates: [cast.alice.der] }, ...extra };
}

const serverData = (events: TlsEvent[]) => events.flatMap((e) => (e.type === 'data' ? [utf8.decode(e.data)] : []));
const serverAuthEvents = (events: TlsEvent[]) => events.filter((e) => e.type === 'post-handshake-auth').length;
const alertsOut = (events: TlsEvent[]) => events.flatMap((e) => (e.type === 'alert' && e.direction === 'out' ? [e.description] : []));

describe('post-handshake authentication interleaved with data, KeyUpdate and tickets (RFC 8446 §4.6.2)', () => {
  it('a client that pauses between its CertificateVerify and its Finished, sending data, is not reported until the Finished', () => {
    const pair = new InMemoryPair(clientConfig('pause'), serverConfig('pause')).run();
    pair.server.requestClientCertificate();
    pair.step('server');
    // The client (the attacker here: it knows its own keys) splits its answer: Certificate and CertificateVerify,
    // then a record of application data, then the Finished.
    const queue = pair.pull('client');
    const [answer] = queue.splice(0);
    const keys = { suite: suiteNamed(pair.client.info.cipherSuite), secret: announcedSecret(pair.events('client'), 'client_application_traffic_secret_0') };
    queue.push({
      ...answer!,
      bytes: editProtectedRecords(answer!.bytes, keys, (records) => {
        const [certificate, certificateVerify, finished] = splitHandshakeMessages(records[0]!.content);
        return [
          { contentType: ContentType.handshake, content: new Uint8Array([...certificate!, ...certificateVerify!]) },
          { contentType: ContentType.application_data, content: utf8.encode('before my Finished') },
          { contentType: ContentType.handshake, content: finished! },
        ];
      }),
    });
    // The three records, one at a time: alice's key was proven by the first, and still nobody is reported.
    pair.queue.client = splitIntoRecords(pair.queue.client);
    pair.stepRecord('client');
    expect(pair.server.info.peer).toBeUndefined();
    expect(serverAuthEvents(pair.events('server'))).toBe(0);
    pair.stepRecord('client');
    expect(serverData(pair.events('server'))).toEqual(['before my Finished']);
    expect(pair.server.info.peer).toBeUndefined();
    pair.stepRecord('client');
    expect(pair.server.info.peer?.subject).toBe('CN=alice');
    expect(serverAuthEvents(pair.events('server'))).toBe(1);
  });

  it("a client that updates its keys and sends data while it decides, then answers: the Finished is keyed from its updated secret", () => {
    const pair = new InMemoryPair(clientConfig('ask', { certificate: 'ask' }), serverConfig('ask')).run();
    pair.server.requestClientCertificate();
    pair.run();
    expect(pair.client.pendingDecision?.kind).toBe('client-certificate');
    pair.client.updateKeys(true);
    pair.client.write(utf8.encode('while deciding'));
    pair.run();
    expect(serverData(pair.events('server'))).toEqual(['while deciding']);
    expect(pair.server.info.peer).toBeUndefined();
    pair.client.resolve({ kind: 'client-certificate', certificate: cast.alice });
    pair.run();
    expect(alertsOut(pair.events('server'))).toEqual([]);
    expect(pair.server.info.peer?.subject).toBe('CN=alice');
    expect(serverAuthEvents(pair.events('server'))).toBe(1);
  });

  it("an untrusted post-handshake answer ends the connection and leaves only the handshake's identity", () => {
    // The client proved alice in the handshake, then answers the post-handshake request with mallory's certificate.
    const pair = new InMemoryPair(clientConfig('failed', { certificate: 'ask' }), serverConfig('failed', { clientAuth: 'require' })).run();
    pair.client.resolve({ kind: 'client-certificate', certificate: cast.alice });
    pair.run();
    expect(pair.server.info.peer?.subject).toBe('CN=alice');
    pair.server.requestClientCertificate();
    pair.run();
    pair.client.resolve({ kind: 'client-certificate', certificate: cast.mallory });
    pair.run();
    expect(pair.server.state).toBe('CLOSED');
    expect(alertsOut(pair.events('server'))).toHaveLength(1);
    expect(serverAuthEvents(pair.events('server'))).toBe(0);
    expect(pair.server.info.peer?.subject).toBe('CN=alice');
    expect(pair.server.info.clientAuth).toBe('authenticated');
  });

  it('a ticket issued before a post-handshake authentication carries no identity: its resumption reports nobody', () => {
    const tickets = { count: 1, key: ticketKey };
    const first = new InMemoryPair(clientConfig('ticket'), serverConfig('ticket', { tickets })).run();
    const ticket = first.events('client').find((e): e is Extract<TlsEvent, { type: 'session-ticket' }> => e.type === 'session-ticket')?.ticket as SessionTicket;
    expect(ticket).toBeDefined();
    first.server.requestClientCertificate();
    first.run();
    expect(first.server.info.peer?.subject).toBe('CN=alice');
    const resumed = new InMemoryPair(clientConfig('ticket-2', { resumption: { ticket } }), serverConfig('ticket-2', { tickets })).run();
    expect(resumed.server.info.resumed).toBe(true);
    expect(resumed.server.info.peer).toBeUndefined();
    expect(resumed.server.info.clientAuth).not.toBe('authenticated');
  });
});

/** The in-flight entries split so that each holds one record (stepRecord delivers one entry). */
function splitIntoRecords(queue: InMemoryPair['queue']['client']): InMemoryPair['queue']['client'] {
  return queue.flatMap((entry) => {
    const out: typeof queue = [];
    for (let at = 0; at < entry.bytes.length; ) {
      const length = 5 + ((entry.bytes[at + 3]! << 8) | entry.bytes[at + 4]!);
      out.push({ ...entry, bytes: entry.bytes.subarray(at, at + length) });
      at += length;
    }
    return out;
  });
}
