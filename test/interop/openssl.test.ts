// Our client and server against real binaries: `openssl s_server` / `openssl s_client` and `curl`, each
// bounded by a timeout. Both peers log their secrets (openssl -keylogfile, curl SSLKEYLOGFILE), and the
// logs must equal ours line for line. A missing binary skips loudly (fails with REQUIRE_INTEROP=1).
import { readFileSync } from 'node:fs';
import * as http from 'node:http';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { connect, createServer, type ServerOptions, type Tls13Server } from '../../src/node/adapter.js';
import { type BoundedChild, freePort, requireBinary, scratchDirectory, spawnBounded } from '../../src/testing/interop.js';
import { ca, CCM_SUITES, certPem, GROUPS, keyPem, listen, MORE_GROUPS, pongServer, readAll, serverCertificates, strangerClient, SUITES, trustedClient } from '../node/fixtures.js';

const scratch = scratchDirectory('tls13-lab-interop-');
const { dir, file } = scratch;
afterAll(scratch.remove);


const caFile = file('ca.pem', certPem(ca));
const children: BoundedChild[] = [];
const servers: Tls13Server[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill();
  for (const server of servers.splice(0)) server.close();
});

function run(path: string, args: string[], env?: NodeJS.ProcessEnv): BoundedChild {
  const child = spawnBounded(path, args, { timeoutMs: 10_000, cwd: dir, ...(env ? { env } : {}) });
  children.push(child);
  return child;
}

/** Key-log lines of a file or a list, without comments and blank lines, sorted. */
function keylogLines(text: string): string[] {
  return text
    .split('\n')
    .filter((line) => line && !line.startsWith('#'))
    .sort();
}

/**
 * One case per suite, with the groups and key types rotated so that each of them appears (the CCM suites
 * too, named with -ciphersuites on both sides); then one case for each other group (secp521r1, x448, the
 * FFDHE groups), over the first suite and a P-256 certificate.
 */
const IDENTITIES = Object.entries(serverCertificates);
const CASES = [
  ...[...SUITES, ...CCM_SUITES].map((suite, i) => {
    const [keyName, identity] = IDENTITIES[i % IDENTITIES.length]!;
    return { suite: suite as { name: string; id: number }, group: GROUPS[i % GROUPS.length]! as { name: string; id: number; openssl: string }, keyName, identity };
  }),
  ...MORE_GROUPS.map((group) => ({ suite: SUITES[0] as { name: string; id: number }, group, keyName: 'ECDSA P-256', identity: serverCertificates['ECDSA P-256'] })),
];

let caseNumber = 0;

describe('openssl s_server with our client', () => {
  for (const { suite, group, keyName, identity } of CASES) {
    it(`fetches the -www status page over ${suite.name} / ${group.name} from a ${keyName} server, with equal key logs`, async (test) => {
      const openssl = requireBinary('openssl', test);
      const n = caseNumber++;
      const port = await freePort();
      const keylogFile = join(dir, `s_server-${n}.keylog`);
      const server = run(openssl, [
        's_server', '-tls1_3', '-www', '-accept', String(port), '-naccept', '1',
        '-cert', file(`server-${n}.pem`, certPem(identity)), '-key', file(`server-${n}.key`, keyPem(identity)),
        '-ciphersuites', suite.name, '-groups', group.openssl, '-keylogfile', keylogFile,
      ]);
      await server.waitFor(/ACCEPT/);

      const ourKeylog: string[] = [];
      const client = connect({ host: 'localhost', port, trust: { kind: 'ca', anchors: [ca.der] }, cipherSuites: [suite.id], groups: [group.id] });
      client.on('keylog', (line: Buffer) => ourKeylog.push(line.toString('latin1').trimEnd()));
      client.write('GET / HTTP/1.0\r\n\r\n');
      const page = await readAll(client);

      expect(page).toMatch(/^HTTP\/1\.0 200 ok/);
      expect(page).toContain(`New, TLSv1.3, Cipher is ${suite.name}`);
      expect(client.info).toMatchObject({ cipherSuite: suite.name, group: group.name });
      await server.exited;
      expect(keylogLines(readFileSync(keylogFile, 'latin1'))).toEqual(ourKeylog.sort());
    });
  }
});

