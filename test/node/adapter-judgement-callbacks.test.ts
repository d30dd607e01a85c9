// The application's code that runs while a client socket judges its server as node:tls would (rejectUnauthorized:
// false, or a checkServerIdentity: the engine is given `ask` and the socket answers, tls-options.ts judgeServer).
// That judgement runs from the transport's 'data' handler, outside any engine call, so the engine's rule (what a
// callback throws fails the step with internal_error) did not cover it: a clock or a provider that threw there
// escaped into the event loop and crashed the process; a checkServerIdentity that answered the decision itself
// was taken, and the socket's own answer then threw. Attacker's tests (docs/security.md, "Red team, session 14").
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import type { TlsEvent } from '../../src/handshake/events.js';
import { connect, createServer, type ConnectOptions, type Tls13Server, type Tls13Socket } from '../../src/node/adapter.js';
import { nodeCryptoProvider } from '../../src/node/crypto.js';
import { ca, certPem, listen, serverCertificates } from './fixtures.js';

const servers: Tls13Server[] = [];
afterEach(() => servers.splice(0).forEach((server) => server.close()));

async function helloServer(): Promise<number> {
  const server = createServer({ certificate: serverCertificates['ECDSA P-256'] }, (socket) => {
    socket.on('error', () => {});
    socket.end('hello');
  });
  server.on('tlsClientError', () => {});
  servers.push(server);
  return listen(server);
}

/** The handshake's outcome: connected (and authorized or not), or the client's error message. */
async function outcome(socket: Tls13Socket): Promise<{ authorized?: boolean; error?: string }> {
  try {
    await once(socket, 'secureConnect');
    return { authorized: socket.authorized };
  } catch (e) {
    return { error: (e as Error).message };
  } finally {
    socket.destroy();
  }
}

const judgedAsNode = (port: number, extra: Partial<ConnectOptions>): ConnectOptions => ({ host: 'localhost', port, ca: certPem(ca), checkServerIdentity: () => undefined, ...extra });

describe("code of the caller's that throws while the socket judges the server", () => {
  it('a clock that throws: the server refused with internal_error, the process goes on', async () => {
    const port = await helloServer();
    let unplugged = false;
    const socket = connect(
      judgedAsNode(port, {
        now: () => {
          if (unplugged) throw new Error('clock unplugged');
          return Date.now();
        },
      }),
    );
    // Unplugged as the decision comes, before the socket judges.
    socket.on('tlsEvent', (event: TlsEvent) => (unplugged ||= event.type === 'decision-needed'));
    expect((await outcome(socket)).error).toMatch(/^TLS alert internal_error sent: .*judging the server threw: clock unplugged$/);
  });

  it('a provider whose verify throws (an HSM unplugged): the same', async () => {
    const port = await helloServer();
    const provider = {
      ...nodeCryptoProvider,
      verify: () => {
        throw new Error('HSM unplugged');
      },
    };
    expect((await outcome(connect(judgedAsNode(port, { provider })))).error).toMatch(/^TLS alert internal_error sent: .*judging the server threw: HSM unplugged$/);
  });
});

describe('a checkServerIdentity that answers the decision itself', () => {
  it('is refused: the judgement answers, and the server is refused with what the call threw', async () => {
    const port = await helloServer();
    const socket: Tls13Socket = connect(
      judgedAsNode(port, {
        checkServerIdentity: () => {
          socket.resolve({ kind: 'verify-peer', verdict: { trusted: true } });
          return undefined;
        },
      }),
    );
    const result = await outcome(socket);
    expect(result.error).toMatch(/^TLS alert bad_certificate sent: .*resolve\(\) was called while the socket judges the server/);
  });
});
