// Fuzz targets for the public API's configs: a working client or server config of one of the stateful
// scenarios, with one to three fields (at any depth: trust.anchors[0], certificate.privateKey.seed,
// resumption.ticket.psk, tickets.key, ...) replaced by a misshaped value, deleted, or joined by an unknown
// option. The invariant (docs/robustness.md): a config that does not fit is a TypeError with a one-line
// message from Connection.client / Connection.server, before anything is sent; a config that is accepted
// works, so a handshake against the scenario's unchanged peer never ends in an exception escaping the
// engine or in an internal_error of the side whose config was changed (an alert of the protocol, such as
// bad_certificate for a trust policy that no longer vouches for the peer, is a fine outcome).
// Core-safe: no node imports.
import { Connection } from '../../handshake/connection.js';
import type { ClientConfig, ServerConfig } from '../../handshake/config.js';
import type { Role, TlsEvent } from '../../handshake/events.js';
import { FEATURE_SCENARIOS, featureScenarioConfigs } from './feature-scenarios.js';
import { Choices } from './input.js';
import { SCENARIOS, scenarioConfigs, type ScenarioConfigs } from './scenarios.js';
import type { CryptoProvider } from '../../crypto/provider.js';

export class ConfigViolation extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigViolation';
  }
}

const ALL_SCENARIOS = [...SCENARIOS, ...FEATURE_SCENARIOS] as const;

/** Misshaped values: wrong types, out-of-range numbers, wrong lengths, objects of the wrong kind. */
const WRONG_VALUES: ReadonlyArray<() => unknown> = [
  () => null,
  () => 0,
  () => -1,
  () => 1.5,
  () => NaN,
  () => Infinity,
  () => 2 ** 53,
  () => '',
  () => 'x',
  () => 'ed25519',
  () => '\u0000\n',
  () => true,
  () => [],
  () => [0],
  () => [null],
  () => ['x'],
  () => ({}),
  () => ({ kind: 'ed25519' }),
  () => ({ kind: 'ed25519', seed: new Uint8Array(3) }),
  () => ({ kind: 'ecdsa', curve: 'P-256', d: new Uint8Array(0) }),
  () => ({ kind: 'rsa', n: 15n, e: 3n, d: 3n }),
  () => ({ kind: 'ca', anchors: [new Uint8Array(4)] }),
  () => ({ kind: 'pinned-key', spkiSha256: ['zz'] }),
  () => ({ kind: 'bogus' }),
  () => new Uint8Array(0),
  () => new Uint8Array(1),
  () => new Uint8Array(33),
  () => new Uint8Array(70000),
  () => Uint8Array.of(0x30, 0x03, 0x02, 0x01, 0x00),
  () => () => undefined,
  () => () => 'not bytes',
  () => () => {
    throw new Error('a callback that throws');
  },
  () => 1n,
  () => Symbol('s'),
  () => new Date(0),
  () => new Uint16Array(4),
];

type Path = Array<string | number>;

/** Every path inside the config that a caller writes: objects and arrays, not the provider or byte arrays. */
function paths(value: unknown, prefix: Path = [], out: Path[] = []): Path[] {
  if (prefix.length > 0) out.push(prefix);
  if (prefix.length >= 5 || value === null || typeof value !== 'object' || value instanceof Uint8Array) return out;
  if (prefix[prefix.length - 1] === 'provider' || prefix[prefix.length - 1] === 'antiReplay') return out;
  for (const [key, child] of Object.entries(value as object)) {
    if (key === 'certificate' && prefix.length > 0) continue; // a parsed Certificate inside a test identity: not config
    paths(child, [...prefix, Array.isArray(value) ? Number(key) : key], out);
  }
  return out;
}

/** A copy of the objects and arrays along `path`, so the scenario's shared material is never edited. */
function editAt(root: Record<string, unknown>, path: Path, edit: (parent: Record<string | number, unknown>, key: string | number) => void): void {
  let node: Record<string | number, unknown> = root;
  for (const key of path.slice(0, -1)) {
    const child = node[key];
    const copy = (Array.isArray(child) ? [...child] : { ...(child as object) }) as Record<string | number, unknown>;
    node[key] = copy;
    node = copy;
  }
  edit(node, path[path.length - 1]!);
}

const show = (path: Path) => path.map((k) => (typeof k === 'number' ? `[${k}]` : `.${k}`)).join('').slice(1);

