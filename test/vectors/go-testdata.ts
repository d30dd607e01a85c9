// The one loader of Go's crypto/tls recordings kept as data files under vectors/published-traces/go-crypto-tls/:
// Go's own hex dump format ("00000000  16 03 01 ..." lines under ">>> Flow N (client to server)" headers), with
// or without its ASCII column; lines starting with '#' name the source.
import { readFileSync } from 'node:fs';
import { concatList, fromHex, hex } from '../../src/wire/bytes.js';
import { splitRecords } from './rfc8448-replay.js';

export interface GoFlow {
  from: 'client' | 'server';
  /** The flow's records, each with its 5-byte header. */
  records: Uint8Array[];
}

const DIRECTORY = new URL('../../vectors/published-traces/go-crypto-tls/', import.meta.url);

export function loadGoRecording(name: string): GoFlow[] {
  const flows: { from: 'client' | 'server'; hex: string }[] = [];
  for (const line of readFileSync(new URL(`${name}.txt`, DIRECTORY), 'utf8').split('\n')) {
    const header = /^>>> Flow \d+ \((client|server) to (?:client|server)\)/.exec(line);
    if (header) flows.push({ from: header[1] as 'client' | 'server', hex: '' });
    else if (/^[0-9a-f]{8} /.test(line)) flows.at(-1)!.hex += line.slice(8).split('|')[0]!.replace(/\s/g, '');
  }
  return flows.map(({ from, hex }) => ({ from, records: splitRecords(fromHex(hex)) }));
}

/**
 * Flow `index` (from 0) of a recording as one hex string: its records from `first` to before `end` (all by
 * default), headers included. The form in which the replays written before this loader read Go's bytes.
 */
export function flowHex(flows: GoFlow[], index: number, first = 0, end?: number): string {
  return hex(concatList(flows[index]!.records.slice(first, end)));
}
