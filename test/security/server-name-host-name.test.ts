// Attacker: a client that writes into server_name what RFC 6066 §3 says a HostName never is. "Literal IPv4
// and IPv6 addresses are not permitted in HostName": the server acknowledged 127.0.0.1 in EncryptedExtensions,
// reported it as `info.serverName` (the node adapter's `servername`, what `tls13 serve` logs as the name the
// client asked for) and sealed it into the session's tickets as a host name. A trailing dot, a name no DNS
// name can be (spaces, '$', an empty label, a 64-byte label, 254 bytes), one that ends in a number, and an
// upper-case spelling of the name were each taken as they came. Now, as rustls: an IP literal is ignored (as
// if no server_name had been sent), a name that is no DNS name is illegal_parameter (Go refuses the trailing
// dot), and a DNS name is lowercased (RFC 4343), so every later comparison sees one spelling.
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/crypto/random.js';
import type { ClientConfig, ServerConfig } from '../../src/handshake/config.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { DAY, makeIdentity, TEST_NOW } from '../../src/testing/certs.js';
import { ExtensionType } from '../../src/wire/enums.js';
import * as X from '../../src/wire/extensions.js';

const serverIdentity = makeIdentity({ subject: { CN: 'server' }, sans: { dns: ['a.example'], ip: ['127.0.0.1'] } }, seededRandom('sni server'));
const serverConfig: ServerConfig = { certificate: serverIdentity, now: () => TEST_NOW, random: seededRandom('sni s'), tickets: { count: 1 } };

/** A handshake whose ClientHello carries `wire` as its server_name, byte for byte. */
function offering(wire: string) {
  const names = ['server_name', 'supported_versions', 'supported_groups', 'signature_algorithms', 'key_share'] as const;
  const extensions = names.map((n) => (n === 'server_name' ? X.ext(ExtensionType.server_name, X.serverName.encode([wire])) : n));
  const client: ClientConfig = {
    trust: { kind: 'pinned-certificate', certificates: [serverIdentity.der] },
    now: () => TEST_NOW,
    random: seededRandom('sni c'),
    serverName: 'a.example',
    clientHello: { extensions },
  };
  const pair = new InMemoryPair(client, serverConfig).run();
  const server = pair.events('server');
  return {
    pair,
    alerts: server.flatMap((e) => (e.type === 'alert' && e.direction === 'out' ? [e.description] : [])),
    acknowledged: server.some((e) => e.type === 'handshake-message' && e.direction === 'out' && e.message.kind === 'encrypted_extensions' && e.message.extensions.some((x) => x.type === ExtensionType.server_name)),
    decisions: server.flatMap((e) => (e.type === 'decision' && e.topic === 'server_name' ? [e.value] : [])),
  };
}

describe('the server reads server_name as RFC 6066 §3 defines HostName', () => {
  it('a.example: acknowledged and reported (the control)', () => {
    const r = offering('a.example');
    expect(r.alerts).toEqual([]);
    expect(r.acknowledged).toBe(true);
    expect(r.pair.server.info.serverName).toBe('a.example');
  });

  for (const ip of ['127.0.0.1', '::1', '[::1]', '0:0:0:0:0:0:0:1']) {
    it(`the IP literal ${ip}: not acknowledged, not reported (nor sealed in tickets, which take info.serverName); the handshake goes on`, () => {
      const r = offering(ip);
      expect(r.alerts).toEqual([]);
      expect(r.pair.server.isConnected).toBe(true);
      expect(r.acknowledged).toBe(false);
      expect(r.pair.server.info.serverName).toBeUndefined();
      expect(r.decisions).toEqual(['ignored']);
    });
  }

  it('A.EXAMPLE: the same DNS name (RFC 4343), reported lowercased', () => {
    const r = offering('A.Example');
    expect(r.alerts).toEqual([]);
    expect(r.acknowledged).toBe(true);
    expect(r.pair.server.info.serverName).toBe('a.example');
  });

  const notHostNames = {
    'a trailing dot': 'a.example.',
    'a space': 'a example',
    'a dollar sign': 'a$.example',
    'an empty label': 'a..example',
    'a wildcard': '*.example',
    'a 64-byte label': `${'a'.repeat(64)}.example`,
    '254 bytes': `${'a.'.repeat(126)}ab`,
    'a last label that is a number (127.1 reads as 127.0.0.1)': '127.1',
  };
  for (const [what, wire] of Object.entries(notHostNames)) {
    it(`${what}: illegal_parameter, nothing acknowledged or reported`, () => {
      const r = offering(wire);
      expect(r.alerts).toEqual(['illegal_parameter']);
      expect(r.pair.server.isConnected).toBe(false);
      expect(r.pair.server.info.serverName).toBeUndefined();
    });
  }

  it('253 bytes in 63-byte labels: a DNS name at its longest, accepted (the bound is not off by one)', () => {
    const longest = [61, 63, 63, 63].map((n, i) => String.fromCharCode(97 + i).repeat(n)).join('.');
    expect(longest.length).toBe(253);
    expect(offering(longest).pair.server.info.serverName).toBe(longest);
  });
});

describe('a client connecting to an IP address', () => {
  const certificateFor = (sans: { dns?: string[]; ip?: string[] }) =>
    makeIdentity({ subject: { CN: 'server' }, sans, notBefore: TEST_NOW - DAY, notAfter: TEST_NOW + DAY }, seededRandom(`sni ${JSON.stringify(sans)}`));
  const connectTo = (serverName: string, certificate: ReturnType<typeof certificateFor>) =>
    new InMemoryPair(
      { trust: { kind: 'ca', anchors: [certificate.der] }, now: () => TEST_NOW, random: seededRandom('sni ip c'), serverName },
      { certificate, now: () => TEST_NOW, random: seededRandom('sni ip s') },
    ).run();

  it('sends no server_name and is checked against the iPAddress name: a certificate whose dNSName spells 127.0.0.1 is refused', () => {
    const pair = connectTo('127.0.0.1', certificateFor({ dns: ['127.0.0.1'] }));
    const hello = pair.events('client').find((e) => e.type === 'handshake-message' && e.direction === 'out' && e.message.kind === 'client_hello');
    expect(hello?.type === 'handshake-message' && hello.message.kind === 'client_hello' && hello.message.extensions.some((x) => x.type === ExtensionType.server_name)).toBe(false);
    expect(pair.client.isConnected).toBe(false);
    expect(pair.events('client').flatMap((e) => (e.type === 'alert' && e.direction === 'out' ? [e.description] : []))).toEqual(['bad_certificate']);
  });

  it('connects when the certificate names 127.0.0.1 as an iPAddress (the control)', () => {
    const pair = connectTo('127.0.0.1', certificateFor({ ip: ['127.0.0.1'] }));
    expect(pair.client.isConnected).toBe(true);
    expect(pair.server.info.serverName).toBeUndefined();
  });
});
