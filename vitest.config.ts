import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vitest/config';

/**
 * The engine's default provider comes from one import in src/handshake/config.ts
 * (`provider: config.provider ?? nobleProvider`). This plugin points that one import, and no other, at a
 * shim that exports the node:crypto provider under the same name: every connection made without an explicit
 * `provider` then runs on node:crypto, while tests that name `nobleProvider` themselves keep noble.
 */
function nodeCryptoAsDefaultProvider(): Plugin {
  const shim = fileURLToPath(new URL('./test/node/node-crypto-default.ts', import.meta.url));
  return {
    name: 'node-crypto-as-default-provider',
    enforce: 'pre',
    resolveId(source, importer) {
      if (source === '../crypto/noble.js' && importer?.replaceAll('\\', '/').endsWith('/src/handshake/config.ts')) return shim;
      return null;
    },
  };
}

const shared = { testTimeout: 60_000, hookTimeout: 60_000 };

export default defineConfig({
  test: {
    projects: [
      { test: { ...shared, name: 'noble', include: ['test/**/*.test.ts'], env: { EXPECTED_DEFAULT_PROVIDER: 'noble' } } },
      {
        plugins: [nodeCryptoAsDefaultProvider()],
        test: {
          ...shared,
          name: 'node-crypto',
          // test/node/crypto-provider.test.ts checks that the plugin took effect.
          env: { EXPECTED_DEFAULT_PROVIDER: 'node:crypto' },
          // The tests whose connections take the default provider: the engine, the published vectors,
          // scenarios, the node adapter, interop with OpenSSL and GnuTLS, and the fuzz regressions.
          // Not here: test/crypto (noble's own unit tests, and the node provider's are in test/node),
          // test/wire, test/record, test/auth (no handshake), the CLI, traces and docs (see below).
          include: ['test/{handshake,conformance,vectors,scenarios,node,interop,regressions,security}/**/*.test.ts'],
          // RFC 8448 §3, §4, §5 and §7 replay the server's RSA-PSS CertificateVerify byte for byte with the
          // RFC's salt from fixedRandom; OpenSSL draws the salt itself, so only noble can reproduce them
          // (§6's replay reproduces with either). Verification by the node provider is checked in §6 and by
          // every interop test.
          exclude: ['test/vectors/rfc8448-section{3,4,5,7}.test.ts'],
        },
      },
    ],
  },
});
