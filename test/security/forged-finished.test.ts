// Attacker's script against the Finished check (RFC 8446 §4.4.4), whose expected verify_data is computed into
// memory lent to one comparison and wiped after it (finishedVerifyDataMatches, src/handshake/keyschedule.ts):
// memory shared by every connection of the process, all zeros whenever no comparison runs. Were the comparison
// ever made against that memory before the MAC is written (or after the wipe), a Finished of all zeros would
// pass; were the wipe missing, the previous comparison's value would. Either is the loss of the check. The
// attacker (holding the handshake or application keys of its own side) sends, in every position a Finished
// is checked, all zeros, the verify_data of the same position in the previous connection, and the other
// side's verify_data of this connection: each is refused with decrypt_error, nobody authenticated, nothing
// connected; with the noble and the node provider.
import { describe, expect, it } from 'vitest';
import { nobleProvider } from '../../src/crypto/noble.js';
import type { CryptoProvider } from '../../src/crypto/provider.js';
import { seededRandom } from '../../src/crypto/random.js';
import type { ClientConfig, ServerConfig } from '../../src/handshake/config.js';
import type { Role, SessionTicket, TlsEvent } from '../../src/handshake/events.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { nodeCryptoProvider } from '../../src/node/crypto.js';
import { makeIdentity, TEST_NOW } from '../../src/testing/certs.js';
import { announcedSecret, editProtectedHandshake, suiteNamed } from '../../src/testing/tamper.js';

const server = makeIdentity({ subject: { CN: 'server' } }, seededRandom('forged finished: server'));
const alice = makeIdentity({ subject: { CN: 'alice' } }, seededRandom('forged finished: alice'));
const ticketKey = seededRandom('forged finished: ticket key')(32);
const now = () => TEST_NOW;

type Position = 'server Finished' | 'client Finished' | 'server Finished, resumed' | 'client Finished, resumed' | 'client Finished, post-handshake';
type Forgery = 'all zeros' | "the previous connection's" | "the other side's of this connection";

function configs(provider: CryptoProvider, seed: string, ticket?: SessionTicket, checker?: { role: Role; provider: CryptoProvider }): [ClientConfig, ServerConfig] {
  const providerOf = (role: Role) => (checker?.role === role ? checker.provider : provider);
  return [
    {
      provider: providerOf('client'),
      now,
      random: seededRandom(`${seed}/client`),
      trust: { kind: 'pinned-certificate', certificates: [server.der] },
      certificate: alice,
      postHandshakeAuth: true,
      ...(ticket ? { resumption: { ticket } } : {}),
    },
    { provider: providerOf('server'), now, random: seededRandom(`${seed}/server`), certificate: server, trust: { kind: 'pinned-certificate', certificates: [alice.der] }, tickets: { count: 1, key: ticketKey } },
  ];
}

const finishedOf = (events: TlsEvent[], direction: 'in' | 'out'): Uint8Array[] =>
  events.flatMap((e) => (e.type === 'handshake-message' && e.direction === direction && e.message.kind === 'finished' ? [e.message.verifyData] : []));

function ticketOf(pair: InMemoryPair): SessionTicket {
  const event = pair.events('client').find((e) => e.type === 'session-ticket');
  if (event?.type !== 'session-ticket') throw new Error('no ticket');
  return event.ticket;
}

/** Who checks the Finished in this position, and which of its Finished (in order) that is. */
const checkedBy = (position: Position): { checker: Role; sender: Role; index: number } =>
  position.startsWith('server') ? { checker: 'client', sender: 'server', index: 0 } : { checker: 'server', sender: 'client', index: position.endsWith('post-handshake') ? 1 : 0 };

/**
 * A connection in `position`, the Finished there replaced by `forge(pair)` (undefined: left as it is). The
 * flight carrying it is edited under its sender's keys, which the attacker holds.
 */
function run(provider: CryptoProvider, position: Position, seed: string, forge: ((pair: InMemoryPair) => Uint8Array) | undefined, checkerProvider?: CryptoProvider): InMemoryPair {
  const resumed = position.includes('resumed');
  const ticket = resumed ? ticketOf(new InMemoryPair(...configs(provider, `${seed}/first`)).run()) : undefined;
  const { sender } = checkedBy(position);
  const postHandshake = position.endsWith('post-handshake');
  const secret = postHandshake ? 'client_application_traffic_secret_0' : sender === 'server' ? 'server_handshake_traffic_secret' : 'client_handshake_traffic_secret';
  // The flight carrying it: the server's first; the client's second (after its ClientHello), or third (its
  // answer to the post-handshake CertificateRequest).
  const flightIndex = sender === 'server' ? 0 : postHandshake ? 2 : 1;
  let flights = 0;
  let edited = false;
  const holder: { pair?: InMemoryPair } = {};
  const checker = checkerProvider ? { role: checkedBy(position).checker, provider: checkerProvider } : undefined;
  const pair = new InMemoryPair(...configs(provider, seed, ticket, checker), {
    tamper: (flight) => {
      if (flight.from !== sender || flights++ !== flightIndex || !forge) return flight.bytes;
      const pair = holder.pair!;
      const keys = { suite: suiteNamed(pair.server.info.cipherSuite), secret: announcedSecret(pair.events(sender), secret) };
      const forged = forge(pair);
      return editProtectedHandshake(flight.bytes, keys, (messages) =>
        messages.map((m) => {
          if (m.kind !== 'finished') return m;
          edited = true;
          return { ...m, verifyData: forged };
        }),
      );
    },
  });
  holder.pair = pair;
  pair.run();
  if (postHandshake && pair.server.isConnected) {
    pair.server.requestClientCertificate();
    pair.run();
  }
  if (forge) expect(edited).toBe(true);
  return pair;
}

