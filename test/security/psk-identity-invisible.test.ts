// Attacker's script: an external PSK identity is opaque bytes (RFC 8446 §4.2.11), and some deployments let a
// device choose its own at enrolment. The name the server reports (`info.peer.identity`), which its log, `tls13
// serve`'s page and the trace print, was the identity's UTF-8 text whenever it was valid UTF-8 made of code
// units from U+0020 up: mallory enrolled "alice" followed by a zero-width space, and was logged as "alice";
// "\u202E" (right-to-left override) made "ecila" read "alice"; a line separator broke the log line; tag
// characters (U+E0000 block) and a no-break space hid in the name too, and a decomposed accent made other bytes
// read as an enrolled name. A name holding a character nobody sees as itself, or not in NFC, is now reported in
// hex, as a binary identity is. The identity bytes were never confused (each PSK's key is its own), only the
// name a person reads.
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/crypto/random.js';
import type { ExternalPsk } from '../../src/handshake/external-psk.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { TEST_NOW } from '../../src/testing/certs.js';
import { hex, utf8 } from '../../src/wire/bytes.js';

const now = () => TEST_NOW;
let keyByte = 0x10;
const psk = (identity: string): ExternalPsk => ({ identity, key: new Uint8Array(16).fill(keyByte++) });

const alice = psk('alice');
/** Mallory's own PSKs, each provisioned under a name she chose that reads as (or breaks around) "alice". */
const disguised = {
  'a zero-width space': psk('alice\u200b'),
  'a right-to-left override': psk('\u202eecila'),
  'a line separator': psk('alice\u2028127.0.0.1:9: client alice'),
  'a tag character': psk('alice\u{e0041}'),
  'a no-break space': psk('alice\u00a0'),
  'a variation selector': psk('alice\ufe0f'),
  'a decomposed accent (not NFC: reads as the "Zoë Müller" below)': psk('Zoe\u0308 Müller'),
};
/** Names in other scripts, with spaces and accents: what people really enrol, shown as themselves. */
const readable = [psk('Zoë Müller'), psk('設備-7'), psk('bob the builder')];

function reportedAs(holder: ExternalPsk): string | undefined {
  const server = { now, random: seededRandom('invisible psk server'), externalPsks: { keys: [alice, ...Object.values(disguised), ...readable] } };
  const client = { now, random: seededRandom('invisible psk client'), externalPsks: { keys: [holder] } };
  const pair = new InMemoryPair(client, server).run();
  const peer = pair.server.info.peer;
  return peer?.kind === 'psk' ? peer.identity : undefined;
}

describe('an external PSK identity holding characters nobody sees as themselves', () => {
  it('the control: "alice" is reported as alice, and names in other scripts as themselves', () => {
    expect(reportedAs(alice)).toBe('alice');
    for (const holder of readable) expect(reportedAs(holder)).toBe(holder.identity);
  });

  for (const [what, holder] of Object.entries(disguised)) {
    it(`with ${what}: reported in hex, never as text that reads like a name enrolled before`, () => {
      expect(reportedAs(holder)).toBe(`hex:${hex(utf8.encode(holder.identity as string))}`);
    });
  }
});