async function ourPongServer(options: ServerOptions) {
  const pong = await pongServer(options);
  servers.push(pong.server);
  return pong;
}

describe('openssl s_client against our server', () => {
  for (const { suite, group, keyName, identity } of CASES) {
    it(`verifies our ${keyName} certificate and exchanges data over ${suite.name} / ${group.name}, with equal key logs`, async (test) => {
      const openssl = requireBinary('openssl', test);
      const { port, keylog } = await ourPongServer({ certificate: identity, cipherSuites: [suite.id], groups: [group.id] });
      const keylogFile = join(dir, `s_client-${caseNumber++}.keylog`);
      const client = run(openssl, [
        's_client', '-tls1_3', '-connect', `127.0.0.1:${port}`, '-servername', 'localhost', '-verify_hostname', 'localhost',
        '-CAfile', caFile, '-verify_return_error', '-ign_eof', '-ciphersuites', suite.name, '-groups', group.openssl, '-keylogfile', keylogFile,
      ]);
      client.child.stdin.end('ping');

      expect(await client.exited).toBe(0);
      expect(client.stdout()).toContain('pong: ping');
      expect(client.stdout()).toContain(`New, TLSv1.3, Cipher is ${suite.name}`);
      expect(client.stdout()).toContain('Verify return code: 0 (ok)');
      expect(keylogLines(readFileSync(keylogFile, 'latin1'))).toEqual(keylog.sort());
    });
  }

  it('accepts s_client presenting the pinned client certificate and rejects another with bad_certificate', async (test) => {
    const openssl = requireBinary('openssl', test);
    const { port, errors } = await ourPongServer({
      certificate: serverCertificates.Ed25519,
      clientAuth: 'require',
      trust: { kind: 'pinned-certificate', certificates: [trustedClient.der] },
    });
    const withCertificate = (name: string, identity: typeof trustedClient) => {
      const child = run(openssl, [
        's_client', '-tls1_3', '-connect', `127.0.0.1:${port}`, '-servername', 'localhost', '-CAfile', caFile, '-ign_eof',
        '-cert', file(`${name}.pem`, certPem(identity)), '-key', file(`${name}.key`, keyPem(identity)),
      ]);
      child.child.stdin.end('ping');
      return child;
    };

    const trusted = withCertificate('trusted-client', trustedClient);
    await trusted.exited;
    expect(trusted.stdout()).toContain('pong: ping');

    const stranger = withCertificate('stranger-client', strangerClient);
    await stranger.exited;
    expect(stranger.stdout()).not.toContain('pong: ping');
    expect(stranger.stderr()).toMatch(/alert bad certificate/);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ direction: 'sent', alert: 'bad_certificate' });
  });
});

describe('curl against our server', () => {
  it('fetches a page from node:http running on our createServer, with equal key logs', async (test) => {
    const curl = requireBinary('curl', test);
    const httpServer = http.createServer((req, res) => res.end(`hello curl, you asked for ${req.url}`));
    const keylog: string[] = [];
    const server = createServer({ certificate: serverCertificates['ECDSA P-256'], alpnProtocols: ['http/1.1'] }, (socket) => httpServer.emit('connection', socket));
    server.on('keylog', (line: Buffer) => keylog.push(line.toString('latin1').trimEnd()));
    servers.push(server);
    const port = await listen(server);
    const keylogFile = join(dir, 'curl.keylog');

    const child = run(
      curl,
      ['--silent', '--show-error', '--tlsv1.3', '--cacert', caFile, '--resolve', `localhost:${port}:127.0.0.1`, '--write-out', '\n%{http_code} %{http_version}', `https://localhost:${port}/tls13-lab`],
      { ...process.env, SSLKEYLOGFILE: keylogFile },
    );
    expect(await child.exited).toBe(0);
    httpServer.closeAllConnections();
    expect(child.stdout()).toBe('hello curl, you asked for /tls13-lab\n200 1.1');
    expect(keylogLines(readFileSync(keylogFile, 'latin1'))).toEqual(keylog.sort());
  });
});
