// BoGo's TLS 1.3 client tests of addResumptionVersionTests and addSessionTicketTests (boringssl
// ssl/test/runner/resumption_tests.go), replayed against our client with the scripted server of
// anvil-server.ts (docs/bogo.md): which suite a resumption may change to, NewSessionTicket as the client reads
// it, and the ticket age and lifetime our client honours. Tickets are made by hand, their PSK known to the
// scripted server; BoGo's "-resumption-delay" becomes the ticket's receivedAt on our fixed clock.
import { describe, expect } from 'vitest';
import type { SessionTicket } from '../../src/handshake/events.js';
import { TEST_NOW } from '../../src/testing/certs.js';
import { CipherSuite, ExtensionType } from '../../src/wire/enums.js';
import * as X from '../../src/wire/extensions.js';
import { encodeHandshake } from '../../src/wire/messages.js';
import type { Extension, NewSessionTicket, ServerHello } from '../../src/wire/types.js';
import type { Abort } from '../handshake/abort-harness.js';
import { ext } from '../handshake/abort-harness.js';
import { fails, replay, SUCCEEDS } from './bogo-harness.js';
import { HANDSHAKE, ScriptedServer, type Edit } from './anvil-server.js';

const utf8 = (text: string) => new TextEncoder().encode(text);
const PSK = new Uint8Array(32).fill(0x44);
const AGE_ADD = 0xfffff000;
/** The ticket_flags extension of draft-ietf-tls-tlsflags (BoGo's SendTicketFlags), which we do not implement. */
const TICKET_FLAGS = 62;
const ticket = (extra: Partial<SessionTicket> = {}): SessionTicket => ({ lifetime: 7200, ageAdd: AGE_ADD, nonce: Uint8Array.of(0), ticket: utf8('BoGo ticket'), psk: PSK, cipherSuite: CipherSuite.TLS_AES_128_GCM_SHA256, receivedAt: TEST_NOW - 1000, serverName: 'example.test', ...extra });
const offeredPsks = (server: ScriptedServer) => {
  const found = X.findExtension(server.clientHello.extensions, ExtensionType.pre_shared_key);
  return found && X.bodyOf(X.preSharedKeyClientHello, found);
};

/** The server resumes `t` in `suite` (default: the ticket's), or answers with a full handshake when `resume` is false. */
function resumption(t: SessionTicket, options: { suite?: number; resume?: boolean } = {}) {
  const server = new ScriptedServer({ resumption: { ticket: t } });
  const edit: Edit<ServerHello> | undefined = options.suite === undefined ? undefined : (sh) => ({ ...sh, cipherSuite: options.suite! });
  if (options.resume === false) {
    const hello = server.serverHello({ edit });
    return { server, result: server.deliver(hello, server.protect(...server.authentication())) };
  }
  const hello = server.serverHello({ psk: { key: PSK }, edit });
  return { server, result: server.deliver(hello, server.protect(server.encryptedExtensions(), server.finished())) };
}

/** After a whole handshake, one NewSessionTicket with `extensions` (or the bytes `raw`). */
function newSessionTicket(extensions: Extension[], edit: (m: NewSessionTicket) => NewSessionTicket = (m) => m): Abort {
  const server = new ScriptedServer();
  server.handshake();
  const message = edit({ kind: 'new_session_ticket', lifetime: 7200, ageAdd: 1, nonce: Uint8Array.of(0), ticket: utf8('ticket'), extensions });
  return server.deliver(server.seal(HANDSHAKE, encodeHandshake(message)));
}
const issued = ({ events }: Abort) => events.flatMap((e) => (e.type === 'session-ticket' ? [e.ticket] : []));
const earlyData = (size: number) => ext(ExtensionType.early_data, X.earlyDataNewSessionTicket.encode(size));

describe('addResumptionVersionTests (TLS 1.3 client cases)', () => {
  replay([
    { name: 'Resume-Client-TLS13-TLS13-TLS', expected: SUCCEEDS, ours: 'continues', run: () => resumption(ticket()).result, check: ({ victim }) => expect([victim.info.resumed, victim.info.version]).toEqual([true, 'TLSv1.3']) },
    {
      name: 'Resume-Client-Mismatch-TLS13-TLS12-TLS',
      expected: fails(':OLD_SESSION_VERSION_NOT_RETURNED:'),
      ours: 'protocol_version',
      run: () => {
        const server = new ScriptedServer({ resumption: { ticket: ticket() } });
        return server.deliver(server.serverHello({ edit: (sh) => ({ ...sh, extensions: sh.extensions.filter((e) => e.type !== ExtensionType.supported_versions) }) }));
      },
    },
    { name: 'Resume-Client-NoResume-TLS13-TLS13-TLS', expected: SUCCEEDS, ours: 'continues', run: () => resumption(ticket(), { resume: false }).result, check: ({ victim }) => expect(victim.info.resumed).not.toBe(true) },
    // RFC 8446 §4.2.11: a PSK goes with any suite of its hash.
    { name: 'Resume-Client-CipherMismatch-TLS13', expected: SUCCEEDS, ours: 'continues', run: () => resumption(ticket(), { suite: CipherSuite.TLS_CHACHA20_POLY1305_SHA256 }).result, check: ({ victim }) => expect(victim.info.cipherSuite).toBe('TLS_CHACHA20_POLY1305_SHA256') },
    { name: 'Resume-Client-PRFMismatch-TLS13', expected: fails(':OLD_SESSION_PRF_HASH_MISMATCH:'), ours: 'illegal_parameter', run: () => resumption(ticket(), { suite: CipherSuite.TLS_AES_256_GCM_SHA384 }).result },
  ]);
});

