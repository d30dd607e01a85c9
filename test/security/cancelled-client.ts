// A handshake the client cancels at its `client-certificate` decision: the server, whose flight went out
// (CertificateRequest included), is left in WAIT_CERT with the client's user_canceled and close_notify read.
// The half-close attack tests start from here: the peer closed before its Finished.
import { expect } from 'vitest';
import type { ClientConfig, ServerConfig } from '../../src/handshake/config.js';
import { InMemoryPair } from '../../src/handshake/pair.js';

/** The pair after the client closed on its certificate decision; `anchor` is the CA the server would trust for it. */
export function clientCancelledAtCertificate(client: ClientConfig, server: ServerConfig, anchor: Uint8Array): InMemoryPair {
  const pair = new InMemoryPair({ ...client, certificate: 'ask' }, { ...server, clientAuth: 'optional', trust: { kind: 'ca', anchors: [anchor] } });
  pair.step('client');
  pair.step('server');
  expect(pair.client.pendingDecision?.kind).toBe('client-certificate');
  pair.client.close();
  pair.step('client');
  expect(pair.server.state).toBe('WAIT_CERT');
  return pair;
}
