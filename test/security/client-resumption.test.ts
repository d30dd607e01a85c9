// Attacker's scripts for hole 6 of issue 11, the client side of resumption:
// (a) a HelloRetryRequest that picks a cipher suite whose hash differs from the offered ticket's: the
//     ticket cannot be used with that hash, so the client drops it from ClientHello2 (RFC 8446 §4.1.2,
//     §4.1.4) and a full handshake follows, instead of failing with internal_error;
// (b) a ticket is bound to the server it was issued by: the client MUST NOT offer it to another name
//     (RFC 8446 §4.6.1), which would let that server (e.g. one holding the same ticket key) skip proving
//     it is the server the client now wants.
import { describe, expect, it } from 'vitest';
import type { TrustPolicy } from '../../src/auth/trust.js';
import { seededRandom } from '../../src/crypto/random.js';
import type { ClientConfig, ServerConfig } from '../../src/handshake/config.js';
import type { SessionTicket, TlsEvent } from '../../src/handshake/events.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { makeIdentity, TEST_NOW } from '../../src/testing/certs.js';
import { utf8 } from '../../src/wire/bytes.js';
import { CipherSuite, ExtensionType, NamedGroup } from '../../src/wire/enums.js';
import { SingleUseTickets } from '../../src/handshake/tickets.js';

const random = seededRandom('client-resumption attacker');
const ca = makeIdentity({ subject: { CN: 'trusted CA' }, keyType: 'p256', isCA: true, keyUsage: ['keyCertSign'] }, random);
/** One certificate valid for both names and both IP spellings, so only the ticket's binding decides. */
const server = makeIdentity(
  { subject: { CN: 'shared host' }, issuer: ca, sans: { dns: ['a.example', 'b.example'], ip: ['::1'] }, extKeyUsage: ['serverAuth'], keyType: 'p256' },
  random,
);
const ticketKey = random(32);

function serverConfig(extra: Partial<ServerConfig> = {}): ServerConfig {
  return {
    certificate: server,
    now: () => TEST_NOW,
    random: seededRandom('s'),
    tickets: { count: 1, key: ticketKey, maxEarlyDataSize: 1024, antiReplay: new SingleUseTickets() },
    ...extra,
  };
}
const clientConfig = (extra: Partial<ClientConfig>): ClientConfig => ({
  trust: { kind: 'ca', anchors: [ca.der] },
  now: () => TEST_NOW + 1000,
  random: seededRandom('c'),
  ...extra,
});

function ticketFor(client: Partial<ClientConfig>, srv: Partial<ServerConfig> = {}): SessionTicket {
  const pair = new InMemoryPair(clientConfig(client), serverConfig(srv)).run();
  const event = pair.events('client').find((e) => e.type === 'session-ticket');
  if (event?.type !== 'session-ticket') throw new Error('no ticket');
  return event.ticket;
}

const clientHellos = (events: TlsEvent[]) =>
  events.flatMap((e) => (e.type === 'handshake-message' && e.direction === 'out' && e.message.kind === 'client_hello' ? [e.message] : []));
const offersPsk = (hello: ReturnType<typeof clientHellos>[number]) => hello.extensions.some((e) => e.type === ExtensionType.pre_shared_key);
const alerts = (events: TlsEvent[]) => events.flatMap((e) => (e.type === 'alert' ? [`${e.direction} ${e.description}`] : []));

