// Attacker's scripts for hole 3 of issue 11: a man in the middle holding *any* certificate that chains to a
// CA the client trusts (issued for evil.example) must not pass for the server the client meant to reach,
// whether that server is named by a DNS name or an IP address. The reference identity is the name the
// client meant (RFC 6125 §6, RFC 9525); IP literals are matched against iPAddress SANs and never sent as
// SNI (RFC 6066 §3). A CA policy without a reference identity is a configuration error.
import { once } from 'node:events';
import * as tls from 'node:tls';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { toPem } from '../../src/auth/pem.js';
import type { TrustPolicy } from '../../src/auth/trust.js';
import { seededRandom } from '../../src/crypto/random.js';
import type { ClientConfig, ServerConfig } from '../../src/handshake/config.js';
import { Connection } from '../../src/handshake/connection.js';
import type { TlsEvent } from '../../src/handshake/events.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { connect, createServer, type Tls13Server } from '../../src/node/adapter.js';
import { DAY, makeIdentity, TEST_NOW, type Identity } from '../../src/testing/certs.js';
import { scratchDirectory } from '../../src/testing/interop.js';
import { ExtensionType } from '../../src/wire/enums.js';
import { runCli } from '../cli/helpers.js';
import { listen, nextError } from '../node/fixtures.js';

const random = seededRandom('server-identity attacker');
// Valid around both the fixed test clock and the real one (the adapter and the CLI use Date.now).
const validity = { notBefore: Math.min(TEST_NOW, Date.now()) - 30 * DAY, notAfter: Math.max(TEST_NOW, Date.now()) + 365 * DAY };
const ca = makeIdentity({ subject: { CN: 'trusted CA' }, keyType: 'p256', isCA: true, keyUsage: ['keyCertSign'], ...validity }, random);
const leaf = (sans: { dns?: string[]; ip?: string[] }, cn: string): Identity =>
  makeIdentity({ subject: { CN: cn }, issuer: ca, sans, extKeyUsage: ['serverAuth'], keyType: 'p256', ...validity }, random);
/** What the attacker holds: a real certificate from the trusted CA, for its own name. */
const evil = leaf({ dns: ['evil.example'] }, 'evil.example');
const victim = leaf({ dns: ['victim.example'] }, 'victim.example');
const loopback4 = leaf({ ip: ['127.0.0.1'] }, 'loopback v4');
const loopback6 = leaf({ ip: ['::1'] }, 'loopback v6');
const caPolicy: TrustPolicy = { kind: 'ca', anchors: [ca.der] };

function clientConfig(extra: Partial<ClientConfig>): ClientConfig {
  return { trust: caPolicy, now: () => TEST_NOW, random: seededRandom('c'), ...extra };
}
const serverConfig = (certificate: Identity): ServerConfig => ({ certificate, now: () => TEST_NOW, random: seededRandom('s') });

function alertsSent(events: TlsEvent[]): string[] {
  return events.flatMap((e) => (e.type === 'alert' && e.direction === 'out' ? [e.description] : []));
}

function clientHelloOf(pair: InMemoryPair) {
  const sent = pair.events('client').find((e) => e.type === 'handshake-message' && e.direction === 'out' && e.message.kind === 'client_hello');
  if (sent?.type !== 'handshake-message' || sent.message.kind !== 'client_hello') throw new Error('no ClientHello');
  return sent.message;
}

