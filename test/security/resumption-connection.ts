// One client connection of the resumption attack tests, and what came of it: whether it connected, resumed,
// was authorized, the identity and certificate it reports, and the tickets it received.
import type { SessionTicket } from '../../src/handshake/events.js';
import { connect, type Tls13Socket } from '../../src/node/adapter.js';

type Options = Partial<Parameters<typeof connect>[0]>;

/** One connection: what came of it, and the tickets it received. */
export async function connection(port: number, options: Options) {
  const client: Tls13Socket = connect({ host: 'localhost', port, ...options });
  const tickets: SessionTicket[] = [];
  client.on('session', (t: SessionTicket) => tickets.push(t));
  const outcome = await new Promise<{ connected: boolean; error?: string }>((resolve) => {
    client.once('secureConnect', () => resolve({ connected: true }));
    client.once('error', (e: Error) => resolve({ connected: false, error: e.message }));
  });
  if (outcome.connected) for await (const _ of client);
  const result = {
    ...outcome,
    resumed: client.isSessionReused(),
    authorized: client.authorized,
    authorizationError: client.authorizationError,
    identity: client.getPeerIdentity(),
    certificateSubject: client.getPeerCertificate().subject?.CN,
    tickets,
  };
  client.destroy();
  return result;
}