describe('a HelloRetryRequest for a suite whose hash the ticket cannot use (RFC 8446 §4.1.2)', () => {
  // The ticket is for TLS_AES_256_GCM_SHA384; the server now speaks only TLS_AES_128_GCM_SHA256 and wants secp256r1.
  const ticket = ticketFor({ serverName: 'a.example', cipherSuites: [CipherSuite.TLS_AES_256_GCM_SHA384] });
  const retrying = (earlyData?: Uint8Array) =>
    new InMemoryPair(
      clientConfig({
        serverName: 'a.example',
        cipherSuites: [CipherSuite.TLS_AES_256_GCM_SHA384, CipherSuite.TLS_AES_128_GCM_SHA256],
        keyShareGroups: [NamedGroup.x25519],
        resumption: { ticket, ...(earlyData ? { earlyData } : {}) },
      }),
      serverConfig({ cipherSuites: [CipherSuite.TLS_AES_128_GCM_SHA256], groups: [NamedGroup.secp256r1] }),
    ).run();

  it('drops the PSK from ClientHello2 and completes a full handshake, authenticating the server by its certificate', () => {
    const pair = retrying();
    expect(alerts(pair.events('client'))).toEqual([]);
    const [first, second] = clientHellos(pair.events('client'));
    expect(offersPsk(first!)).toBe(true);
    expect(offersPsk(second!)).toBe(false);
    expect(pair.client.isConnected).toBe(true);
    expect(pair.client.info.resumed).toBeUndefined();
    expect(pair.client.info.cipherSuite).toBe('TLS_AES_128_GCM_SHA256');
    expect(pair.client.info.peer?.verdict.rule).toBe('ca');
  });

  it('with 0-RTT in the first flight: the early data is rejected and the full handshake still completes', () => {
    const pair = retrying(utf8.encode('early'));
    expect(pair.client.isConnected).toBe(true);
    expect(pair.client.info.earlyData).toBe('rejected');
    expect(pair.events('server').some((e) => e.type === 'data')).toBe(false);
  });

  it('keeps the PSK in ClientHello2 when the HelloRetryRequest suite has the ticket hash (control)', () => {
    const pair = new InMemoryPair(
      clientConfig({ serverName: 'a.example', cipherSuites: [CipherSuite.TLS_AES_256_GCM_SHA384], keyShareGroups: [NamedGroup.x25519], resumption: { ticket } }),
      serverConfig({ groups: [NamedGroup.secp256r1] }),
    ).run();
    const [, second] = clientHellos(pair.events('client'));
    expect(offersPsk(second!)).toBe(true);
    expect(pair.client.info.resumed).toBe(true);
  });
});

describe('a ticket is offered only to the server name it was issued for (RFC 8446 §4.6.1)', () => {
  const fromA = ticketFor({ serverName: 'a.example' });

  it('a ticket from a.example is not offered to b.example: no pre_shared_key, no 0-RTT, a full handshake', () => {
    const pair = new InMemoryPair(clientConfig({ serverName: 'b.example', resumption: { ticket: fromA, earlyData: utf8.encode('early') } }), serverConfig()).run();
    const [hello] = clientHellos(pair.events('client'));
    expect(offersPsk(hello!)).toBe(false);
    expect(hello!.extensions.some((e) => e.type === ExtensionType.early_data)).toBe(false);
    expect(pair.client.isConnected).toBe(true);
    expect(pair.client.info.resumed).toBeUndefined();
    expect(pair.client.info.peer?.verdict.rule).toBe('ca');
    expect(pair.events('server').some((e) => e.type === 'data')).toBe(false);
    const decision = pair.events('client').find((e) => e.type === 'decision' && e.topic === 'resumption');
    expect(decision?.type === 'decision' && decision.reason).toMatch(/a\.example/);
  });

  it('the same ticket resumes with a.example (control), also spelled A.EXAMPLE.', () => {
    for (const serverName of ['a.example', 'A.EXAMPLE.']) {
      const pair = new InMemoryPair(clientConfig({ serverName, resumption: { ticket: ticketFor({ serverName: 'a.example' }) } }), serverConfig()).run();
      expect(pair.client.info.resumed).toBe(true);
    }
  });

  it('an IPv6 ticket resumes under another spelling of the same address, and not under a DNS name', () => {
    const fromIp = ticketFor({ serverName: '::1' });
    const same = new InMemoryPair(clientConfig({ serverName: '0:0:0:0:0:0:0:1', resumption: { ticket: fromIp } }), serverConfig()).run();
    expect(same.client.info.resumed).toBe(true);
    const other = new InMemoryPair(clientConfig({ serverName: 'a.example', resumption: { ticket: ticketFor({ serverName: '::1' }) } }), serverConfig()).run();
    expect(offersPsk(clientHellos(other.events('client'))[0]!)).toBe(false);
  });

  it('a ticket issued with no name (pinned certificate) is not offered to a named server', () => {
    const pinned: TrustPolicy = { kind: 'pinned-certificate', certificates: [server.der] };
    const unnamed = ticketFor({ trust: pinned });
    const pair = new InMemoryPair(clientConfig({ serverName: 'a.example', resumption: { ticket: unnamed } }), serverConfig()).run();
    expect(offersPsk(clientHellos(pair.events('client'))[0]!)).toBe(false);
    const again = new InMemoryPair(clientConfig({ trust: pinned, resumption: { ticket: ticketFor({ trust: pinned }) } }), serverConfig()).run();
    expect(again.client.info.resumed).toBe(true);
  });
});

