import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import * as tls from 'node:tls';
import { describe, expect, it } from 'vitest';
import { encodePkcs8 } from '../../src/auth/keys.js';
import { toPem } from '../../src/auth/pem.js';
import { seededRandom } from '../../src/crypto/random.js';
import type { TlsEvent } from '../../src/handshake/events.js';
import { connect } from '../../src/node/adapter.js';
import { makeIdentity } from '../../src/testing/certs.js';
import { KeylogCollector, keylogLine } from '../../src/trace/keylog.js';

const bytes = (length: number, start: number) => Uint8Array.from({ length }, (_, i) => (start + i) & 0xff);

describe('NSS key-log lines', () => {
  it('writes LABEL, the client random and the secret in lowercase hex, separated by single spaces', () => {
    const line = keylogLine({
      type: 'secret',
      name: 'client_handshake_traffic_secret',
      label: 'c hs traffic',
      keylog: 'CLIENT_HANDSHAKE_TRAFFIC_SECRET',
      clientRandom: bytes(32, 0xf0),
      secret: bytes(32, 0x00),
    });
    expect(line).toBe(
      'CLIENT_HANDSHAKE_TRAFFIC_SECRET ' +
        'f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff000102030405060708090a0b0c0d0e0f ' +
        '000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f',
    );
  });

  it('has no line for a secret without a key-log label', () => {
    expect(keylogLine({ type: 'secret', name: 'resumption_master_secret', label: 'res master', clientRandom: bytes(32, 0), secret: bytes(32, 1) })).toBeUndefined();
  });

  it('logs a secret both ends report only once', () => {
    const event: TlsEvent = { type: 'secret', name: 'exporter_master_secret', label: 'exp master', keylog: 'EXPORTER_SECRET', clientRandom: bytes(32, 9), secret: bytes(48, 3) };
    const collector = new KeylogCollector();
    expect(collector.add(event)).toMatch(/^EXPORTER_SECRET /);
    expect(collector.add({ ...event })).toBeUndefined();
    expect(collector.add({ type: 'state', role: 'client', from: 'START', to: 'WAIT_SH' })).toBeUndefined();
  });

  it('gives the same lines node:tls logs for the server end of the same connection', async () => {
    const random = seededRandom('keylog-vs-node');
    const identity = makeIdentity({ subject: { CN: 'localhost' }, sans: { dns: ['localhost'] }, keyType: 'p256' }, random);
    const server = tls.createServer({
      cert: toPem('CERTIFICATE', identity.der),
      key: toPem('PRIVATE KEY', encodePkcs8(identity.privateKey!)),
      minVersion: 'TLSv1.3',
    });
    const nodeLines: string[] = [];
    server.on('keylog', (line: Buffer) => nodeLines.push(line.toString('latin1').trimEnd()));
    server.on('secureConnection', (socket) => socket.end());
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const ourLines: string[] = [];
    const socket = connect({ host: '127.0.0.1', port: (server.address() as AddressInfo).port, serverName: 'localhost', trust: { kind: 'pinned-certificate', certificates: [identity.der] } });
    socket.on('tlsEvent', (event: TlsEvent) => {
      if (event.type !== 'secret') return;
      const line = keylogLine(event);
      if (line) ourLines.push(line);
    });
    socket.on('data', () => {});
    await once(socket, 'close');
    server.close();
    // Handshake and application traffic secrets of both directions, and the exporter secret.
    expect(nodeLines).toHaveLength(5);
    expect([...ourLines].sort()).toEqual([...nodeLines].sort());
  });
});
