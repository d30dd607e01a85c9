// `tls13 demo`: an in-memory client and server complete a handshake and exchange a message, and every
// handshake message, decision, state transition and secret is printed. Deterministic for a given seed.
import type { PeerIdentity } from '../auth/trust.js';
import { InMemoryPair } from '../handshake/pair.js';
import type { Role, TlsEvent } from '../handshake/events.js';
import { jsonTraceLine } from '../trace/json.js';
import { KeylogCollector } from '../trace/keylog.js';
import { TextNarrator } from '../trace/text.js';
import { utf8 } from '../wire/bytes.js';
import { choice, flag, str, type Command } from './args.js';
import { keylogAppender, keylogFile, UsageError, useColor } from './io.js';
import { SCENARIOS } from './scenarios.js';

const DEFAULT_SEED = 'tls13-lab';

/** "who the peer is" in one line: subject, SANs, the SPKI pin. */
export function describePeer(peer: PeerIdentity | undefined): string {
  if (!peer) return 'none (no certificate)';
  const sans = [...peer.dnsNames, ...peer.ipAddresses, ...peer.uris, ...peer.emails];
  return `${peer.subject || '(empty subject)'}${sans.length ? `, SANs ${sans.join(' ')}` : ''}, ${peer.keyType} key, SPKI pin sha256/${peer.spkiSha256Base64}`;
}

export const demoCommand: Command = {
  name: 'demo',
  summary: 'an in-memory handshake with every message, decision and secret explained',
  help: `Usage: tls13 demo [options]

Runs a client and a server in memory, back to back, and narrates their handshake: one heading per
handshake message (ClientHello →, ← ServerHello, ...), each side's decisions with their reasons, the state
transitions of RFC 8446 Appendix A, and every secret of the key schedule. Then the two sides exchange a
message and the verdict says who the client is. Same seed, same bytes.

Options:
  --scenario NAME    ${Object.entries(SCENARIOS)
    .map(([name, s]) => `${name}${name === 'mutual-tls' ? ' (default)' : ''}: ${s.summary}`)
    .join('\n                     ')}
  --seed S           seed of every random byte and key (default "${DEFAULT_SEED}")
  --trace text|json  text: the narration plus an annotated hex dump of each message;
                     json: one JSON object per event per line ("v":1, see docs/cli.md)
  --keylog FILE      append NSS key-log lines (also: the SSLKEYLOGFILE environment variable)
  --no-secrets       do not print secret values
`,
  options: {
    scenario: { type: 'string' },
    seed: { type: 'string' },
    trace: { type: 'string' },
    keylog: { type: 'string' },
    'no-secrets': { type: 'boolean' },
  },
  async run(args, io) {
    const name = str(args, 'scenario') ?? 'mutual-tls';
    const scenario = SCENARIOS[name];
    if (!scenario) throw new UsageError(`--scenario ${name}: unknown scenario (known: ${Object.keys(SCENARIOS).join(', ')})`);
    const trace = choice(args, 'trace', ['text', 'json', 'none'], 'none');
    const secrets = !flag(args, 'no-secrets');
    const seed = str(args, 'seed') ?? DEFAULT_SEED;
    const keylogPath = keylogFile(str(args, 'keylog'), io);
    const appendKeylog = keylogPath ? keylogAppender(keylogPath) : undefined;

    const setup = scenario.setup(seed);
    const tracing = trace !== 'none';
    const pair = new InMemoryPair({ ...setup.client, trace: tracing }, { ...setup.server, trace: tracing });
    pair.run();
    if (pair.client.isConnected && pair.server.isConnected) {
      pair.client.write(utf8.encode(setup.clientMessage));
      pair.run();
      pair.server.write(utf8.encode(setup.serverReply));
      pair.run();
      pair.client.close();
      pair.run();
    }

    const keylog = new KeylogCollector();
    for (const { event } of pair.log) {
      const line = keylog.add(event);
      if (line && appendKeylog) appendKeylog(line);
    }

    const out = (line: string) => io.stdout.write(`${line}\n`);
    if (trace === 'json') {
      for (const { side, event } of pair.log) out(jsonTraceLine(side, event, { secrets }));
    } else {
      const narrator = new TextNarrator({ secrets, hexdump: trace === 'text', color: useColor(io) });
      out(`tls13 demo --scenario ${name} --seed ${JSON.stringify(seed)}`);
      for (const line of setup.story) out(line);
      for (const { side, event } of pair.log) for (const line of narrator.render(side, event)) out(line);
      out('');
      for (const line of verdict(pair)) out(line);
    }
    return handshakeSucceeded(pair.log) ? 0 : 1;
  },
};

function handshakeSucceeded(log: ReadonlyArray<{ side: Role; event: TlsEvent }>): boolean {
  return ['client', 'server'].every((side) => log.some((e) => e.side === side && e.event.type === 'connected'));
}

function verdict(pair: InMemoryPair): string[] {
  if (!handshakeSucceeded(pair.log)) {
    const alert = pair.log.find((e) => e.event.type === 'alert' && e.event.direction === 'out');
    const why = alert?.event.type === 'alert' ? `${alert.side} sent ${alert.event.description} (${alert.event.detail ?? ''})` : 'no alert';
    return [`verdict: the handshake failed: ${why}`];
  }
  const server = pair.client.info.peer;
  const client = pair.server.info.peer;
  const lines = [`verdict: the client trusts the server: ${server ? `${server.verdict.rule}: ${server.verdict.detail}` : 'no verdict'}`];
  lines.push(`  server is ${describePeer(server)}`);
  if (client) {
    lines.push(`verdict: the server trusts the client: ${client.verdict.rule}: ${client.verdict.detail}`);
    lines.push(`  client is ${describePeer(client)}`);
  } else {
    lines.push(`verdict: the client is anonymous (client auth: ${pair.server.info.clientAuth ?? 'not-requested'})`);
  }
  return lines;
}