// (c) the server identity a ticket carries is re-judged by the client's current policy: a CA the client
//     no longer trusts, or a certificate expired since, does not come back through the PSK.
describe("a ticket whose server identity the client's current policy no longer accepts", () => {
  const ticket = ticketFor({ serverName: 'a.example' });
  const otherCa = makeIdentity({ subject: { CN: 'other CA' }, keyType: 'p256', isCA: true, keyUsage: ['keyCertSign'] }, random);
  const resumeWith = (extra: Partial<ClientConfig>) =>
    new InMemoryPair(clientConfig({ serverName: 'a.example', resumption: { ticket }, ...extra }), serverConfig()).run();

  it('is offered, and reports the re-judged identity, while the policy still accepts it', () => {
    const pair = resumeWith({});
    expect(pair.client.info.resumed).toBe(true);
    expect(pair.client.info.peer?.verdict.rule).toBe('resumed ca');
  });

  it('is not offered once the CA that vouched for the server is no longer trusted; the full handshake then fails on the certificate', () => {
    const pair = resumeWith({ trust: { kind: 'ca', anchors: [otherCa.der] } });
    expect(offersPsk(clientHellos(pair.events('client'))[0]!)).toBe(false);
    expect(pair.client.info.resumed).toBeUndefined();
    expect(pair.client.info.peer).toBeUndefined();
    expect(alerts(pair.events('client'))).toEqual(['out unknown_ca']);
  });

  it('is offered under an ask policy but reports no server identity, since nobody re-judged it', () => {
    const pair = resumeWith({ trust: { kind: 'ask' } satisfies TrustPolicy });
    expect(pair.client.info.resumed).toBe(true);
    expect(pair.client.info.peer).toBeUndefined();
  });

  // resumption.serverVerdict: the caller of an ask policy (the node adapter, for node:tls's
  // checkServerIdentity) judged the ticket's server today and hands the verdict over with the ticket.
  const askWith = (serverVerdict: { trusted: boolean; rule: string; detail: string }) =>
    new InMemoryPair(clientConfig({ serverName: 'a.example', trust: { kind: 'ask' }, resumption: { ticket, serverVerdict } }), serverConfig()).run();

  it("under ask, the caller's trusted verdict is reported for the resumed server once its Finished verified", () => {
    const pair = askWith({ trusted: true, rule: 'checkServerIdentity', detail: 'judged by the caller' });
    expect(pair.client.info.resumed).toBe(true);
    expect(pair.client.info.peer).toMatchObject({ subject: 'CN=shared host', verdict: { trusted: true, rule: 'resumed checkServerIdentity' } });
  });

  it("under ask, a ticket whose server the caller's verdict refuses is not offered", () => {
    const pair = askWith({ trusted: false, rule: 'checkServerIdentity', detail: 'pin rotated out' });
    expect(offersPsk(clientHellos(pair.events('client'))[0]!)).toBe(false);
    expect(pair.client.info.resumed).toBeUndefined();
  });

  it('a verdict beside any other policy is a TypeError: that policy judges the ticket itself', () => {
    expect(() => resumeWith({ resumption: { ticket, serverVerdict: { trusted: true, rule: 'x', detail: 'y' } } })).toThrow(TypeError);
  });
});
