// Attacker's scripts: a peer chooses the names in its certificate, and `tls13 connect` prints them, as
// `tls13 serve` logs them in a failed handshake's line. A name with a line feed forged a whole log line
// (an address, "client CN=admin"); one with ESC drove the terminal (ESC[2J cleared the screen; OSC
// sequences set titles or the clipboard). The RFC 4514 text of a name now escapes control characters as
// its UTF-8 octets (§2.4: "\0a", "\1b"), and so do host names from subjectAltName in errors.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCertificate } from '../../src/auth/x509.js';
import { seededRandom } from '../../src/crypto/random.js';
import { makeIdentity } from '../../src/testing/certs.js';
import { runCli, startServe } from '../cli/helpers.js';

const FORGED = 'mallory\n127.0.0.1:9: client CN=admin\x1b[2J\x9b';
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/;

const dir = mkdtempSync(join(tmpdir(), 'tls13-name-injection-'));
const file = (name: string) => join(dir, name);
beforeAll(async () => {
  const cert = (name: string, ...flags: string[]) => runCli(['cert', '--out-cert', file(`${name}.pem`), '--out-key', file(`${name}.key`), '--type', 'p256', ...flags]);
  await cert('server', '--dns', 'localhost', '--cn', FORGED);
  await cert('ca', '--cn', 'Client CA', '--ca');
  await cert('mallory', '--cn', FORGED, '--eku', 'clientAuth');
}, 30_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a certificate name with control characters', () => {
  it('reads as RFC 4514 text with each control character escaped as its UTF-8 octets', () => {
    const { certificate } = makeIdentity({ subject: { CN: FORGED }, keyType: 'p256' }, seededRandom('names'));
    expect(certificate.subject.text).toBe('CN=mallory\\0a127.0.0.1:9: client CN=admin\\1b[2J\\c2\\9b');
    expect(certificate.subject.rdns[0]![0]!.value).toBe(FORGED);
    expect(parseCertificate(certificate.der).issuer.text).not.toMatch(CONTROL);
  });

  it('with a leading byte order mark does not read as the name without it (TextDecoder dropped it: "CN=alice")', () => {
    const { certificate } = makeIdentity({ subject: { CN: '\ufeffalice' }, keyType: 'p256' }, seededRandom('names'));
    expect(certificate.subject.rdns[0]![0]!.value).toBe('\ufeffalice');
    expect(certificate.subject.text).toBe('CN=\\ef\\bb\\bfalice');
  });

  it('with invisible or direction-changing characters shows them as octets (a right-to-left override reorders what a terminal shows)', () => {
    const { certificate } = makeIdentity({ subject: { CN: 'bob\u202eecila\u200b' }, keyType: 'p256' }, seededRandom('names'));
    expect(certificate.subject.text).toBe('CN=bob\\e2\\80\\aeecila\\e2\\80\\8b');
  });

  it('never reaches the terminal of `tls13 connect`, trusted or not', async () => {
    const server = await startServe(['--cert', file('server.pem'), '--key', file('server.key')]);
    try {
      const pinned = await runCli(['connect', `127.0.0.1:${server.port}`, '--servername', 'localhost', '--pin-cert', file('server.pem')]);
      expect(pinned.stdout).toContain('server: CN=mallory\\0a127.0.0.1:9: client CN=admin\\1b[2J\\c2\\9b');
      const untrusted = await runCli(['connect', `127.0.0.1:${server.port}`, '--servername', 'localhost', '--ca', file('ca.pem')]);
      expect(untrusted.stderr).toContain('no trust anchor issued the chain of "CN=mallory\\0a127.0.0.1');
      // What connect says of the connection, up to the blank line; after it, the server's reply as it came.
      const summary = pinned.stdout.split('\n\n')[0]!;
      for (const output of [summary, pinned.stderr, untrusted.stdout, untrusted.stderr]) expect(output).not.toMatch(CONTROL);
      expect(untrusted.stderr.split('\n').filter(Boolean)).toHaveLength(1);
    } finally {
      await server.stop();
    }
  }, 20_000);

  it("forges no line in `tls13 serve`'s log of a client it refused", async () => {
    const server = await startServe(['--cert', file('server.pem'), '--key', file('server.key'), '--client-ca', file('ca.pem')]);
    try {
      await runCli(['connect', `127.0.0.1:${server.port}`, '--servername', 'localhost', '--pin-cert', file('server.pem'), '--cert', file('mallory.pem'), '--key', file('mallory.key')]);
      await new Promise((resolve) => setTimeout(resolve, 200));
    } finally {
      await server.stop();
    }
    const lines = server.stderr.text.split('\n').filter(Boolean);
    expect(lines).toEqual([expect.stringMatching(/^127\.0\.0\.1:\d+: handshake failed: we sent unknown_ca \(no trust anchor issued the chain of "CN=mallory\\0a127/)]);
    expect(server.stderr.text).not.toMatch(CONTROL);
  }, 20_000);

  it('in a subjectAltName DNS name: escaped in the name-mismatch error', async () => {
    await runCli(['cert', '--out-cert', file('san.pem'), '--out-key', file('san.key'), '--type', 'p256', '--dns', 'evil\x1b[2J.example']);
    const server = await startServe(['--cert', file('san.pem'), '--key', file('san.key')]);
    try {
      const out = await runCli(['connect', `127.0.0.1:${server.port}`, '--servername', 'localhost', '--ca', file('san.pem')]);
      expect(out.stderr).toContain("DNS names [evil\\1b[2J.example]");
      expect(out.stderr).not.toMatch(CONTROL);
    } finally {
      await server.stop();
    }
  }, 20_000);
});
