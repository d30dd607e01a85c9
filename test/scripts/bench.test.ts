// Smoke test of the bench on a tiny budget: the report's shape, the primitive counts the protocol dictates,
// and the metering provider's transparency. Timings are never asserted, only that they are positive numbers.
import { createHash, createHmac } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt } from '../cli/helpers.js';
import { renderReport, table } from '../../scripts/bench/report.js';
import { meteredProvider, Tally } from '../../scripts/bench/metering.js';
import { makeCase, makeCases } from '../../scripts/bench/cases.js';
import { engineHandshake } from '../../scripts/bench/engine.js';
import { recordProviderCalls } from '../../scripts/bench/provider-replay.js';
import { nodeTlsHasGroup } from '../../scripts/bench/node-tls.js';
import { overheads } from '../../scripts/bench/handshake-row.js';
import { bulkRatio, evaluateTargets, runBench, TARGETS, type ProviderRun, type Rate } from '../../scripts/bench/run.js';
import { measure, perCpuSecond, roundRatios, ROUNDS, typicalSlices, WARMUP_ITERATIONS, warmUpFor, type Measurement } from '../../scripts/bench/timing.js';
import { nobleProvider } from '../../src/crypto/noble.js';
import type { CryptoProvider } from '../../src/crypto/provider.js';
import { nodeCryptoProvider } from '../../src/node/crypto.js';
import { seededRandom } from '../../src/crypto/random.js';
import { SUITES } from '../../src/handshake/suites.js';
import { utf8 } from '../../src/wire/bytes.js';

function expectRate(rate: Rate): void {
  for (const value of [rate.perSecond, rate.msEach, rate.medianMs, rate.cpuMsEach]) {
    expect(Number.isFinite(value)).toBe(true);
    expect(value).toBeGreaterThan(0);
  }
  expect(rate.iterations).toBeGreaterThanOrEqual(3);
}

const calls = (run: ProviderRun) => Object.fromEntries(Object.entries(run.metered.primitives).map(([name, share]) => [name, share.callsPerHandshake]));

