// `tls13 demo`: an in-memory client and server complete a handshake and exchange a message, and every
// handshake message, decision, state transition and secret is printed. Deterministic for a given seed.
import type { PeerIdentity } from '../auth/trust.js';
import { escapeListedName } from '../auth/x509.js';
import { InMemoryPair } from '../handshake/pair.js';
import type { Role, TlsEvent } from '../handshake/events.js';
import { KeylogCollector } from '../trace/keylog.js';
import { TextNarrator } from '../trace/text.js';
import { equalBytes, utf8 } from '../wire/bytes.js';
import { createInterface } from 'node:readline';
import { cryptoProvider, flag, str, type Command } from './args.js';
import { checkWritable, openKeylog, UsageError, useColor, type Io } from './io.js';
import { privateFileAppender, writeOutputFile, type Appender } from './output-files.js';
import { SCENARIOS, type DemoSetup } from '../scenarios/catalog.js';
import { meetsExpectation, outcomeOf } from '../scenarios/mutual-tls.js';
import { toPcap } from '../trace/pcap.js';
import { createTraceSink, parseTraceSpec, type TraceSink, type TraceSinkOptions, type TraceSpec } from '../trace/sink.js';
import { TEST_NOW } from '../testing/certs.js';
import type { PskPeerIdentity } from '../handshake/external-psk.js';

const DEFAULT_SEED = 'tls13-lab';

/** "who the peer is" in one line: subject, SANs, the SPKI pin; or the external PSK it proved. */
export function describePeer(peer: PeerIdentity | PskPeerIdentity | undefined): string {
  if (!peer) return 'none (no certificate)';
  if (peer.kind === 'psk') return `external PSK "${peer.identity}" (${peer.hash})`;
  const sans = [...peer.dnsNames, ...peer.ipAddresses, ...peer.uris, ...peer.emails];
  // No subject: a raw key, or a certificate a key pin accepted, whose names nobody vouched for (auth/trust.ts).
  const unnamed = peer.certificateSha256 === undefined ? 'a raw public key (RFC 7250)' : 'a certificate whose key is pinned (its names not vouched for)';
  const who = peer.subject === undefined ? unnamed : peer.subject || '(empty subject)';
  // A SAN is an IA5String of the peer's choice (a line feed, ESC, a backslash, a space): escaped, as the subject
  // already is (x509.ts), so that no name reads as an escape or as two names.
  const named = sans.length ? `, SANs ${sans.map(escapeListedName).join(' ')}` : '';
  return `${who}${named}, ${peer.keyType} key, SPKI pin sha256/${peer.spkiSha256Base64}`;
}