describe('engine: the certificate must name the server the client meant', () => {
  for (const [serverName, presented] of [
    ['127.0.0.1', evil],
    ['::1', evil],
    ['victim.example', evil],
    ['127.0.0.1', loopback6],
    ['::1', loopback4],
    ['127.0.0.2', loopback4],
  ] as const) {
    it(`a CA-signed certificate for ${presented.certificate.subject.text} presented to a client expecting ${serverName}: bad_certificate, no identity`, () => {
      const pair = new InMemoryPair(clientConfig({ serverName }), serverConfig(presented)).run();
      expect(pair.client.isConnected).toBe(false);
      expect(alertsSent(pair.events('client'))).toEqual(['bad_certificate']);
      expect(pair.client.info.peer).toBeUndefined();
      expect(pair.events('client').some((e) => e.type === 'connected' || e.type === 'data')).toBe(false);
    });
  }

  for (const [serverName, presented] of [
    ['127.0.0.1', loopback4],
    ['::1', loopback6],
    ['0:0:0:0:0:0:0:1', loopback6],
    ['[::1]', loopback6],
    ['victim.example', victim],
    ['VICTIM.example.', victim],
  ] as const) {
    it(`accepts the certificate whose SAN names ${serverName} (control)`, () => {
      const pair = new InMemoryPair(clientConfig({ serverName }), serverConfig(presented)).run();
      expect(pair.client.isConnected).toBe(true);
      expect(pair.client.info.peer?.verdict.rule).toBe('ca');
    });
  }

  for (const serverName of ['127.0.0.1', '::1', '0:0:0:0:0:0:0:1', '[::1]']) {
    it(`does not send the IP literal ${serverName} as SNI (RFC 6066 §3)`, () => {
      const pair = new InMemoryPair(clientConfig({ serverName }), serverConfig(serverName.includes('.') ? loopback4 : loopback6)).run();
      expect(clientHelloOf(pair).extensions.some((e) => e.type === ExtensionType.server_name)).toBe(false);
      expect(pair.server.info.serverName).toBeUndefined();
    });
  }

  it('sends a DNS name as SNI', () => {
    const pair = new InMemoryPair(clientConfig({ serverName: 'victim.example' }), serverConfig(victim)).run();
    expect(clientHelloOf(pair).extensions.some((e) => e.type === ExtensionType.server_name)).toBe(true);
  });
});

describe('engine: a CA policy needs a reference identity', () => {
  for (const trust of [caPolicy, { kind: 'any-of', policies: [{ kind: 'pinned-key', keys: [evil.certificate.spki] }, caPolicy] }] satisfies TrustPolicy[]) {
    it(`Connection.client with a ${trust.kind} policy and no serverName throws a one-line TypeError before anything is sent`, () => {
      let thrown: unknown;
      try {
        Connection.client(clientConfig({ trust }));
      } catch (e) {
        thrown = e;
      }
      expect(thrown).toBeInstanceOf(TypeError);
      expect((thrown as Error).message).toMatch(/serverName/);
      expect((thrown as Error).message).not.toContain('\n');
    });
  }

  for (const serverName of ['', 'exa mple.com', 'a..b', 'http://victim.example', '1.2.3.4:443', 'bücher.example']) {
    it(`rejects the reference identity ${JSON.stringify(serverName)} with a TypeError`, () => {
      expect(() => Connection.client(clientConfig({ serverName }))).toThrow(TypeError);
    });
  }

  // An IPv4 address in a form other than the dotted quad ("127.1", "0x7f.0.0.1", "2130706433", octal "0177.0.0.1")
  // is an IP address to the resolver (inet_aton, WHATWG URL "ends in a number"), so it cannot be a DNS name either:
  // matched against dNSName SANs, a CA's certificate for the DNS name "010.0.0.1" would pass for the host 8.0.0.1.
  // rustls-webpki refuses a reference identity whose last label is all digits.
  for (const serverName of ['127.1', '0x7f.0.0.1', '2130706433', '0177.0.0.1', '010.0.0.1', '127.0.0.1.', '0x7f', '1.2.3.4.5']) {
    it(`rejects ${JSON.stringify(serverName)}, an IPv4 address in a non-canonical form, with a one-line TypeError`, () => {
      let thrown: unknown;
      try {
        Connection.client(clientConfig({ serverName }));
      } catch (e) {
        thrown = e;
      }
      expect(thrown).toBeInstanceOf(TypeError);
      expect((thrown as Error).message).toMatch(/dotted quad/);
      expect((thrown as Error).message).not.toContain('\n');
    });
  }

  it('the explicit opt-out accepts any name the CA vouches for, and says so', () => {
    const pair = new InMemoryPair(clientConfig({ insecureSkipServerNameCheck: true }), serverConfig(evil)).run();
    expect(pair.client.isConnected).toBe(true);
    const decision = pair.events('client').find((e) => e.type === 'decision' && e.topic === 'server_name');
    expect(decision?.type === 'decision' && decision.value).toMatch(/not checked/);
  });

  it('the opt-out and a serverName together are a contradiction: TypeError', () => {
    expect(() => Connection.client(clientConfig({ serverName: 'victim.example', insecureSkipServerNameCheck: true }))).toThrow(TypeError);
  });

  it('pinned-certificate, pinned-key and ask policies need no name', () => {
    const pinnedCert = new InMemoryPair(clientConfig({ trust: { kind: 'pinned-certificate', certificates: [evil.der] } }), serverConfig(evil)).run();
    expect(pinnedCert.client.isConnected).toBe(true);
    const pinnedKey = new InMemoryPair(clientConfig({ trust: { kind: 'pinned-key', keys: [evil.certificate.spki] } }), serverConfig(evil)).run();
    expect(pinnedKey.client.isConnected).toBe(true);
    const ask = new InMemoryPair(clientConfig({ trust: { kind: 'ask' } }), serverConfig(evil)).run();
    expect(ask.client.pendingDecision?.kind).toBe('verify-peer');
  });
});

