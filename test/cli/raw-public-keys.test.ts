// RFC 7250 raw public keys on the command line: `cert --raw` prints a key's SPKI and pin, `serve --rpk-key`
// serves one, `connect --pin-spki` trusts one, and both ends authenticate with bare keys. Keys and pins are
// checked against node:crypto, and what went over the wire against the JSON trace's Certificate message.
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startServe, waitFor } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'tls13-rpk-'));
const file = (name: string) => join(dir, name);

const spkiDer = (key: KeyObject) => key.export({ type: 'spki', format: 'der' });
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest();
/** The SPKI pin of a private key file, by node:crypto. */
const pinOfKey = (keyFile: string) => sha256(spkiDer(createPublicKey(createPrivateKey(readFileSync(keyFile)))));

const PEM_PUBLIC_KEY = /-----BEGIN PUBLIC KEY-----\n[\s\S]*?-----END PUBLIC KEY-----\n/;

describe('tls13 cert --raw', () => {
  it.each(['ed25519', 'p256', 'p384', 'rsa2048'])('prints a %s key as a PUBLIC KEY block node:crypto reads, with its SHA-256 pin', async (type) => {
    const key = file(`raw-${type}.key`);
    const { code, stdout } = await runCli(['cert', '--raw', '--out-key', key, '--type', type, '--out-spki', file(`raw-${type}.pub`)]);
    expect(code).toBe(0);
    const pem = PEM_PUBLIC_KEY.exec(stdout)![0];
    const publicKey = createPublicKey(pem);
    // The public key printed is the one of the private key written.
    expect(spkiDer(publicKey).equals(spkiDer(createPublicKey(createPrivateKey(readFileSync(key)))))).toBe(true);
    expect(readFileSync(file(`raw-${type}.pub`), 'utf8')).toBe(pem);
    const pin = sha256(spkiDer(publicKey));
    expect(stdout).toContain(`SPKI sha256: ${pin.toString('hex')}\n`);
    expect(stdout).toContain(`SPKI pin: sha256/${pin.toString('base64')}\n`);
  });

  it('prints the SPKI of an existing key given with --key, as OpenSSL would derive it', async () => {
    const key = file('existing.key');
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    writeFileSync(key, privateKey.export({ type: 'sec1', format: 'pem' }));
    const { code, stdout } = await runCli(['cert', '--raw', '--key', key]);
    expect(code).toBe(0);
    expect(spkiDer(createPublicKey(PEM_PUBLIC_KEY.exec(stdout)![0])).equals(spkiDer(createPublicKey(privateKey)))).toBe(true);
    expect(stdout).toContain(`SPKI sha256: ${sha256(spkiDer(createPublicKey(privateKey))).toString('hex')}\n`);
  });

  it('refuses certificate flags with --raw, and --raw without a key, in one line', async () => {
    const withCn = await runCli(['cert', '--raw', '--out-key', file('x.key'), '--cn', 'x']);
    expect(withCn).toMatchObject({ code: 2, stdout: '', stderr: 'tls13: cert: --raw makes no certificate, so --cn does not apply\n' });
    const noKey = await runCli(['cert', '--raw']);
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toMatch(/^tls13: cert --raw: give either --out-key FILE \(a new key\) or --key FILE \(an existing one\)\n$/);
  });
});

/** The Certificate messages a --trace json run received, as their entries' data (hex). */
function certificatesReceived(jsonLines: string): string[][] {
  return jsonLines
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { type: string; direction?: string; message?: { kind: string; entries?: Array<{ data: string }> } })
    .filter((e) => e.type === 'handshake-message' && e.direction === 'in' && e.message!.kind === 'certificate')
    .map((e) => e.message!.entries!.map((entry) => entry.data));
}