describe('bench', () => {
  // The handshake rows' contenders run in child processes from dist/ (scripts/bench/isolated.ts).
  beforeAll(() => ensureBuilt(), 120_000);

  it('reports a pinned Ed25519 handshake on both providers with the primitive calls RFC 8446 requires, node:tls beside it, bulk rows, memory and targets', async () => {
    const lines: string[] = [];
    const report = await runBench({ seconds: 0.01, filter: 'ed25519 pinned', connections: 20, progress: (line) => lines.push(line) });
    expect(report.handshakes.map((h) => h.name)).toEqual(['ed25519 pinned']);
    const [row] = report.handshakes;
    expect(row!.runs.map((r) => r.provider)).toEqual(['noble', 'node']);
    expectRate(row!.nodeTls!);
    // The progress line says where node:tls ran, and gives each overhead as a median and range of the rounds.
    expect(lines[0]).toMatch(/^handshake ed25519 pinned: noble [\d.]+\/s \(overhead % -?[\d.]+ \(-?[\d.]+\.\.-?[\d.]+\) after \d+ warm-up pairs\), node .*, node:tls [\d.]+\/s alone in its process$/);
    for (const run of row!.runs) {
      expectRate(run.engine);
      // The overhead per round compares handshakes with their primitives replayed, pair by pair; the target reads its median.
      expect(run.paired.pairs).toBeGreaterThanOrEqual(ROUNDS);
      // Its warm-up, as the child ran it: at most WARMUP_ITERATIONS pairs, fewer when its CPU bound ends it first.
      expect(run.paired.warmUpPairs).toBeGreaterThanOrEqual(1);
      expect(run.paired.warmUpPairs).toBeLessThanOrEqual(WARMUP_ITERATIONS);
      expect(run.paired.primitivesMs).toBeGreaterThan(0);
      expect(run.paired.handshakeMs).toBeGreaterThan(0);
      expect(run.overheadPercent).toBe(run.overhead.median);
      expect([run.overhead.min <= run.overhead.median, run.overhead.median <= run.overhead.max]).toEqual([true, true]);
      expect(Number.isFinite(run.engineMs.median) && Number.isFinite(run.typicalOverhead.median)).toBe(true);
      // The metered run: one slice after the rounds, for the primitive table.
      expect(run.metered.iterations).toBeGreaterThanOrEqual(1);
      expect(run.metered.primitiveMsPerHandshake).toBeGreaterThan(0);
      const { median, min, max } = run.vsNodeTls!;
      expect(min).toBeGreaterThan(0);
      expect([min <= median, median <= max]).toEqual([true, true]);
      // One key exchange (§4.2.8: the client's share, the server's answer, the client's secret), one
      // CertificateVerify made by the server and checked twice: by the server before it is sent (a faulty
      // signature would leak the key: docs/security.md) and by the client (§4.4.3); with a pinned
      // certificate no chain signature to verify: whatever the provider.
      expect(calls(run)).toMatchObject({ 'x25519 generate': 1, 'x25519 encapsulate': 1, 'x25519 decapsulate': 1, 'sign ed25519': 1, 'verify ed25519': 2 });
      // Every protected record one side seals, the other opens.
      expect(calls(run)['aead seal']).toBe(calls(run)['aead open']);
    }
    const suites = [...SUITES.values()].map((s) => s.name);
    expect(suites).toContain('TLS_CHACHA20_POLY1305_SHA256');
    expect(report.bulk.map((b) => `${b.suite} ${b.provider}`)).toEqual(suites.flatMap((s) => [`${s} noble`, `${s} node`]));
    expect(report.nodeTlsBulk.map((b) => b.suite)).toEqual(suites);
    const ratios = report.bulk.flatMap((b) => [b.shareOfAead, b.newArraysShareOfAead, b.vsNodeTls].flatMap((r) => [r.wholeSlices.median, r.typical.median]));
    for (const b of [...report.bulk.flatMap((b) => [b.engineMBps, b.engineNewArraysMBps, b.rawAeadMBps]), ...report.nodeTlsBulk.map((b) => b.MBps), ...ratios]) {
      expect(b).toBeGreaterThan(0);
    }
    expect(report.memory).toMatchObject({ connections: 20, provider: 'node:crypto' });
    const overhead = report.targets.find((t) => t.target === 'engine overhead, ed25519 pinned (noble)');
    expect(overhead).toEqual({ target: overhead!.target, measured: row!.runs[0]!.overheadPercent, goal: TARGETS.overheadPercent, unit: '%', met: row!.runs[0]!.overheadPercent <= 10 });
    // Overhead for noble and node:tls speed for node per handshake; two per bulk suite; memory per side.
    expect(report.targets).toHaveLength(2 + 3 * suites.length + 2);
    // The bulk targets read the typical ratio, and say so.
    const [firstBulk] = report.bulk;
    const bulkTarget = report.targets.find((t) => t.target === `bulk vs bare AEAD, ${firstBulk!.suite} (noble), typical`);
    expect(bulkTarget).toMatchObject({ measured: firstBulk!.shareOfAead.typical.median, met: firstBulk!.shareOfAead.typical.median >= TARGETS.bulkShareOfAead });
    const nodeBulk = report.bulk.find((b) => b.provider === 'node')!;
    expect(report.targets.find((t) => t.target === `node provider bulk vs node:tls, ${nodeBulk.suite}, typical`)?.measured).toBe(nodeBulk.vsNodeTls.typical.median);
    const text = renderReport(report);
    for (const expected of ['ed25519 pinned', 'TLS_CHACHA20_POLY1305_SHA256', 'Memory', 'Targets']) expect(text).toContain(expected);
    expect(JSON.parse(JSON.stringify(report))).toEqual(report);
  });

  it('with a CA policy, verifies the CA signature on the leaf at the first meeting only: the repeated handshakes verify less than three times each (the CertificateVerify twice)', async () => {
    // The anchor remembers the leaves whose signature it verified (src/auth/configured-certificates.ts;
    // test/auth/verified-signatures.test.ts shows the first meeting verifies it, and what the memo never skips).
    const report = await runBench({ seconds: 0.01, filter: 'ed25519 CA', bulk: false, connections: 0, providers: ['noble'] });
    expect(report.bulk).toEqual([]);
    expect(report.memory).toBeNull();
    // Per handshake: the server's check of its own CertificateVerify and the client's; the CA's signature on the leaf once.
    const verifies = calls(report.handshakes[0]!.runs[0]!)['verify ed25519']!;
    expect(verifies).toBeGreaterThanOrEqual(2);
    expect(verifies).toBeLessThan(3);
  });

  it('resumes without any signature, and authenticates a raw public key with one signature and no certificate', async () => {
    const run = async (filter: string) => {
      const report = await runBench({ seconds: 0.01, filter, bulk: false, connections: 0, providers: ['node'] });
      expect(report.handshakes.map((h) => h.name)).toEqual([filter]);
      return calls(report.handshakes[0]!.runs[0]!);
    };
    const byName = { 'psk resumption': await run('psk resumption'), 'rpk ed25519': await run('rpk ed25519') };
    expect(Object.keys(byName['psk resumption']!).filter((name) => /sign|verify/.test(name))).toEqual([]);
    expect(byName['psk resumption']).toMatchObject({ 'x25519 generate': 1, 'x25519 encapsulate': 1, 'x25519 decapsulate': 1 });
    // One signature, checked by its signer before sending and by the client.
    expect(byName['rpk ed25519']).toMatchObject({ 'sign ed25519': 1, 'verify ed25519': 2 });
  });

  it('has a row per new group on both providers, with node:tls beside it where the running OpenSSL has the group', async () => {
    const report = await runBench({ seconds: 0.01, filter: 'group ', bulk: false, connections: 0 });
    expect(report.handshakes.map((h) => h.group)).toEqual(['X25519MLKEM768', 'secp521r1', 'x448', 'ffdhe2048']);
    const cases = makeCases();
    for (const row of report.handshakes) {
      expect(row.runs.map((r) => r.provider)).toEqual(['noble', 'node']);
      // One key exchange in the row's group, whatever its kind (RFC 8446 §4.2.8; a KEM for the hybrid).
      for (const run of row.runs) expect(calls(run)).toMatchObject({ [`${row.group} generate`]: 1, [`${row.group} encapsulate`]: 1, [`${row.group} decapsulate`]: 1 });
      const nodeHasIt = nodeTlsHasGroup(cases.find((c) => c.name === row.name)!);
      expect(row.nodeTls !== null).toBe(nodeHasIt);
      for (const run of row.runs) expect(run.vsNodeTls !== null).toBe(nodeHasIt);
      if (!nodeHasIt) expect(renderReport(report)).toMatch(new RegExp(`node:tls here \\(node ${process.version}, OpenSSL [^)]+\\) has no [^:]*${row.group}`));
    }
    // Four rows of five contender processes each, every one making the cases and warming up.
  }, 240_000);
});

