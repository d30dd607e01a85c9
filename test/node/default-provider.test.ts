// tls13-lab/node runs on node:crypto unless the caller names a provider (issue 16 item 1): the options that
// connect and createServer translate for the engine carry nodeCryptoProvider by default, and a `provider`
// given (here noble) wins, for the engine and for the adapter's own check of the server's chain alike.
import { describe, expect, it } from 'vitest';
import { nobleProvider } from '../../src/crypto/noble.js';
import { nodeCryptoProvider } from '../../src/node/crypto.js';
import { translateClientOptions, translateServerOptions } from '../../src/node/tls-options.js';

describe("the node layer's crypto provider", () => {
  it('is node:crypto for a client unless given, in the config and in the verification context', () => {
    const plain = translateClientOptions({ host: 'localhost' });
    expect(plain.config.provider).toBe(nodeCryptoProvider);
    const checked = translateClientOptions({ host: 'localhost', rejectUnauthorized: false });
    expect(checked.config.provider).toBe(nodeCryptoProvider);
    expect(checked.verification!.context.provider).toBe(nodeCryptoProvider);
  });

  it('is the one given to a client', () => {
    expect(translateClientOptions({ host: 'localhost', provider: nobleProvider }).config.provider).toBe(nobleProvider);
    const checked = translateClientOptions({ host: 'localhost', provider: nobleProvider, rejectUnauthorized: false });
    expect(checked.config.provider).toBe(nobleProvider);
    expect(checked.verification!.context.provider).toBe(nobleProvider);
  });

  it('is node:crypto for a server unless given', () => {
    expect(translateServerOptions({}).provider).toBe(nodeCryptoProvider);
    expect(translateServerOptions({ provider: nobleProvider }).provider).toBe(nobleProvider);
  });
});