describe('tls13 serve --rpk-key and tls13 connect --pin-spki over 127.0.0.1', () => {
  let server: Awaited<ReturnType<typeof startServe>>;

  beforeAll(async () => {
    await runCli(['cert', '--raw', '--out-key', file('server.key'), '--out-spki', file('server.pub')]);
    await runCli(['cert', '--raw', '--out-key', file('client.key'), '--type', 'p256', '--out-spki', file('client.pub')]);
    await runCli(['cert', '--raw', '--out-key', file('other.key')]);
    await runCli(['cert', '--out-cert', file('x509.pem'), '--out-key', file('x509.key'), '--type', 'p256', '--dns', 'localhost']);
    server = await startServe([
      '--rpk-key', file('server.key'), '--cert', file('x509.pem'), '--key', file('x509.key'),
      '--client-auth', 'optional', '--pin-client-spki', file('client.pub'),
    ]);
  });

  afterAll(async () => {
    expect(await server.stop()).toBe(0);
  });

  it('completes with the server raw key pinned by hash, says so, and the server sent one bare SPKI', async () => {
    const pin = pinOfKey(file('server.key'));
    const { code, stdout, stderr } = await runCli(['connect', `127.0.0.1:${server.port}`, '--pin-spki', `sha256/${pin.toString('base64')}`, '--trace', 'json=' + file('a.jsonl')]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain('  certificate type: server raw public key (RFC 7250)\n');
    expect(stdout).toContain(`SPKI pin sha256/${pin.toString('base64')}`);
    expect(stdout).toContain('HTTP/1.1 200 OK');
    const spki = spkiDer(createPublicKey(createPrivateKey(readFileSync(file('server.key')))));
    expect(certificatesReceived(readFileSync(file('a.jsonl'), 'utf8'))).toEqual([[spki.toString('hex')]]);
  });

  it.each([
    ['PUBLIC KEY file', 'server.pub'],
    ['private key file', 'server.key'],
  ])('takes the pin from a %s', async (_, name) => {
    const { code, stdout } = await runCli(['connect', `127.0.0.1:${server.port}`, '--pin-spki', file(name)]);
    expect(code).toBe(0);
    expect(stdout).toContain('certificate type: server raw public key (RFC 7250)');
  });

  it('fails in one line naming bad_certificate when the pinned key is another one', async () => {
    const { code, stdout, stderr } = await runCli(['connect', `127.0.0.1:${server.port}`, '--pin-spki', file('other.key')]);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toBe(`tls13: handshake failed: we sent bad_certificate (key sha256/${pinOfKey(file('server.key')).toString('base64')} is not pinned)\n`);
  });

  it('authenticates the client by its raw key, pinned by the server, and the page names the key', async () => {
    const { code, stdout, stderr } = await runCli([
      'connect', `127.0.0.1:${server.port}`, '--pin-spki', file('server.pub'), '--rpk-key', file('client.key'),
    ]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain('  certificate type: server raw public key (RFC 7250), client raw public key (RFC 7250)\n');
    expect(stdout).toContain('client certificate: authenticated');
    expect(stdout).toContain(`client: a raw public key (RFC 7250), ECDSA P-256 key, SPKI pin sha256/${pinOfKey(file('client.key')).toString('base64')}\n`);
    expect(stdout).toContain('client trusted by pinned-key');
  });

  it('refuses a client raw key that is not pinned: the server sends bad_certificate', async () => {
    const { code, stderr } = await runCli(['connect', `127.0.0.1:${server.port}`, '--pin-spki', file('server.pub'), '--rpk-key', file('other.key')]);
    expect(code).toBe(1);
    // In TLS 1.3 the client is done after its Finished; the server's verdict arrives after that.
    expect(stderr).toMatch(/^tls13: (handshake|connection) failed: server sent bad_certificate\n$/);
  });

  it('serves its X.509 certificate to node:tls, which knows no raw public keys', async () => {
    const page = await new Promise<string>((resolve, reject) => {
      const socket = tls.connect({ host: '127.0.0.1', port: server.port, ca: readFileSync(file('x509.pem')), servername: 'localhost' }, () =>
        socket.write('GET / HTTP/1.0\r\n\r\n'),
      );
      let text = '';
      socket.on('data', (d: Buffer) => (text += d.toString()));
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
    });
    expect(page).toContain('certificate type: server X.509\n');
  });

  it('pins an X.509 server by its key as before: the pin works whether the key comes raw or in a certificate', async () => {
    const x509only = await startServe(['--cert', file('x509.pem'), '--key', file('x509.key')]);
    const { code, stdout } = await runCli(['connect', `127.0.0.1:${x509only.port}`, '--pin-spki', file('x509.pem')]);
    expect(code).toBe(0);
    expect(stdout).toContain('certificate type: server X.509');
    expect(stdout).toContain('trusted by pinned-key');
    expect(await x509only.stop()).toBe(0);
  });

  it('resumes a raw-key session and says no certificate was involved the second time', async () => {
    const { code, stdout } = await runCli(['connect', `127.0.0.1:${server.port}`, '--pin-spki', file('server.pub'), '--resume']);
    expect(code).toBe(0);
    expect(stdout.match(/^ {2}certificate type: .*$/gm)).toEqual(['  certificate type: server raw public key (RFC 7250)', '  certificate type: none (resumed with a PSK)']);
    expect(stdout).toContain('resumed: yes');
  });

  it('logs the certificate types of a raw-key connection on the server side', async () => {
    await runCli(['connect', `127.0.0.1:${server.port}`, '--pin-spki', file('server.pub')]);
    await waitFor(() => (/; server raw public key \(RFC 7250\)\n/.test(server.stdout.text) ? true : undefined));
  });
});
