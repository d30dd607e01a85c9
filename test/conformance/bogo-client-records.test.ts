// BoGo's TLS client tests of addKeyUpdateTests (boringssl ssl/test/runner/key_update_tests.go), replayed
// against our client after a whole handshake with the scripted server (anvil-server.ts, docs/bogo.md). The
// DTLS cases of the same function (ACKs, epochs) have no counterpart in TLS.
import { describe, expect } from 'vitest';
import { encodeHandshake } from '../../src/wire/messages.js';
import type { HandshakeMessage } from '../../src/wire/types.js';
import { fails, replay, SUCCEEDS } from './bogo-harness.js';
import { APPLICATION_DATA, HANDSHAKE, ScriptedServer } from './anvil-server.js';

const utf8 = (text: string) => new TextEncoder().encode(text);
const keyUpdate = (request: number) => encodeHandshake({ kind: 'key_update', requestUpdate: request });
const UPDATE_NOT_REQUESTED = 0;
const UPDATE_REQUESTED = 1;
const kinds = (messages: HandshakeMessage[]) => messages.map((m) => m.kind);

/** After the handshake, `count` KeyUpdates with `request`, each followed by the server's next keys (§7.2), then data. */
function keyUpdates(server: ScriptedServer, count: number, request: number) {
  server.handshake();
  const records: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    records.push(server.seal(HANDSHAKE, keyUpdate(request)));
    server.nextKeys();
  }
  return server.deliver(...records, server.seal(APPLICATION_DATA, utf8('after the updates')));
}

describe('addKeyUpdateTests', () => {
  replay([
    {
      name: 'KeyUpdate-ToClient',
      expected: SUCCEEDS,
      ours: 'continues',
      run: () => {
        const server = new ScriptedServer();
        const result = keyUpdates(server, 10, UPDATE_NOT_REQUESTED);
        // Nothing asked of us: no KeyUpdate of ours (§4.6.3).
        expect(kinds(server.clientMessages)).toEqual(['finished']);
        return result;
      },
      check: ({ events }) => expect(events).toContainEqual({ type: 'data', data: utf8('after the updates') }),
    },
    {
      name: 'KeyUpdate-FromClient',
      expected: SUCCEEDS,
      ours: 'continues',
      // -key-update: the shim sends an unsolicited KeyUpdate, then its data under the next keys.
      run: () => {
        const server = new ScriptedServer();
        server.handshake();
        server.client.updateKeys();
        server.client.write(utf8('after our update'));
        const result = server.deliver(server.seal(APPLICATION_DATA, utf8('reply')));
        expect(server.clientMessages.at(-1)).toEqual({ kind: 'key_update', requestUpdate: UPDATE_NOT_REQUESTED });
        return result;
      },
      check: ({ events }) => expect(events).toContainEqual({ type: 'data', data: utf8('reply') }),
    },
    // §4.6.3: "If an implementation receives any other value, it MUST terminate the connection with an "illegal_parameter" alert."
    { name: 'KeyUpdate-InvalidRequestMode', expected: fails(':DECODE_ERROR:'), ours: 'illegal_parameter', run: () => keyUpdates(new ScriptedServer(), 1, 42) },
    {
      name: 'KeyUpdate-Requested',
      expected: SUCCEEDS,
      ours: 'continues',
      // Five requests in a row: every KeyUpdate of ours answers one (RejectUnsolicitedKeyUpdate), update_not_requested (§4.6.3).
      run: () => {
        const server = new ScriptedServer();
        const result = keyUpdates(server, 5, UPDATE_REQUESTED);
        const ours = server.clientMessages.slice(1);
        expect(ours.length).toBeGreaterThanOrEqual(1);
        expect(ours.length).toBeLessThanOrEqual(5);
        expect(ours.every((m) => m.kind === 'key_update' && m.requestUpdate === UPDATE_NOT_REQUESTED)).toBe(true);
        return result;
      },
      check: ({ events }) => expect(events).toContainEqual({ type: 'data', data: utf8('after the updates') }),
    },
  ]);
});
