// Ed448, ECDSA P-521 and RSASSA-PSS certificates (id-RSASSA-PSS keys, unrestricted and restricted by RFC
// 4055 parameters) against OpenSSL 3, in both roles and both directions:
// - certificates and keys made by `openssl genpkey` / `openssl req` / `openssl x509 -req` in the test, a CA of
//   one key type issuing leaves of the next: `openssl s_server -Verify` with our client presenting such a
//   client certificate, and `tls13 serve --cert --key --client-ca` (the command, loading OpenSSL's key files)
//   with `openssl s_client -cert -key`;
// - certificates made by our own builder (`tls13 cert`) served to `openssl s_client`, which validates the chain.
// (Our builder's client certificates against OpenSSL are in mutual-tls.test.ts.) Every child is bounded by a
// deadline and killed after its test. A missing openssl skips loudly (fails with REQUIRE_INTEROP=1).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { loadPrivateKey } from '../../src/auth/keys.js';
import { parsePem } from '../../src/auth/pem.js';
import { connect, type Tls13Socket } from '../../src/node/adapter.js';
import { type BoundedChild, findBinary, freePort, requireBinary, scratchDirectory, spawnBounded } from '../../src/testing/interop.js';
import { runCli, startServe } from '../cli/helpers.js';
import { readAll } from '../node/fixtures.js';

const scratch = scratchDirectory('tls13-lab-sigs-interop-');
const { dir, file } = scratch;
afterAll(scratch.remove);

const children: BoundedChild[] = [];
const sockets: Tls13Socket[] = [];
const stops: Array<() => Promise<number>> = [];
afterEach(async () => {
  for (const child of children.splice(0)) child.kill();
  for (const socket of sockets.splice(0)) socket.destroy();
  for (const stop of stops.splice(0)) await stop();
});

function run(path: string, args: string[]): BoundedChild {
  const child = spawnBounded(path, args, { timeoutMs: 15_000, cwd: dir });
  children.push(child);
  return child;
}

interface KeyType {
  name: string;
  /** `openssl genpkey` arguments. */
  genpkey: string[];
  /** The digest option for `openssl req` and `openssl x509` when such a key signs (a restricted key allows one). */
  digest: string[];
  /** `tls13 cert --type` (and --pss-hash) arguments for the same kind of key. */
  ours: string[];
  /** The scheme a CertificateVerify with this key uses. */
  scheme: string;
  /** What s_client and s_server print as "Peer signature type" (OpenSSL 3.0 prints no line for EdDSA). */
  peerSignatureType?: string;
}