/** Applies the input's mutations to one side's config; returns the description. */
export function mutateConfig(config: Record<string, unknown>, c: Choices): string {
  const steps: string[] = [];
  /** Per path, whether it held a callback (or nothing) before this input's first edit of it. */
  const callbackSlot = new Map<string, boolean>();
  const rounds = 1 + c.below(3);
  for (let r = 0; r < rounds; r++) {
    const all = paths(config);
    const path = all[c.below(all.length)]!;
    const current = path.reduce<unknown>((node, key) => (node as Record<string | number, unknown>)?.[key], config);
    if (!callbackSlot.has(show(path))) callbackSlot.set(show(path), typeof current === 'function' || current === null || current === undefined);
    const op = c.below(8);
    if (op === 0) {
      editAt(config, path, (parent, key) => {
        if (Array.isArray(parent)) parent.splice(key as number, 1);
        else delete parent[key];
      });
      steps.push(`delete ${show(path)}`);
    } else if (op === 1 && !Array.isArray(current)) {
      const name = c.pick(['servername', 'groupz', '__proto__', 'constructor', 'kind']);
      editAt(config, [...path, name], (parent, key) => Object.defineProperty(parent, key, { value: 1, enumerable: true, configurable: true, writable: true }));
      steps.push(`add ${show(path)}.${name}`);
    } else {
      let index = c.below(WRONG_VALUES.length);
      editAt(config, path, (parent, key) => {
        // A callback swapped for another callback that misbehaves is the caller's own code failing: out of
        // scope. So is a function put where a callback was removed (null) or absent, judged by what the slot
        // held before this input touched it (a later round may put a function where an earlier put a number,
        // or an added field made the function an object).
        if (callbackSlot.get(show(path)) && typeof WRONG_VALUES[index]!() === 'function') index = 0;
        parent[key] = WRONG_VALUES[index]!();
      });
      steps.push(`${show(path)} = wrong value #${index}`);
    }
  }
  return steps.join('; ');
}

/** The first error message line a caller would print, checked to be one line. */
export function oneLine(e: unknown, what: string): string {
  if (!(e instanceof TypeError)) throw new ConfigViolation(`${what} threw ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}, not a TypeError`);
  if (e.message.includes('\n') || e.message.length === 0) throw new ConfigViolation(`${what} threw a TypeError whose message is not one line: ${JSON.stringify(e.message)}`);
  return 'TypeError';
}

/** Runs the two sides until quiet; an exception out of the engine, or our own internal_error, is a violation. */
export function handshake(conns: Record<Role, Connection>, mutated: Role): string {
  const events: Record<Role, TlsEvent[]> = { client: [], server: [] };
  for (let step = 0; step < 32; step++) {
    let moved = false;
    for (const from of ['client', 'server'] as const) {
      const to = from === 'client' ? 'server' : 'client';
      const bytes = conns[from].takeOutput();
      if (bytes.length === 0) continue;
      moved = true;
      try {
        conns[to].receive(bytes);
      } catch (e) {
        throw new ConfigViolation(`${to}.receive threw ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
      }
      events.client.push(...conns.client.takeEvents());
      events.server.push(...conns.server.takeEvents());
    }
    if (!moved) break;
  }
  const alert = events[mutated].find((e): e is Extract<TlsEvent, { type: 'alert' }> => e.type === 'alert' && e.direction === 'out' && e.level === 'fatal');
  if (alert?.description === 'internal_error') throw new ConfigViolation(`the ${mutated} accepted its config, then failed with internal_error: ${alert.detail ?? ''}`);
  if (alert) return `alert ${alert.description}`;
  return conns.client.isConnected && conns.server.isConnected ? 'connected' : 'stalled';
}

export const CONFIG_TARGETS = ['api:client', 'api:server'] as const;
export type ConfigTargetName = (typeof CONFIG_TARGETS)[number];

/** One input: the scenario (first byte), then the mutations' choices. */
export function runConfigCase(target: ConfigTargetName, input: Uint8Array, provider: CryptoProvider): string {
  const c = new Choices(input);
  const scenario = ALL_SCENARIOS[c.below(ALL_SCENARIOS.length)]!;
  const configs: ScenarioConfigs = (FEATURE_SCENARIOS as readonly string[]).includes(scenario)
    ? featureScenarioConfigs(scenario as (typeof FEATURE_SCENARIOS)[number], provider, 1)
    : scenarioConfigs(scenario as (typeof SCENARIOS)[number], provider, 1);
  const role: Role = target === 'api:client' ? 'client' : 'server';
  const description = mutateConfig(configs[role] as unknown as Record<string, unknown>, c);
  try {
    let mutatedSide: Connection;
    try {
      mutatedSide = role === 'client' ? Connection.client(configs.client as ClientConfig) : Connection.server(configs.server as ServerConfig);
    } catch (e) {
      return `${scenario} ${description}: ${oneLine(e, `Connection.${role}`)}`;
    }
    // The other side is made second: a client sends its ClientHello from its constructor.
    const conns = role === 'client' ? { client: mutatedSide, server: Connection.server(configs.server) } : { client: Connection.client(configs.client), server: mutatedSide };
    return `${scenario} ${description}: accepted, ${handshake(conns, role)}`;
  } catch (e) {
    if (e instanceof ConfigViolation) e.message += ` (${scenario}: ${description})`;
    throw e;
  }
}