describe('interleaved slices', () => {
  it('lets a default run warm a noble pair (a handshake and its replay, 10 ms) up for WARMUP_ITERATIONS, and keeps a smoke run short', () => {
    const plan = warmUpFor(2);
    expect(plan.iterations).toBe(WARMUP_ITERATIONS);
    expect(plan.cpuMs).toBeGreaterThanOrEqual(WARMUP_ITERATIONS * 10);
    expect(warmUpFor(0.01).cpuMs).toBeLessThanOrEqual(20);
  });

  it('runs every operation in its own slices, one slice of each per round, and takes ratios round by round', async () => {
    const order: string[] = [];
    const [a, b] = await measure(0.001, [() => void order.push('a'), () => void order.push('b')]);
    for (const m of [a!, b!]) {
      expect(m.slices).toHaveLength(ROUNDS);
      expect(m.iterations).toBe(m.slices.reduce((sum, s) => sum + s.iterations, 0));
    }
    // Slices, not single calls, alternate: runs of one letter, and both letters in every round.
    const runs = order.join('').match(/a+|b+/g)!;
    expect(runs.length).toBeGreaterThanOrEqual(2 * (ROUNDS + 1) - ROUNDS);
    expect(runs.some((run) => run.length > 1)).toBe(true);
    // Ratios pair the slices of the same round: here 2, 4 and 1 times the other's rate.
    const slices = (rates: number[]): Measurement => ({ iterations: 0, elapsedMs: 0, cpuMs: 0, samplesMs: [], cpuSamplesMs: [], slices: rates.map((n) => ({ iterations: n, elapsedMs: 1000, cpuMs: 1000 })) });
    expect(roundRatios(slices([20, 40, 10]), slices([10, 10, 10]))).toEqual({ median: 2, min: 1, max: 4 });
  });

  it('gives a bulk ratio from whole slices and from typical iterations, and the bulk table prints them side by side', async () => {
    // Three rounds of 3 iterations: ours costs 10 ms an iteration, the bare AEAD 8; pauses of 6 and 60 ms hit
    // ours in rounds 1 and 2, and in round 3 one (ours's garbage, collected late) hits the AEAD's slice.
    const run = (...rounds: number[][]): Measurement => ({
      iterations: 9,
      elapsedMs: 0,
      cpuMs: 0,
      samplesMs: [],
      cpuSamplesMs: rounds.flat(),
      slices: rounds.map((samples) => ({ iterations: samples.length, elapsedMs: 0, cpuMs: samples.reduce((sum, ms) => sum + ms, 0) })),
    });
    const ours = run([10, 16, 10], [10, 70, 10], [10, 10, 10]);
    const bare = run([8, 8, 8], [8, 8, 8], [8, 56, 8]);
    // Whole slices: (3/36)/(3/24) = 0.67, (3/90)/(3/24) = 0.27, (3/30)/(3/72) = 2.4. Typical: 8/10 every round.
    const ratio = bulkRatio(ours, bare);
    expect(ratio.wholeSlices.median).toBeCloseTo(24 / 36, 12);
    expect(ratio.wholeSlices.min).toBeCloseTo(24 / 90, 12);
    expect(ratio.wholeSlices.max).toBeCloseTo(2.4, 12);
    expect(ratio.typical).toEqual({ median: 0.8, min: 0.8, max: 0.8 });
    expect(bulkRatio(bare, ours).typical).toEqual({ median: 1.25, min: 1.25, max: 1.25 });

    const report = await runBench({ seconds: 0.01, filter: 'NONE', connections: 0, providers: ['node'] });
    const half = { wholeSlices: ratio.typical, typical: { median: 0.5, min: 0.5, max: 0.5 } };
    const text = renderReport({ ...report, bulk: [{ ...report.bulk[0]!, shareOfAead: ratio, newArraysShareOfAead: half, vsNodeTls: bulkRatio(bare, ours) }] });
    const lines = text.split('\n');
    const header = lines.find((line) => line.startsWith('suite '))!.split(/ {2,}/);
    const row = lines.find((line) => line.startsWith(`${report.bulk[0]!.suite} `))!.split(/ {2,}/);
    expect(header.slice(5)).toEqual(['ours / AEAD whole', 'typical', 'new arrays / AEAD whole', 'typical', 'node:tls MB/s', 'ours / node:tls whole', 'typical']);
    expect([...row.slice(5, 9), ...row.slice(10)]).toEqual(['0.67 (0.27-2.40)', '0.80 (0.80-0.80)', '0.80 (0.80-0.80)', '0.50 (0.50-0.50)', '1.50 (0.42-3.75)', '1.25 (1.25-1.25)']);
    expect(text).toMatch(/"typical" from each slice's median\niteration \(the work per record; the bulk targets read this one\)/);
    // The verdicts read the typical medians (0.8 and 1.25 here; whole slices would say 0.67 and 1.5), and say so.
    const bulk = [{ ...report.bulk[0]!, shareOfAead: ratio, vsNodeTls: bulkRatio(bare, ours) }];
    expect(evaluateTargets([], bulk, null)).toEqual([
      { target: `bulk vs bare AEAD, ${bulk[0]!.suite} (node), typical`, measured: 0.8, goal: TARGETS.bulkShareOfAead, unit: 'x', met: false },
      { target: `node provider bulk vs node:tls, ${bulk[0]!.suite}, typical`, measured: 1.25, goal: TARGETS.nodeBulkShareOfNodeTls, unit: 'x', met: true },
    ]);
  });

  it('gives each slice its median iteration, from that slice\'s own samples', () => {
    // Two slices: 3 iterations (one hit by a 100 ms pause) and 4 (one of 50 ms); as wholes they cost 103 and 65 ms.
    const m: Measurement = {
      iterations: 7,
      elapsedMs: 0,
      cpuMs: 168,
      samplesMs: [],
      cpuSamplesMs: [1, 100, 2, 5, 5, 50, 6],
      slices: [
        { iterations: 3, elapsedMs: 0, cpuMs: 103 },
        { iterations: 4, elapsedMs: 0, cpuMs: 66 },
      ],
    };
    expect(typicalSlices(m)).toEqual([
      { iterations: 1, elapsedMs: 0, cpuMs: 2 },
      { iterations: 1, elapsedMs: 0, cpuMs: 5.5 },
    ]);
    expect(typicalSlices(m).map(perCpuSecond)).toEqual([500, 1000 / 5.5]);
  });
});

describe('metering provider', () => {
  it('returns what node:crypto computes and counts every call, including those on hash states it handed out', () => {
    const tally = new Tally(() => performance.now());
    const provider = meteredProvider(nobleProvider, tally);
    const data = utf8.encode('abc');
    expect(Buffer.from(provider.hash('sha256', data)).toString('hex')).toBe(createHash('sha256').update(data).digest('hex'));
    expect(Buffer.from(provider.hmac('sha384', data, data)).toString('hex')).toBe(createHmac('sha384', data).update(data).digest('hex'));
    const state = provider.createHash('sha256').update(data).clone().update(data);
    expect(Buffer.from(state.digest()).toString('hex')).toBe(createHash('sha256').update(data).update(data).digest('hex'));
    const counts = Object.fromEntries([...tally.primitives].map(([name, cost]) => [name, cost.calls]));
    expect(counts).toEqual({ 'hash one-shot': 1, hmac: 1, 'hash create': 1, 'hash update': 2, 'hash clone': 1, 'hash digest': 1 });
    expect(tally.totalMs).toBeGreaterThan(0);
  });

  it('hands HMAC and HKDF-Expand the caller\'s output array, as the engine passes it (the metered run allocates what the real one does)', () => {
    const provider = meteredProvider(nobleProvider, new Tally(() => performance.now()));
    const key = utf8.encode('key');
    const hmacOutput = new Uint8Array(32);
    expect(provider.hmac('sha256', key, key, hmacOutput)).toBe(hmacOutput);
    expect(Buffer.from(hmacOutput).toString('hex')).toBe(createHmac('sha256', key).update(key).digest('hex'));
    const expandOutput = new Uint8Array(16);
    expect(provider.hkdfExpand('sha256', hmacOutput, key, 16, expandOutput)).toBe(expandOutput);
    expect(expandOutput).toEqual(nobleProvider.hkdfExpand('sha256', hmacOutput, key, 16));
  });

  it('meters AEAD keys and key exchanges, and keeps a nested random draw inside the primitive that made it', () => {
    const tally = new Tally(() => performance.now());
    const provider = meteredProvider(nobleProvider, tally);
    const random = seededRandom('metering');
    const meteredDraw = (n: number) => tally.measure('random', () => random(n));
    const key = provider.createAead('AES-128-GCM', new Uint8Array(16));
    const nonce = new Uint8Array(12);
    const sealed = key.seal(nonce, new Uint8Array(0), utf8.encode('hello'));
    expect(utf8.decode(key.open(nonce, new Uint8Array(0), sealed)!)).toBe('hello');
    const x25519 = provider.keyExchange('x25519');
    x25519.generate(meteredDraw);
    const names = [...tally.primitives.keys()].sort();
    expect(names).toEqual(['aead key setup', 'aead open', 'aead seal', 'random', 'x25519 generate']);
    const sumOfParts = [...tally.primitives.values()].reduce((sum, cost) => sum + cost.ms, 0);
    expect(tally.primitives.get('random')!.ms).toBe(0);
    expect(sumOfParts).toBeCloseTo(tally.totalMs, 9);
  });
});

describe('provider replay', () => {
  it('replays every provider call of a real handshake, call for call, and the same random draws', () => {
    const tally = new Tally(() => performance.now());
    const base = meteredProvider(nodeCryptoProvider, tally);
    const random = seededRandom('replay');
    const mutual = makeCase('mtls ed25519')!;
    const recording = recordProviderCalls(base, random, (recorder, recordedRandom) => engineHandshake(mutual, recorder, recordedRandom));
    const counts = () => Object.fromEntries([...tally.primitives].map(([name, cost]) => [name, cost.calls]));
    const recorded = counts();
    // The handshake's x25519 shares, signatures both ways (each checked by its signer and its peer), the key
    // schedule and its two sealed flights.
    expect(recorded).toMatchObject({ 'x25519 generate': 1, 'x25519 encapsulate': 1, 'x25519 decapsulate': 1, 'sign ed25519': 2, 'verify ed25519': 4, 'aead seal': 2, 'aead open': 2 });
    const calls = Object.values(recorded).reduce((sum, n) => sum + n, 0);
    expect(recording.calls).toBe(calls);
    tally.reset();
    let draws = 0;
    recording.replay((length) => (draws++, random(length)));
    expect(counts()).toEqual(recorded);
    expect(draws).toBe(recording.draws.length);
  });

  it('replays a verify with the options the handshake gave it: our own CertificateVerify checked as our own key (ownKey), the peer\'s not', () => {
    const seen: Array<boolean | undefined> = [];
    const spy: CryptoProvider = { ...nodeCryptoProvider, verify: (alg, key, message, signature, options) => (seen.push(options?.ownKey), nodeCryptoProvider.verify(alg, key, message, signature, options)) };
    const recording = recordProviderCalls(spy, seededRandom('replay'), (recorder, random) => engineHandshake(makeCase('ed25519 pinned')!, recorder, random));
    // The server checks its signature before sending it (signatures.ts verifiedBeforeSending), the client checks the server's.
    expect(seen).toEqual([true, undefined]);
    seen.length = 0;
    recording.replay(seededRandom('replay again'));
    expect(seen).toEqual([true, undefined]);
  });

  it('records a typical handshake, not the first: a CA leaf\'s signature, verified at the first meeting only, is not in the second', () => {
    const ca = makeCase('ed25519 CA')!;
    const verifiesReplayed = (skip: number) => {
      const tally = new Tally(() => performance.now());
      const recording = recordProviderCalls(meteredProvider(nodeCryptoProvider, tally), seededRandom('replay'), (recorder, random) => engineHandshake(ca, recorder, random), { skip });
      tally.reset();
      recording.replay(seededRandom('replay again'));
      return tally.primitives.get('verify ed25519')?.calls;
    };
    // The CertificateVerify (checked by the server before sending, and by the client) and the CA's signature on
    // the leaf; then the CertificateVerify alone.
    expect(verifiesReplayed(0)).toBe(3);
    expect(verifiesReplayed(1)).toBe(2);
  });

  it('replays an RSA-PSS signature with copies of its salt: a replay never draws from the source the handshake drew from', () => {
    let recordingDraws = 0;
    const source = seededRandom('recording');
    const recording = recordProviderCalls(nobleProvider, (length) => (recordingDraws++, source(length)), (recorder, random) => engineHandshake(makeCase('rsa2048 pinned')!, recorder, random), { skip: 1 });
    const drawnWhileRecording = recordingDraws;
    for (let i = 0; i < 2; i++) {
      let draws = 0;
      recording.replay((length) => (draws++, new Uint8Array(length)));
      expect(draws).toBe(recording.draws.length);
    }
    expect(recordingDraws).toBe(drawnWhileRecording);
  });
});

describe('engine overhead', () => {
  it('compares each handshake with its primitives replayed, round by round: engine ms, overhead per round, and the typical overhead from medians', () => {
    // Three rounds of pairs: handshakes of 12, 11 and 13 ms on average (a 9 ms collection in round 3's last one),
    // replays of 10 ms. Round by round: 2, 1 and 3 ms of engine, 20%, 10% and 30%.
    const handshakes = [12, 12, 11, 11, 11, 10, 10, 19];
    const replays = [10, 10, 10, 10, 10, 10, 10, 10];
    const { engineMs, overhead, typicalOverhead } = overheads(handshakes, replays, [2, 3, 3]);
    expect(engineMs).toEqual({ median: 2, min: 1, max: 3 });
    expect(overhead.median).toBeCloseTo(20, 9);
    expect(overhead.min).toBeCloseTo(10, 9);
    expect(overhead.max).toBeCloseTo(30, 9);
    // Median handshakes: 12, 11 and 10 (the collection left out) over 10.
    expect(typicalOverhead.median).toBeCloseTo(10, 9);
    expect(typicalOverhead.min).toBeCloseTo(0, 9);
    expect(typicalOverhead.max).toBeCloseTo(20, 9);
    // A replay dearer than its handshake is a negative overhead, shown as measured, not hidden.
    expect(overheads(replays, handshakes, [2, 3, 3]).overhead.max).toBeLessThan(0);
  });
});

describe('table', () => {
  it('right-aligns number columns and left-aligns text columns', () => {
    expect(table(['name', 'n'], [['a', 1.25], ['long', 10]], 1)).toBe(['name     n', '----  ----', 'a      1.3', 'long  10.0'].join('\n'));
  });
});
