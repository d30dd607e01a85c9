// tlsfuzzer's test-tls13-lengths, probe by probe: "Check if different lengths of plaintext are handled
// correctly", from 1 byte to 2^14 (RFC 8446 §5.1: "The length MUST NOT exceed 2^14 bytes"), against an echo
// server: the reply is one record of the same length. `tls13 serve` answers with a page, not an echo, so the
// script does not apply to it as such; here the application on top of our server echoes what it reads (as
// the script's `tls.py server --echo`). The script samples 1,000 lengths per suite (-C); here the edges and a
// spread between them, in each default suite.
import { describe, expect, it } from 'vitest';
import { makeIdentity } from '../../src/testing/certs.js';
import { rsaTestKey } from '../../src/testing/rsa-keys.js';
import { NamedGroup } from '../../src/wire/enums.js';
import { rnd } from '../handshake/abort-harness.js';
import { rsaScriptExtensions, ScriptedClient } from './scripted-client.js';

const rsaServer = makeIdentity({ subject: { CN: 'example.test' }, privateKey: rsaTestKey() }, rnd);
const LENGTHS = [1, 2, 15, 16, 17, 255, 256, 1000, 4095, 4096, 8192, 16383, 16384];

describe.each([
  ['TLS_AES_128_GCM_SHA256', 0x1301],
  ['TLS_AES_256_GCM_SHA384', 0x1302],
  ['TLS_CHACHA20_POLY1305_SHA256', 0x1303],
] as const)('-C %s', (_, cipher) => {
  it.each(LENGTHS)('"length: %i": the data ("A" * (n - 1) + "\\n") arrives whole, and its echo is one record of n bytes', (length) => {
    const client = new ScriptedClient({ certificate: rsaServer }, `lengths ${cipher} ${length}`);
    expect(client.hello([cipher, 0x00ff], rsaScriptExtensions(client, NamedGroup.secp256r1)).alerts).toEqual([]);
    expect(client.finish().alerts).toEqual([]);
    const data = new Uint8Array(length).fill(0x41);
    data[length - 1] = 0x0a;
    client.server.takeEvents();
    expect(client.send(data).alerts).toEqual([]);
    const received = client.server.takeEvents().flatMap((e) => (e.type === 'data' ? [e.data] : []));
    expect(received).toEqual([data]);
    client.server.write(received[0]!);
    const echo = client.read();
    expect(echo.applicationData.map((d) => d.length)).toEqual([length]);
    expect(echo.applicationData[0]).toEqual(data);
  });
});
