// The node adapter asks the engine for secret events only once a 'keylog' or 'tlsEvent' listener is attached
// (as node:tls builds key-log lines only for a 'keylog' listener), and for trace events (messages, states,
// decisions) only once a 'tlsEvent' one is: a connection nobody logs makes no such event and no copy of its
// secrets, and one that is logged still gets every line, listeners attached after connect().
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { connect as connectTo } from '../../src/node/adapter.js';
import { ca, pongServer as pongServerOf, serverCertificates } from './fixtures.js';

const pongServer = () => pongServerOf({ certificate: serverCertificates['ECDSA P-256'] });
const connect = (port: number) => connectTo({ host: 'localhost', port, trust: { kind: 'ca', anchors: [ca.der] } });

describe('secret and trace events in the node adapter', () => {
  const cleanups: Array<() => void> = [];
  afterEach(() => cleanups.splice(0).forEach((cleanup) => cleanup()));

  it("secrets once a 'keylog' or 'tlsEvent' listener is attached, messages, states and decisions once a 'tlsEvent' one is", async () => {
    const { server, port } = await pongServer();
    cleanups.push(() => server.close());
    for (const [name, trace] of [['keylog', false], ['tlsEvent', true]] as const) {
      const client = connect(port);
      client.on('data', () => {}).on('error', () => {}).on('secureConnect', () => {});
      expect([client.connection.secretEvents, client.connection.traceEvents]).toEqual([false, false]);
      client.on(name, () => {});
      expect([client.connection.secretEvents, client.connection.traceEvents]).toEqual([true, trace]);
      client.destroy();
    }
  });

  it('a handshake nobody logs makes no secret or trace event; a logged one gives every key-log line on both sides', async () => {
    const { server, port, keylog } = await pongServer();
    cleanups.push(() => server.close());

    const quiet = connect(port);
    const taken: string[] = [];
    const nextEvent = quiet.connection.nextEvent.bind(quiet.connection);
    quiet.connection.nextEvent = () => {
      const event = nextEvent();
      if (event) taken.push(event.type);
      return event;
    };
    await once(quiet, 'secureConnect');
    expect(taken).toContain('connected');
    // Only the ClientHello's message and state events, made by connect() before there is a socket to listen on
    // (a 'tlsEvent' listener attached after connect() still gets them).
    expect(taken.filter((type) => ['secret', 'handshake-message', 'state', 'decision'].includes(type))).toEqual(['handshake-message', 'state']);
    // The engine never needed the events: the exporter still works from its own secret.
    expect(quiet.exportKeyingMaterial(32, 'EXPORTER-test', Buffer.alloc(0))).toHaveLength(32);
    quiet.destroy();

    const logged = connect(port);
    const lines: string[] = [];
    logged.on('keylog', (line: Buffer) => lines.push(line.toString('latin1').split(' ')[0]!));
    await once(logged, 'secureConnect');
    logged.destroy();
    expect(lines.sort()).toEqual(['CLIENT_HANDSHAKE_TRAFFIC_SECRET', 'CLIENT_TRAFFIC_SECRET_0', 'EXPORTER_SECRET', 'SERVER_HANDSHAKE_TRAFFIC_SECRET', 'SERVER_TRAFFIC_SECRET_0']);
    // The server has a 'keylog' listener: its sockets of both connections logged theirs.
    expect(keylog.map((line) => line.split(' ')[0]).filter((label) => label === 'SERVER_TRAFFIC_SECRET_0')).toHaveLength(2);
  });
});