export const demoCommand: Command = {
  name: 'demo',
  summary: 'an in-memory handshake with every message, decision and secret explained',
  usage: [`tls13 demo [options]`],
  description: `Runs a client and a server in memory, back to back, and narrates their handshake: one heading per handshake message (ClientHello →, ← ServerHello, ...), each side's decisions with their reasons, the state transitions of RFC 8446 Appendix A, and every secret of the key schedule. Then the two sides exchange a message and the verdict says who the client is. Same seed, same bytes.`,
  options: {
    scenario: { type: 'string', value: 'NAME', help: `the handshake to run:\n${Object.entries(SCENARIOS)
        .map(([name, s]) => `${name}${name === 'mutual-tls' ? ' (default)' : ''}: ${s.summary}`)
        .join('\n')}` },
    seed: { type: 'string', value: 'S', help: `seed of every random byte and key (default "${DEFAULT_SEED}")` },
    trace: { type: 'string', value: 'FORMAT[=FILE]', help: `text: the narration plus an annotated hex dump of each message; json: one JSON object per event per line ("v":1, see docs/trace.md); html: an illustrated page (one self-contained file) of the whole connection. With =FILE the trace goes to FILE and the narration stays on the terminal.` },
    step: { type: 'boolean', help: `pause after each handshake message (Enter: go on, q: stop)` },
    pcap: { type: 'string', value: 'FILE', help: `write the session as a pcap file (synthetic TCP/IP, 127.0.0.1 -> 127.0.0.2:443); open it in Wireshark together with --keylog` },
    keylog: { type: 'string', value: 'FILE', help: `append NSS key-log lines (also: the SSLKEYLOGFILE environment variable)` },
    'no-secrets': { type: 'boolean', help: `do not print secret values` },
    crypto: { type: 'string', value: 'node|noble', help: `the crypto provider: node:crypto or the pure-JavaScript @noble packages (default, so seeded output reproduces)` },
  },

  async run(args, io) {
    const name = str(args, 'scenario') ?? 'mutual-tls';
    const scenario = SCENARIOS[name];
    if (!scenario) throw new UsageError(`--scenario ${name}: unknown scenario (known: ${Object.keys(SCENARIOS).join(', ')})`);
    const traceText = str(args, 'trace');
    const secrets = !flag(args, 'no-secrets');
    const seed = str(args, 'seed') ?? DEFAULT_SEED;
    const setup = scenario.setup(seed);
    const sink = traceText === undefined || traceText === 'none' ? undefined : openTraceSink(traceText, io, { secrets, title: `tls13 demo --scenario ${name}`, description: setup.story });
    // The narration goes to the terminal unless a JSON or HTML trace takes standard output.
    const narrate = !sink || sink.spec.file !== undefined || sink.spec.format === 'text';
    const stepAsked = flag(args, 'step');
    if (stepAsked && !narrate) throw new UsageError(`--step needs the narration on standard output; write the ${sink!.spec.format} trace to a file (--trace ${sink!.spec.format}=FILE)`);
    // Without standard input (an in-process caller's Io has none) no answer can come: no pauses, one note.
    const step = stepAsked && io.stdin !== undefined;
    const pcapPath = str(args, 'pcap');
    if (pcapPath) checkWritable('--pcap', pcapPath);
    const appendKeylog = openKeylog(str(args, 'keylog'), io);

    const tracing = sink !== undefined;
    const provider = cryptoProvider(args, 'noble');
    // After every flag is checked: a usage error stays the only line on stderr.
    if (stepAsked && !step) io.stderr.write('--step: no standard input to answer from; running without pauses\n');
    const pair = new InMemoryPair(
      // A scenario's attacker brings its own provider (stolen-certificate: one that lets mallory's signature out).
      { ...setup.client, provider: setup.client.provider ?? provider, trace: tracing, traceRecords: sink?.spec.format === 'html' },
      { ...setup.server, provider, trace: tracing },
    );
    const out = (line: string) => io.stdout.write(`${line}\n`);
    // A text trace on standard output is the narration with hex dumps; otherwise the narration is plain.
    const narrator = new TextNarrator({ secrets, hexdump: sink?.spec.format === 'text' && !sink.spec.file, color: useColor(io) });
    const toStdout = sink !== undefined && !sink.spec.file;
    if (narrate) {
      out(`tls13 demo --scenario ${name} --seed ${JSON.stringify(seed)}`);
      for (const line of setup.story) out(line);
    }

    let shown = 0;
    let received = 0;
    const pauser = step ? stepPrompt(io.stdin!, io) : undefined;
    // Stepping: a message is told when its receiver processes it, followed by the receiver's reaction;
    // its sender only says it sent it. Sent messages nobody processed yet, oldest first:
    const unreceived: Array<{ side: Role; event: Extract<TlsEvent, { type: 'handshake-message' }> }> = [];
    /** Narrates and traces the log entries not shown yet; false when the user asked to stop. */
    const show = async (): Promise<boolean> => {
      for (; shown < pair.log.length; shown++) {
        const { side, event } = pair.log[shown]!;
        if (sink && !(toStdout && sink.spec.format === 'text')) sink.event(side, event);
        if (!narrate) continue;
        if (pauser && event.type === 'handshake-message') {
          if (event.direction === 'out') {
            unreceived.push({ side, event });
            out(narrator.sends(side, event));
            continue;
          }
          if (received++ > 0 && !(await pauser.pause())) return false;
          const sent = unreceived.findIndex((u) => equalBytes(u.event.raw, event.raw));
          if (sent >= 0) unreceived.splice(sent, 1);
          // The first rendering of a message is its whole text; the second, the receiver's "receives" line.
          for (const line of narrator.render(side, event)) out(line);
        }
        for (const line of narrator.render(side, event)) out(line);
      }
      return true;
    };
    /** Stepping: the messages that were sent but never processed (the peer failed first), in full. */
    const showUnreceived = () => {
      for (const { side, event } of unreceived.splice(0)) {
        for (const line of narrator.render(side, event)) out(line);
        out(`  (the ${side === 'client' ? 'server' : 'client'} never processed it)`);
      }
    };
    const deliver = step
      ? async () => {
          while (pair.stepRecord('client') ?? pair.stepRecord('server')) if (!(await show())) return false;
          return show();
        }
      : async () => {
          pair.run();
          return true;
        };

    const finished = await playSession(pair, setup, deliver);
    pauser?.close();
    if (finished) await show();
    if (finished) showUnreceived();

    const keylog = new KeylogCollector();
    for (const { event } of pair.log) {
      const line = keylog.add(event);
      if (line && appendKeylog) appendKeylog(line);
    }
    if (pcapPath) writeOutput('--pcap', pcapPath, toPcap(pair.wire, { startTime: TEST_NOW }));
    sink?.end();
    if (!finished) {
      out('stopped (q)');
      return 0;
    }
    if (narrate) {
      out('');
      for (const line of verdict(pair)) out(line);
    }
    // A scenario that shows a refusal succeeds when the refusal happens as expected.
    if (setup.expected) return meetsExpectation(setup.expected, outcomeOf(pair)) ? 0 : 1;
    return handshakeSucceeded(pair.log) ? 0 : 1;
  },
};