const TYPES: KeyType[] = [
  { name: 'Ed448', genpkey: ['-algorithm', 'ed448'], digest: [], ours: ['--type', 'ed448'], scheme: 'ed448' },
  { name: 'ECDSA P-521', genpkey: ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-521'], digest: ['-sha512'], ours: ['--type', 'p521'], scheme: 'ecdsa_secp521r1_sha512', peerSignatureType: 'ECDSA' },
  { name: 'RSASSA-PSS', genpkey: ['-algorithm', 'RSA-PSS', '-pkeyopt', 'rsa_keygen_bits:2048'], digest: ['-sha256'], ours: ['--type', 'rsa-pss'], scheme: 'rsa_pss_pss_sha256', peerSignatureType: 'RSA-PSS' },
  {
    name: 'RSASSA-PSS restricted to SHA-384',
    genpkey: ['-algorithm', 'RSA-PSS', '-pkeyopt', 'rsa_keygen_bits:2048', '-pkeyopt', 'rsa_pss_keygen_md:sha384', '-pkeyopt', 'rsa_pss_keygen_mgf1_md:sha384', '-pkeyopt', 'rsa_pss_keygen_saltlen:48'],
    digest: ['-sha384'],
    ours: ['--type', 'rsa-pss', '--pss-hash', 'sha384'],
    scheme: 'rsa_pss_pss_sha384',
    peerSignatureType: 'RSA-PSS',
  },
];

/** A CA of `caType` issuing a server and a client certificate of `leafType`, all made by the openssl command. */
function opensslChain(caType: KeyType, leafType: KeyType, tag: string) {
  const openssl = findBinary('openssl')!;
  const sh = (args: string[]) => execFileSync(openssl, args, { cwd: dir, stdio: 'pipe' });
  sh(['genpkey', ...caType.genpkey, '-out', `${tag}-ca.key`]);
  sh([
    'req', '-x509', '-key', `${tag}-ca.key`, '-subj', `/CN=${tag} OpenSSL CA`, '-days', '2', ...caType.digest, '-out', `${tag}-ca.pem`,
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  const leaf = (role: 'server' | 'client', cn: string, eku: string) => {
    sh(['genpkey', ...leafType.genpkey, '-out', `${tag}-${role}.key`]);
    sh(['req', '-new', '-key', `${tag}-${role}.key`, '-subj', `/CN=${cn}`, '-out', `${tag}-${role}.csr`]);
    const extensions = file(`${tag}-${role}.ext`, `subjectAltName=DNS:${cn}\nextendedKeyUsage=${eku}\nkeyUsage=critical,digitalSignature\n`);
    sh(['x509', '-req', '-in', `${tag}-${role}.csr`, '-CA', `${tag}-ca.pem`, '-CAkey', `${tag}-ca.key`, '-days', '2', ...caType.digest, '-extfile', extensions, '-out', `${tag}-${role}.pem`]);
    return { cert: file(`${tag}-${role}.pem`, readFileSync(`${dir}/${tag}-${role}.pem`, 'utf8')), key: `${dir}/${tag}-${role}.key` };
  };
  return { ca: `${dir}/${tag}-ca.pem`, server: leaf('server', 'localhost', 'serverAuth'), client: leaf('client', 'alice', 'clientAuth') };
}

const derOf = (pemFile: string) => parsePem(readFileSync(pemFile, 'utf8'))[0]!.der;

/** s_client with a client certificate, asking for our page and waiting for the server to close. */
function sClient(openssl: string, port: number, caFile: string, client: { cert: string; key: string }): BoundedChild {
  const child = run(openssl, [
    's_client', '-tls1_3', '-connect', `127.0.0.1:${port}`, '-servername', 'localhost', '-ign_eof',
    '-CAfile', caFile, '-verify_return_error', '-cert', client.cert, '-key', client.key,
  ]);
  child.child.stdin.end('GET / HTTP/1.0\r\n\r\n');
  return child;
}

describe.each(TYPES.map((leafType, i) => ({ leafType, caType: TYPES[(i + 1) % TYPES.length]!, tag: `openssl${i}` })))(
  'certificates made by openssl: $leafType.name leaves from a $caType.name CA',
  ({ leafType, caType, tag }) => {
    it(`openssl s_server -Verify accepts our client's ${leafType.name} certificate, and our client its ${leafType.name} certificate (${leafType.scheme})`, async (test) => {
      const openssl = requireBinary('openssl', test);
      const chain = opensslChain(caType, leafType, `${tag}-a`);
      const port = await freePort();
      const server = run(openssl, [
        's_server', '-tls1_3', '-www', '-accept', String(port), '-naccept', '1', '-cert', chain.server.cert, '-key', chain.server.key,
        '-Verify', '1', '-verify_return_error', '-CAfile', chain.ca,
      ]);
      await server.waitFor(/ACCEPT/);

      const certificate = { chain: [derOf(chain.client.cert)], privateKey: loadPrivateKey(readFileSync(chain.client.key, 'utf8')) };
      const client = connect({ host: 'localhost', port, trust: { kind: 'ca', anchors: [derOf(chain.ca)] }, certificate });
      sockets.push(client);
      client.write('GET / HTTP/1.0\r\n\r\n');
      const page = await readAll(client);

      expect(page).toMatch(/^HTTP\/1\.0 200 ok/);
      expect(client.info.signatureScheme).toBe(leafType.scheme);
      expect(client.info.clientAuth).toBe('authenticated');
      expect(client.getPeerIdentity()?.subject).toBe('CN=localhost');
      if (leafType.peerSignatureType) expect(page).toContain(`Peer signature type: ${leafType.peerSignatureType}`);
      expect(await server.exited).toBe(0);
      expect(server.stdout() + server.stderr()).not.toMatch(/verify error/);
    });

    it(`tls13 serve loads openssl's ${leafType.name} key and chain, and s_client with its own ${leafType.name} certificate is authenticated`, async (test) => {
      const openssl = requireBinary('openssl', test);
      const chain = opensslChain(caType, leafType, `${tag}-b`);
      const serve = await startServe(['--cert', chain.server.cert, '--key', chain.server.key, '--client-ca', chain.ca]);
      stops.push(serve.stop);

      const client = sClient(openssl, serve.port, chain.ca, chain.client);
      await client.exited;

      expect(client.stdout()).toContain('Verification: OK');
      if (leafType.peerSignatureType) expect(client.stdout()).toContain(`Peer signature type: ${leafType.peerSignatureType}`);
      expect(client.stdout()).toContain(`signature scheme: ${leafType.scheme}`);
      expect(serve.stdout.text).toMatch(/client CN=alice/);
      expect(serve.stderr.text).toBe('');
    });
  },
);

describe.each(TYPES.map((leafType, i) => ({ leafType, caType: TYPES[(i + 2) % TYPES.length]!, tag: `ours${i}` })))(
  'certificates made by tls13 cert: $leafType.name leaves from a $caType.name CA',
  ({ leafType, caType, tag }) => {
    it(`openssl s_client validates the chain tls13 serve presents and checks its ${leafType.scheme} CertificateVerify`, async (test) => {
      const openssl = requireBinary('openssl', test);
      const out = (name: string) => `${dir}/${tag}-${name}`;
      const made = async (args: string[]) => expect((await runCli(['cert', ...args])).code).toBe(0);
      await made(['--out-cert', out('ca.pem'), '--out-key', out('ca.key'), '--ca', '--cn', `${tag} CA`, ...caType.ours]);
      await made(['--out-cert', out('server.pem'), '--out-key', out('server.key'), '--dns', 'localhost', '--eku', 'serverAuth', ...leafType.ours, '--issuer-cert', out('ca.pem'), '--issuer-key', out('ca.key')]);
      await made(['--out-cert', out('client.pem'), '--out-key', out('client.key'), '--cn', 'alice', '--eku', 'clientAuth', ...leafType.ours, '--issuer-cert', out('ca.pem'), '--issuer-key', out('ca.key')]);
      execFileSync(openssl, ['verify', '-x509_strict', '-CAfile', out('ca.pem'), out('server.pem'), out('client.pem')], { stdio: 'pipe' });
      const serve = await startServe(['--cert', out('server.pem'), '--key', out('server.key'), '--client-ca', out('ca.pem')]);
      stops.push(serve.stop);

      const client = sClient(openssl, serve.port, out('ca.pem'), { cert: out('client.pem'), key: out('client.key') });
      await client.exited;

      expect(client.stdout()).toContain('Verification: OK');
      expect(client.stdout()).toContain(`signature scheme: ${leafType.scheme}`);
      expect(serve.stdout.text).toMatch(/client CN=alice/);
    });
  },
);