const servers: Tls13Server[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.close();
});

async function serve(identity: Identity): Promise<number> {
  const server = createServer({ certificate: identity }, (socket) => {
    // As with node:tls, a connected socket's transport errors are the application's to handle: the client
    // may close first, and our end() then meets EPIPE.
    socket.on('error', () => {});
    socket.end('hello from the server');
  });
  server.on('tlsClientError', () => {});
  servers.push(server);
  return listen(server);
}

describe('adapter: connect({ host: IP }) checks the iPAddress SAN, like node:tls', () => {
  it('fails against a server on 127.0.0.1 presenting a CA-signed certificate for evil.example', async () => {
    const port = await serve(evil);
    const client = connect({ host: '127.0.0.1', port, trust: caPolicy });
    const outcome = await Promise.race([nextError(client), once(client, 'secureConnect').then(() => 'connected' as const)]);
    expect(outcome).toBeInstanceOf(Error);
    expect((outcome as Error).message).toMatch(/bad_certificate/);
    expect(client.getPeerIdentity()).toBeUndefined();
    // node:tls refuses the same server for the same reason: an independent opinion.
    const nodeClient = tls.connect({ host: '127.0.0.1', port, ca: toPem('CERTIFICATE', ca.der), minVersion: 'TLSv1.3' });
    const nodeError = (await nextError(nodeClient)) as NodeJS.ErrnoException;
    expect(nodeError.code).toBe('ERR_TLS_CERT_ALTNAME_INVALID');
  });

  it('connects when the certificate has iPAddress 127.0.0.1 (control), without SNI', async () => {
    const port = await serve(loopback4);
    const client = connect({ host: '127.0.0.1', port, trust: caPolicy });
    await once(client, 'secureConnect');
    expect(client.servername).toBe(false);
    client.destroy();
  });
});

describe('CLI: tls13 connect IP:PORT checks the iPAddress SAN', () => {
  const scratch = scratchDirectory('tls13-server-identity-');
  afterAll(() => scratch.remove());
  const caFile = scratch.file('ca.pem', toPem('CERTIFICATE', ca.der));

  it('fails on a CA-signed certificate for evil.example, with the alert it sent', async () => {
    const port = await serve(evil);
    const result = await runCli(['connect', `127.0.0.1:${port}`, '--ca', caFile, '--timeout', '5000']);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^tls13: handshake failed: we sent bad_certificate \(IP address 127\.0\.0\.1 .*\)\n$/);
  });

  it('connects when the certificate names 127.0.0.1 (control)', async () => {
    const port = await serve(loopback4);
    const result = await runCli(['connect', `127.0.0.1:${port}`, '--ca', caFile, '--send', 'ping', '--timeout', '5000']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('hello from the server');
  });
});