/**
 * The demo conversation: handshake, what the scenario does once connected (a KeyUpdate, a post-handshake
 * CertificateRequest), one message each way, then close_notify from each side.
 */
async function playSession(pair: InMemoryPair, setup: DemoSetup, deliver: () => Promise<boolean>): Promise<boolean> {
  if (!(await deliver())) return false;
  if (!pair.client.isConnected || !pair.server.isConnected) return true;
  if (setup.afterConnected) {
    setup.afterConnected(pair);
    if (!(await deliver())) return false;
  }
  pair.client.write(utf8.encode(setup.clientMessage));
  if (!(await deliver())) return false;
  pair.server.write(utf8.encode(setup.serverReply));
  if (!(await deliver())) return false;
  pair.client.close();
  if (!(await deliver())) return false;
  pair.server.close();
  return deliver();
}

/** Terminal input for --step: a prompt, then Enter goes on and q (or Q) stops; the end of input goes on. */
function stepPrompt(input: NonNullable<Io['stdin']>, io: Io): { pause(): Promise<boolean>; close(): void } {
  const lines = createInterface({ input, terminal: false });
  const next = lines[Symbol.asyncIterator]();
  let ended = false;
  return {
    async pause() {
      if (ended) return true;
      io.stdout.write('-- Enter: next message, q: stop -- ');
      const answer = await next.next();
      io.stdout.write('\n');
      if (answer.done) ended = true;
      return answer.done || answer.value.trim().toLowerCase() !== 'q';
    },
    close: () => lines.close(),
  };
}

/** Writes a whole file, turning a failure into a usage error naming the flag. */
function writeOutput(flagName: string, file: string, data: Uint8Array | string): void {
  try {
    writeOutputFile(file, data, 'public');
  } catch (e) {
    throw new UsageError(`${flagName} ${file}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/**
 * A trace sink for a `--trace FORMAT[=FILE]` argument: to the file (created afresh) or to standard output,
 * coloured only on a terminal without NO_COLOR. For `demo`, `connect` and `serve`; call `end()` when done.
 */
export function openTraceSink(specText: string, io: Io, options: TraceSinkOptions = {}): TraceSink {
  let spec: TraceSpec;
  try {
    spec = parseTraceSpec(specText);
  } catch (e) {
    throw new UsageError(e instanceof Error ? e.message : String(e));
  }
  const file = spec.file;
  if (file === undefined) return createTraceSink(spec, io.stdout, { color: useColor(io), ...options });
  // Secrets (unless --no-secrets) and the decrypted application data: readable by the owner only.
  let output: Appender;
  try {
    output = privateFileAppender(file, 'w');
  } catch (e) {
    throw new UsageError(`--trace ${file}: ${e instanceof Error ? e.message : String(e)}`);
  }
  const target = {
    write: (text: string) => {
      try {
        output.write(text);
      } catch (e) {
        throw new UsageError(`--trace ${file}: ${e instanceof Error ? e.message : String(e)}`);
      }
    },
  };
  const sink = createTraceSink(spec, target, options);
  return {
    ...sink,
    end: () => {
      try {
        sink.end();
      } finally {
        output.close();
      }
    },
  };
}

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