const alertsSent = (events: TlsEvent[]) => events.flatMap((e) => (e.type === 'alert' && e.direction === 'out' ? [`${e.level} ${e.description}`] : []));

const POSITIONS: Position[] = ['server Finished', 'client Finished', 'server Finished, resumed', 'client Finished, resumed', 'client Finished, post-handshake'];

describe.each([
  ['noble', nobleProvider],
  ['node', nodeCryptoProvider],
])('a forged Finished (%s provider)', (_name, provider) => {
  describe.each(POSITIONS)('as the %s', (position) => {
    const { checker, sender, index } = checkedBy(position);
    let honestPair: InMemoryPair | undefined;
    const honest = () => (honestPair ??= run(provider, position, 'honest', undefined));

    it('the control: honest, both connected, the Finished in place and checked', () => {
      const pair = honest();
      expect(pair.client.isConnected && pair.server.isConnected).toBe(true);
      expect(alertsSent(pair.events(checker))).toEqual([]);
      expect(finishedOf(pair.events(checker), 'in')[index]).toHaveLength(32);
      if (position.endsWith('post-handshake')) expect(pair.events('server').some((e) => e.type === 'post-handshake-auth')).toBe(true);
    });

    const forgeries: Array<[Forgery, (pair: InMemoryPair) => Uint8Array]> = [
      ['all zeros', () => new Uint8Array(32)],
      ["the previous connection's", () => finishedOf(honest().events(sender), 'out')[index]!],
      ["the other side's of this connection", (pair) => finishedOf(pair.events(checker), 'out').at(-1) ?? new Uint8Array(32).fill(1)],
    ];
    it.each(forgeries)('%s: refused with decrypt_error, nobody authenticated', (_forgery, forge) => {
      const pair = run(provider, position, 'attacked', forge);
      const victim = pair.connection(checker);
      expect(alertsSent(pair.events(checker))).toEqual(['fatal decrypt_error']);
      expect(victim.state).toBe('CLOSED');
      if (checker === 'client') expect(victim.info.peer).toBeUndefined();
      expect(pair.events('server').some((e) => e.type === 'post-handshake-auth')).toBe(false);
      if (!position.endsWith('post-handshake')) expect(pair.events(checker).some((e) => e.type === 'connected')).toBe(false);
    });
  });
});

/**
 * A provider (a wrapper, say) that passes hmac's `output` to one that ignores it and hands `output` back
 * unwritten: against provider.ts, and it completes no honest handshake; but the verify_data the engine expects
 * would be whatever the lent memory held, zeros after its wipe, and the attacker's Finished of zeros would be
 * taken (as it was, before the memory was filled with what cannot match). The engine fails closed instead.
 */
function handingBackOutputUnwritten(inner: CryptoProvider): CryptoProvider {
  return {
    ...inner,
    hmac(hash, key, data, output) {
      const mac = inner.hmac(hash, key, data);
      return output ?? mac;
    },
  };
}

describe.each([
  ['noble', nobleProvider],
  ['node', nodeCryptoProvider],
])('a Finished of all zeros checked by a provider that hands hmac output back unwritten (%s)', (_name, provider) => {
  // (Not the post-handshake Finished: such a server refuses every client's Finished of the handshake before.)
  it.each(['server Finished', 'client Finished'] as Position[])('as the %s: refused with decrypt_error', (position) => {
    const { checker } = checkedBy(position);
    const pair = run(provider, position, 'careless', () => new Uint8Array(32), handingBackOutputUnwritten(provider));
    expect(alertsSent(pair.events(checker))).toEqual(['fatal decrypt_error']);
    expect(pair.connection(checker).state).toBe('CLOSED');
    expect(pair.events('server').some((e) => e.type === 'post-handshake-auth')).toBe(false);
    if (!position.endsWith('post-handshake')) expect(pair.events(checker).some((e) => e.type === 'connected')).toBe(false);
  });
});
