// The loader of OpenSSL `-debug` recordings stored under vectors/published-traces/openssl/: "write to" (this
// side's bytes) and "read from" (the peer's) lines, each followed by OpenSSL's hex dump ("0000 - 16 03 01 ...-..."
// with the ASCII column left out), then the connection's key-log lines (NSS key log format); '#' lines name the source.
import { readFileSync } from 'node:fs';
import { fromHex } from '../../src/wire/bytes.js';
import { splitRecords } from './rfc8448-replay.js';

export interface OpenSslDebugTrace {
  /** The records the recording side wrote, each with its 5-byte header. */
  written: Uint8Array[];
  /** The records it read. */
  read: Uint8Array[];
  /** Key-log label (CLIENT_HANDSHAKE_TRAFFIC_SECRET, ...) to its secret. */
  keylog: Map<string, Uint8Array>;
  clientRandom: Uint8Array;
}

export function loadOpenSslDebugTrace(name: string): OpenSslDebugTrace {
  const text = readFileSync(new URL(`../../vectors/published-traces/openssl/${name}`, import.meta.url), 'utf8');
  const streams = { write: '', read: '' };
  let direction: keyof typeof streams | undefined;
  const keylog = new Map<string, Uint8Array>();
  let clientRandom = '';
  for (const line of text.split('\n')) {
    const io = /^(write) to |^(read) from /.exec(line);
    const secret = /^([A-Z_0-9]+) ([0-9a-f]{64}) ([0-9a-f]+)$/.exec(line);
    if (io) direction = (io[1] ?? io[2]) as keyof typeof streams;
    else if (secret) {
      keylog.set(secret[1]!, fromHex(secret[3]!));
      clientRandom = secret[2]!;
    } else if (/^[0-9a-f]{4} - /.test(line)) streams[direction!] += line.slice(7).replace(/[-\s]/g, '');
  }
  return { written: splitRecords(fromHex(streams.write)), read: splitRecords(fromHex(streams.read)), keylog, clientRandom: fromHex(clientRandom) };
}
