// Attacker: a client that takes its own 0-RTT ticket from one name of a server to another name of the same
// server (one ticket key and one replay register behind both, as name-based virtual hosting has). RFC 8446
// §4.6.1 forbids an honest client to do so unless the certificate covered the new name, and our client never
// does (client-resumption.test.ts); a hostile client ignores it. Its early data was then accepted under the
// other name: written for a.example, handed to the application as b.example's before any handshake message
// of b.example's was seen. §4.2.10 names the version, suite and ALPN; the server name is the rest of what the
// data was written for, and OpenSSL refuses 0-RTT when it differs (final_server_name). The ticket now carries
// the name its session answered; 0-RTT under another name is rejected, and the handshake goes on.
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/crypto/random.js';
import type { ClientConfig, ServerConfig } from '../../src/handshake/config.js';
import type { SessionTicket } from '../../src/handshake/events.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { SingleUseTickets } from '../../src/handshake/tickets.js';
import { makeIdentity, TEST_NOW } from '../../src/testing/certs.js';
import { utf8 } from '../../src/wire/bytes.js';
import { ExtensionType } from '../../src/wire/enums.js';
import * as X from '../../src/wire/extensions.js';

const serverIdentity = makeIdentity({ subject: { CN: 'server' }, sans: { dns: ['a.example', 'b.example'] } }, seededRandom('early-data-server-name server'));
const antiReplay = new SingleUseTickets();
const serverConfig = (): ServerConfig => ({
  certificate: serverIdentity,
  now: () => TEST_NOW,
  random: seededRandom('early-data-server-name s'),
  tickets: { count: 4, key: new Uint8Array(32).fill(3), maxEarlyDataSize: 1024, antiReplay },
});
const clientConfig = (serverName: string | undefined, extra: Partial<ClientConfig> = {}): ClientConfig => ({
  trust: { kind: 'pinned-certificate', certificates: [serverIdentity.der] },
  now: () => TEST_NOW,
  random: seededRandom('early-data-server-name c'),
  ...(serverName ? { serverName } : {}),
  ...extra,
});
const ticketsFor = (serverName: string | undefined): SessionTicket[] =>
  new InMemoryPair(clientConfig(serverName), serverConfig()).run().events('client').flatMap((e) => (e.type === 'session-ticket' ? [e.ticket] : []));

/** 0-RTT with `ticket` under `serverName`, the ticket relabelled as a hostile client's store would. */
function zeroRtt(ticket: SessionTicket, serverName: string | undefined) {
  const relabelled = { ...ticket, ...(serverName ? { serverName } : { serverName: undefined }) };
  const pair = new InMemoryPair(clientConfig(serverName, { resumption: { ticket: relabelled, earlyData: utf8.encode('pay 10') } }), serverConfig()).run();
  return {
    pair,
    alerts: [...pair.events('client'), ...pair.events('server')].filter((e) => e.type === 'alert'),
    early: pair.events('server').flatMap((e) => (e.type === 'data' && e.early ? [utf8.decode(e.data)] : [])),
    reasons: pair.events('server').flatMap((e) => (e.type === 'decision' && e.topic === 'early_data' ? [e.reason] : [])),
  };
}

describe('0-RTT data under another server name than its ticket', () => {
  const fromA = ticketsFor('a.example');
  const noName = ticketsFor(undefined);

  it('the same name (spelled A.EXAMPLE): accepted (the control case)', () => {
    const { pair, alerts, early } = zeroRtt(fromA[0]!, 'A.EXAMPLE');
    expect(alerts).toEqual([]);
    expect(pair.server.info.earlyData).toBe('accepted');
    expect(early).toEqual(['pay 10']);
  });

  it('a ticket of a.example under b.example: rejected, the session still resumes, nothing delivered early', () => {
    const { pair, alerts, early, reasons } = zeroRtt(fromA[1]!, 'b.example');
    expect(alerts).toEqual([]);
    expect(pair.server.info).toMatchObject({ resumed: true, serverName: 'b.example', earlyData: 'rejected' });
    expect(early).toEqual([]);
    expect(reasons).toEqual(['the server name (SNI) differs from the original session']);
  });

  it('a ticket of a.example with no name, and a ticket of no name under a.example: rejected', () => {
    expect(zeroRtt(fromA[2]!, undefined).early).toEqual([]);
    expect(zeroRtt(noName[0]!, 'a.example').early).toEqual([]);
    expect(zeroRtt(noName[1]!, undefined).early).toEqual(['pay 10']);
  });

  // Our client sends the name as it checks it (lowercase, no trailing dot, auth/hostname.ts); another client may
  // not. Found by the second resumption attacker: the case above only ever put 'a.example' on the wire.
  /** 0-RTT with a ticket of a.example, server_name spelled `wire` in the ClientHello (the binder covers it). */
  function spelled(ticket: SessionTicket, wire: string) {
    const names = ['server_name', 'supported_versions', 'supported_groups', 'signature_algorithms', 'key_share', 'psk_key_exchange_modes', 'early_data', 'pre_shared_key'] as const;
    const extensions = names.map((n) => (n === 'server_name' ? X.ext(ExtensionType.server_name, X.serverName.encode([wire])) : n));
    const config = clientConfig('a.example', { resumption: { ticket, earlyData: utf8.encode('pay 10') }, clientHello: { extensions } });
    return new InMemoryPair(config, serverConfig()).run().events('server').flatMap((e) => (e.type === 'data' && e.early ? [utf8.decode(e.data)] : []));
  }

  it('A.EXAMPLE on the wire: accepted, DNS names compare without case (RFC 4343)', () => {
    expect(spelled(fromA[3]!, 'A.EXAMPLE')).toEqual(['pay 10']);
  });

  it("'a.example.' on the wire: the ClientHello is refused (illegal_parameter, server-name-host-name.test.ts), SNI carries no trailing dot (RFC 6066 §3)", () => {
    const fresh = new InMemoryPair(clientConfig('a.example', { random: seededRandom('early-data-server-name dot') }), serverConfig()).run();
    const ticket = fresh.events('client').flatMap((e) => (e.type === 'session-ticket' ? [e.ticket] : []))[0]!;
    expect(spelled(ticket, 'a.example.')).toEqual([]);
    // The control: the same ticket (not used for 0-RTT yet) under the name as it was issued.
    expect(spelled(ticket, 'a.example')).toEqual(['pay 10']);
  });
});