describe('addSessionTicketTests (TLS 1.3 client cases)', () => {
  replay([
    { name: 'SendEmptySessionTicket-TLS13', expected: fails(':DECODE_ERROR:', 'decode_error'), ours: 'decode_error', run: () => newSessionTicket([], (m) => ({ ...m, ticket: new Uint8Array(0) })) },
    {
      name: 'TLS13-TestValidTicketAge-Client',
      expected: SUCCEEDS,
      ours: 'continues',
      // -resumption-delay 10: obfuscated_ticket_age = 10 000 ms + ticket_age_add mod 2^32 (RFC 8446 §4.2.11.1).
      run: () => {
        const { server, result } = resumption(ticket({ receivedAt: TEST_NOW - 10_000 }));
        expect(offeredPsks(server)!.identities[0]!.obfuscatedTicketAge).toBe((10_000 + AGE_ADD) % 2 ** 32);
        return result;
      },
    },
    { name: 'TLS13-SendTicketEarlyDataSupport', expected: SUCCEEDS, ours: 'continues', run: () => newSessionTicket([earlyData(16384)]), check: (r) => expect(issued(r).map((t) => t.maxEarlyDataSize)).toEqual([16384]) },
    { name: 'TLS13-DuplicateTicketEarlyDataSupport', expected: fails(':DUPLICATE_EXTENSION:', 'illegal_parameter'), ours: 'illegal_parameter', run: () => newSessionTicket([earlyData(16384), earlyData(16384)]) },
    {
      name: 'TLS13-HonorServerSessionTicketLifetime',
      expected: SUCCEEDS,
      ours: 'continues',
      run: () => {
        const { server, result } = resumption(ticket({ lifetime: 20, receivedAt: TEST_NOW - 19_000 }));
        expect(offeredPsks(server)).toBeDefined();
        return result;
      },
    },
    {
      name: 'TLS13-HonorServerSessionTicketLifetime-2',
      expected: SUCCEEDS,
      ours: 'continues',
      // ExpectNoTLS13PSK: 21 s after a 20 s lifetime the ticket is not offered; the server answers in full.
      run: () => {
        const { server, result } = resumption(ticket({ lifetime: 20, receivedAt: TEST_NOW - 21_000 }), { resume: false });
        expect(offeredPsks(server)).toBeUndefined();
        return result;
      },
    },
    // draft-ietf-tls-tlsflags: flags 1, 31, 100, 2039 in one bit string of 255 bytes (the highest flag is 8 * 255 - 1).
    ...[[1], [31], [100], [2039], [1, 31, 100, 2039]].map((flags, i) => ({
      name: `TLS13-Client-UnknownTicketFlags-${i}`,
      expected: SUCCEEDS,
      ours: 'continues' as const,
      run: () => newSessionTicket([ext(TICKET_FLAGS, flagBits(flags))]),
      check: (r: Abort) => expect(issued(r)).toHaveLength(1),
    })),
    {
      name: 'TLS13-Client-NonminimalTicketFlags',
      expected: fails(':DECODE_ERROR:', 'illegal_parameter'),
      ours: 'continues',
      divergence: 'we implement no ticket flags: an unknown NewSessionTicket extension is ignored (RFC 8446 §4.6.1), so its encoding is never judged',
      run: () => newSessionTicket([ext(TICKET_FLAGS, [2, 0x02, 0x00])]),
    },
    {
      name: 'TLS13-Client-EmptyTicketFlags',
      expected: fails(':DECODE_ERROR:', 'decode_error'),
      ours: 'continues',
      divergence: 'as above',
      run: () => newSessionTicket([ext(TICKET_FLAGS, [0])]),
    },
  ]);
});

/** The FlagExtensionValue bit string (draft-ietf-tls-tlsflags §2): flag n is bit n % 8 of byte n / 8, minimal length. */
function flagBits(flags: number[]): number[] {
  const bytes = new Array<number>(Math.floor(Math.max(...flags) / 8) + 1).fill(0);
  for (const flag of flags) bytes[Math.floor(flag / 8)]! |= 1 << flag % 8;
  return [bytes.length, ...bytes];
}
