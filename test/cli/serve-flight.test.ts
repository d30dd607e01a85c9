// `tls13 serve --one-message-per-record --no-sni-ack` (docs/replay.md), run as the real command: the
// structure of the flight our client receives from it, with the flags and without.
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { receivedFlightStructure } from '../../src/testing/flight-structure.js';
import { clientEventsOverTcp, ticketsReceived } from '../../src/testing/tcp-client.js';
import { ExtensionType } from '../../src/wire/enums.js';
import { runCli, startServe } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'tls13-serve-flight-'));
const file = (name: string) => join(dir, name);
let pin: Uint8Array;

beforeAll(async () => {
  await runCli(['cert', '--out-cert', file('leaf.pem'), '--out-key', file('leaf.key'), '--type', 'p256', '--dns', 'localhost']);
  pin = new Uint8Array(new X509Certificate(readFileSync(file('leaf.pem'))).raw);
}, 30_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function flightOf(flags: string[]) {
  const server = await startServe(['--cert', file('leaf.pem'), '--key', file('leaf.key'), '--tickets', '2', ...flags]);
  try {
    const events = await clientEventsOverTcp(server.port, { serverName: 'localhost', trust: { kind: 'pinned-certificate', certificates: [pin] }, now: Date.now, traceRecords: true }, ticketsReceived(2));
    return receivedFlightStructure(events);
  } finally {
    await server.stop();
  }
}

describe('tls13 serve shapes its flight from the command line', () => {
  it('default: the flight coalesced, server_name acknowledged', async () => {
    const flight = await flightOf([]);
    expect(flight.records).toContain('encrypted_extensions+certificate+certificate_verify+finished');
    expect(flight.extensionOrders.encrypted_extensions).toEqual([[ExtensionType.server_name]]);
  }, 20_000);

  it('--one-message-per-record --no-sni-ack: a record per message, tickets too, and no acknowledgement', async () => {
    const flight = await flightOf(['--one-message-per-record', '--no-sni-ack']);
    expect(flight.records.filter((r) => r !== 'change_cipher_spec')).toEqual([
      'server_hello', 'encrypted_extensions', 'certificate', 'certificate_verify', 'finished', 'new_session_ticket', 'new_session_ticket',
    ]);
    expect(flight.extensionOrders.encrypted_extensions).toEqual([[]]);
  }, 20_000);
});
