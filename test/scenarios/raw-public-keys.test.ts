// The raw-public-keys scenario ends as RFC 7250 says: both sides connected, each identified by the SPKI
// SHA-256 of the key it sent. node:crypto computes the pins and checks the CertificateVerify signatures from
// the wire bytes, independently of the engine; `tls13 demo --scenario raw-public-keys` prints the pins.
import { createHash, createPublicKey, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { TlsEvent } from '../../src/handshake/events.js';
import { runScenario } from '../../src/scenarios/mutual-tls.js';
import { makeRawKeyCast, RAW_PUBLIC_KEYS_SCENARIO } from '../../src/scenarios/raw-public-keys.js';
import { runCli } from '../cli/helpers.js';

const SEED = 'raw key scenario tests';
type MessageEvent = Extract<TlsEvent, { type: 'handshake-message' }>;

describe('the raw-public-keys scenario', () => {
  const result = runScenario(RAW_PUBLIC_KEYS_SCENARIO.setup(SEED));
  const messages = result.pair.events('client').filter((e): e is MessageEvent => e.type === 'handshake-message');

  it('connects with a raw key on each side, each identified by the SHA-256 of its SubjectPublicKeyInfo', () => {
    expect(result.actual.kind).toBe('connected');
    expect(result.asExpected).toBe(true);
    expect(result.pair.client.info).toMatchObject({ serverCertificateType: 'raw-public-key', clientCertificateType: 'raw-public-key' });
    expect(result.pair.server.info.clientAuth).toBe('authenticated');
    const [serverSpki, clientSpki] = (['in', 'out'] as const).map((direction) => {
      const certificate = messages.find((m) => m.direction === direction && m.message.kind === 'certificate')!.message;
      if (certificate.kind !== 'certificate') throw new Error('unreachable');
      expect(certificate.entries).toHaveLength(1);
      return Buffer.from(certificate.entries[0]!.data);
    });
    const sha256 = (spki: Buffer) => createHash('sha256').update(spki).digest('hex');
    expect(result.pair.client.info.peer).toMatchObject({ spkiSha256: sha256(serverSpki!), keyType: 'Ed25519', verdict: { rule: 'pinned-key' } });
    expect(result.pair.server.info.peer).toMatchObject({ spkiSha256: sha256(clientSpki!), keyType: 'ECDSA P-256', verdict: { rule: 'pinned-key' } });
    expect(result.pair.server.info.peer?.subject).toBeUndefined();
  });

  it('has each CertificateVerify verify, with node:crypto, under the raw key its sender sent', () => {
    for (const [sender, role] of [['in', 'server'], ['out', 'client']] as const) {
      const index = messages.findIndex((m) => m.direction === sender && m.message.kind === 'certificate_verify');
      const certificate = messages[index - 1]!.message;
      const cv = messages[index]!.message;
      if (certificate.kind !== 'certificate' || cv.kind !== 'certificate_verify') throw new Error('Certificate must precede CertificateVerify');
      const hash = createHash(result.pair.client.info.cipherSuite === 'TLS_AES_256_GCM_SHA384' ? 'sha384' : 'sha256');
      for (const m of messages.slice(0, index)) hash.update(m.raw);
      const content = Buffer.concat([Buffer.alloc(64, 0x20), Buffer.from(`TLS 1.3, ${role} CertificateVerify`), Buffer.from([0]), hash.digest()]);
      const key = createPublicKey({ key: Buffer.from(certificate.entries[0]!.data), format: 'der', type: 'spki' });
      expect(verify(key.asymmetricKeyType === 'ed25519' ? null : 'sha256', content, key, cv.signature)).toBe(true);
    }
  });

  it('is refused with bad_certificate by a client that pins another key', () => {
    const setup = RAW_PUBLIC_KEYS_SCENARIO.setup(SEED);
    const other = makeRawKeyCast(`${SEED}/someone else`);
    const refused = runScenario({ ...setup, client: { ...setup.client, trust: { kind: 'pinned-key', spkiSha256: [other.serverPin.hex] } } });
    expect(refused.actual).toMatchObject({ kind: 'alert', alert: 'bad_certificate', sentBy: 'client' });
  });

  it('is what `tls13 demo --scenario raw-public-keys` narrates, ending with both pinned SPKIs in the verdict', async () => {
    const cast = makeRawKeyCast('tls13-lab');
    const { code, stdout } = await runCli(['demo', '--scenario', 'raw-public-keys', '--no-secrets']);
    expect(code).toBe(0);
    expect(stdout).toContain(`The client pins the server's key: sha256/${cast.serverPin.base64}`);
    expect(stdout).toContain(`verdict: the client trusts the server: pinned-key: key sha256/${cast.serverPin.base64} is pinned`);
    expect(stdout).toContain(`verdict: the server trusts the client: pinned-key: key sha256/${cast.clientPin.base64} is pinned`);
  });
});
