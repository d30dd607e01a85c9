// The size cost of a key exchange, measured: the bytes of the ClientHello and the ServerHello (handshake
// header included) of real in-memory handshakes that differ only in the groups the client offers shares for.
// The post-quantum walkthrough and docs quote this table; nothing in it is written by hand.
import type { ClientConfig, ServerConfig } from '../handshake/config.js';
import { InMemoryPair } from '../handshake/pair.js';
import { namedGroupName } from '../wire/enums.js';

export interface HelloSizes {
  /** The groups the client sent key shares for, in order. */
  shares: number[];
  /** The group the server chose. */
  group: string;
  clientHello: number;
  serverHello: number;
}

/** One handshake per list of key-share groups; the server accepts each of those groups. */
export function measureHelloSizes(client: ClientConfig, server: ServerConfig, shareLists: readonly (readonly number[])[]): HelloSizes[] {
  return shareLists.map((shares) => {
    const pair = new InMemoryPair({ ...client, groups: [...shares], keyShareGroups: [...shares] }, { ...server, groups: [...shares] }).run();
    const sent = (kind: 'client_hello' | 'server_hello') => {
      const event = pair.log.find(({ event: e }) => e.type === 'handshake-message' && e.direction === 'out' && e.message.kind === kind)?.event;
      if (event?.type !== 'handshake-message') throw new Error(`no ${kind} with key shares ${shares.map(namedGroupName).join(', ')}`);
      return event.raw.length;
    };
    return { shares: [...shares], group: pair.client.info.group ?? '?', clientHello: sent('client_hello'), serverHello: sent('server_hello') };
  });
}

/** A Markdown table of the sizes, each row with its difference to the first (the baseline). */
export function helloSizeTable(rows: readonly HelloSizes[]): string[] {
  const [base] = rows;
  if (!base) return [];
  const delta = (n: number, from: number) => (n === from ? '' : ` (${n > from ? '+' : ''}${n - from})`);
  return [
    '| key shares in the ClientHello | group chosen | ClientHello bytes | ServerHello bytes |',
    '| --- | --- | ---: | ---: |',
    ...rows.map(
      (r) => `| ${r.shares.map(namedGroupName).join(' + ')} | ${r.group} | ${r.clientHello}${delta(r.clientHello, base.clientHello)} | ${r.serverHello}${delta(r.serverHello, base.serverHello)} |`,
    ),
  ];
}
