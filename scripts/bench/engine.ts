// Our engine under the bench: whole handshakes between two connections that hand each other their output
// (as the adapter does: no InMemoryPair, whose event log, wire log and record queue are a test tool's, not
// a connection's cost), and 16 KiB records through a connected pair, next to the provider's bare AEAD on the
// same sizes.
import { AEAD_TAG_LENGTHS, type AeadName, type CryptoProvider, type RandomSource } from '../../src/crypto/provider.js';
import type { ClientConfig, ServerConfig } from '../../src/handshake/config.js';
import { Connection } from '../../src/handshake/connection.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import type { RecordPool } from '../../src/node/record-pool.js';
import type { SuiteInfo } from '../../src/handshake/suites.js';
import { engineConfigs, type HandshakeCase } from './cases.js';

/**
 * A client and a server connection that have completed their handshake, each side's output handed to the
 * other and the events taken, as an application would; nothing else holds them.
 */
export function connectedPair(clientConfig: ClientConfig, serverConfig: ServerConfig): [Connection, Connection] {
  const client = Connection.client(clientConfig);
  const server = Connection.server(serverConfig);
  for (let flights = 0; flights < 8 && !(client.isConnected && server.isConnected); flights++) {
    server.receive(client.takeOutput());
    client.receive(server.takeOutput());
  }
  server.receive(client.takeOutput());
  client.takeEvents();
  server.takeEvents();
  if (!client.isConnected || !server.isConnected) throw new Error(`handshake did not complete (client ${client.state}, server ${server.state})`);
  return [client, server];
}

/** A function doing one full handshake with fresh connections; it throws unless both sides end connected. */
export function engineHandshake(c: HandshakeCase, provider: CryptoProvider, random: RandomSource): () => void {
  const { client, server } = engineConfigs(c, provider, random);
  return () => {
    const [clientSide] = connectedPair(client, server);
    if ((c.variant === 'resumption') !== (clientSide.info.resumed === true)) throw new Error(`${c.name}: resumed is ${clientSide.info.resumed}`);
  };
}

/** The largest TLSPlaintext fragment (RFC 8446 §5.1): one full record of application data. */
export const RECORD_PAYLOAD = 2 ** 14;
/** RFC 8446 §5.2: the AEAD input is the payload plus the inner content type byte; the header is the AAD. */
const INNER_PLAINTEXT = RECORD_PAYLOAD + 1;
const RECORD_HEADER = 5;
const NONCE_LENGTH = 12;

/**
 * A function sending `records` full records, one at a time, from client to server of a connected pair
 * using `suite`: the client seals and frames each, the server parses, opens and delivers it as a `data` event.
 * With `pool`, the client seals into the pool's memory and gives each record back once the server has taken
 * it, as the node adapter does over a socket (records given back in the socket write's callback); without,
 * every record is a new array (Connection's default).
 */
export function engineRecordTransfer(c: HandshakeCase, suite: SuiteInfo, provider: CryptoProvider, random: RandomSource, records: number, pool?: RecordPool): () => void {
  const { client, server } = engineConfigs(c, provider, random);
  const pair = new InMemoryPair({ ...client, cipherSuites: [suite.code] }, { ...server, cipherSuites: [suite.code] }).run();
  if (pair.client.info.cipherSuite !== suite.name) throw new Error(`negotiated ${pair.client.info.cipherSuite}, not ${suite.name}`);
  const payload = random(RECORD_PAYLOAD);
  if (pool === undefined) {
    return () => {
      for (let i = 0; i < records; i++) {
        pair.client.write(payload);
        pair.server.receive(pair.client.takeOutput());
        expectDelivered(pair.server, RECORD_PAYLOAD);
      }
    };
  }
  pair.client.sealRecordsWith(pool.allocate);
  return () => {
    for (let i = 0; i < records; i++) {
      pair.client.write(payload);
      const sent = pair.client.takeOutputRecords();
      for (const record of sent) pair.server.receive(record);
      expectDelivered(pair.server, RECORD_PAYLOAD);
      // The server has opened every record whole (nothing of them left in its buffer): they may be reused.
      for (const record of sent) pool.release(record);
    }
  };
}

function expectDelivered(receiver: Connection, length: number): void {
  let delivered = 0;
  for (const event of receiver.takeEvents()) if (event.type === 'data') delivered += event.data.length;
  if (delivered !== length) throw new Error(`delivered ${delivered} bytes, expected ${length}`);
}

/**
 * A function doing what the record layer must do at least for `records` records, with the provider's best
 * calls: seal each into memory already at hand (`sealInto` one reused array, where the provider has it) and
 * open it with the bare AEAD.
 */
export function rawAeadRoundTrip(aead: AeadName, provider: CryptoProvider, random: RandomSource, records: number): () => void {
  const key = provider.createAead(aead, random(provider.aeadKeyLength(aead)));
  const nonce = random(NONCE_LENGTH);
  const aad = random(RECORD_HEADER);
  const plaintext = random(INNER_PLAINTEXT);
  const sealed = new Uint8Array(INNER_PLAINTEXT + AEAD_TAG_LENGTHS[aead]);
  const seal = key.sealInto ? () => (key.sealInto!(nonce, aad, plaintext, sealed), sealed) : () => key.seal(nonce, aad, plaintext);
  return () => {
    for (let i = 0; i < records; i++) {
      const opened = key.open(nonce, aad, seal());
      if (opened?.length !== INNER_PLAINTEXT) throw new Error(`${aead} did not open its own ciphertext`);
    }
  };
}
