// For the "node-crypto" vitest project only (vitest.config.ts): src/handshake/config.ts imports its default
// provider from here instead of src/crypto/noble.ts, so the suite's connections run on node:crypto.
export { nodeCryptoProvider as nobleProvider } from '../../src/node/crypto.js';
