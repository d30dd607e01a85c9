// docs/mutual-auth-without-certificates.md is generated from real runs; this fails when the committed page
// no longer matches what the code produces (run `npm run docs` and review the diff).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderWithoutCertificatesPage, WITHOUT_CERTIFICATES_PAGE } from '../../src/scenarios/without-certificates.js';
import { runCli } from '../cli/helpers.js';

const page = renderWithoutCertificatesPage();

describe('the page comparing PSK, raw public keys and pinned self-signed certificates', () => {
  it('is committed as the code produces it (npm run docs regenerates it)', () => {
    expect(readFileSync(join(import.meta.dirname, '..', '..', 'docs', WITHOUT_CERTIFICATES_PAGE), 'utf8')).toBe(page);
  });

  it('reports what the runs measured: all three connected, only the PSK without signatures and with its identity in the clear', () => {
    expect(page).toContain('| handshake completed | yes | yes | yes |');
    expect(page).toContain('| CertificateVerify signatures | 0 | 2 | 2 |');
    expect(page).toMatch(/\| client's identity readable in the ClientHello \| \*\*yes\*\* \(the PSK identity\) \| no \(encrypted\) \| no \(encrypted\) \|/);
    expect(page).toContain('PSK "alice@tls13-lab" (rule external-psk)');
  });

  it('names demo scenarios that exist and connect', async () => {
    for (const scenario of ['external-psk', 'raw-public-keys', 'pinned-self-signed']) {
      expect(page).toContain(`tls13 demo --scenario ${scenario}`);
      const { code, stdout } = await runCli(['demo', '--scenario', scenario, '--no-secrets']);
      expect(code).toBe(0);
      expect(stdout).toContain('verdict: the server trusts the client');
    }
  });
});
