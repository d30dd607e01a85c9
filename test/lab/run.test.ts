// The lab's run model in Node: the same engine, the same scenarios and the same bytes as `tls13 demo`, and
// each kind of tampering ends the way the RFC says the receiver must react.
import { describe, expect, it } from 'vitest';
import { SCENARIOS } from '../../src/scenarios/catalog.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import type { Role, TlsEvent } from '../../src/handshake/events.js';
import { CUSTOM, defaultCustomOptions, groupChoices, scenarioList, suiteChoices } from '../../src/lab/options.js';
import { runLab, type LabRun } from '../../src/lab/run.js';
import { parsePermalink, permalinkFragment, pcapDownload, keylogDownload } from '../../src/lab/takeaway.js';
import type { Tamper } from '../../src/lab/tamper.js';
import { meetsExpectation } from '../../src/scenarios/mutual-tls.js';
import { SUITES } from '../../src/handshake/suites.js';
import { hex } from '../../src/wire/bytes.js';
import { encodePkcs8 } from '../../src/auth/keys.js';
import { toPem } from '../../src/auth/pem.js';
import { seededRandom } from '../../src/crypto/random.js';
import { makeIdentity } from '../../src/testing/certs.js';

const SEED = 'lab-unit';

function secretsOf(events: TlsEvent[]): Record<string, string> {
  return Object.fromEntries(events.flatMap((e) => (e.type === 'secret' ? [[e.name, hex(e.secret)]] : [])));
}

const fatalAlert = (run: LabRun) => (run.outcome.kind === 'alert' ? run.outcome : undefined);

/** The index of the first step after which `side` has a record with this message in flight. */
function stepWithInFlight(run: LabRun, side: Role, kind: string): number {
  const index = run.steps.findIndex((s) => s.inFlight[side].some((q) => q.view.messages.some((m) => m.message?.kind === kind)));
  expect(index).toBeGreaterThanOrEqual(0);
  return index;
}

function tamperAt(run: LabRun, side: Role, kind: string, op: Tamper['op']): Tamper {
  return { at: run.steps[stepWithInFlight(run, side, kind)]!.deliveries, op };
}

describe('lab runs', () => {
  it('offers every scenario of tls13 demo, then custom, and the suites and groups of the engine tables', () => {
    expect(scenarioList().map((s) => s.name)).toEqual([...Object.keys(SCENARIOS), CUSTOM]);
    expect(suiteChoices().map((s) => s.code)).toEqual([...SUITES.keys()]);
    expect(groupChoices().map((g) => g.name)).toEqual(expect.arrayContaining(['x25519', 'secp256r1']));
  });

  it('makes the same secrets as the same seeded scenario run straight through the pair', () => {
    const run = runLab({ scenario: '1rtt', seed: SEED });
    const setup = SCENARIOS['1rtt']!.setup(SEED);
    const direct = new InMemoryPair(setup.client, setup.server).run();
    const last = run.steps.at(-1)!;
    for (const side of ['client', 'server'] as const) {
      const expected = secretsOf(direct.events(side));
      expect(expected['client_application_traffic_secret_0']).toBeDefined();
      const shown = Object.fromEntries(last.sides[side].secrets.map((s) => [s.name, hex(s.secret)]));
      expect(shown).toEqual(expected);
    }
    expect(hex(pcapDownload(run).data as Uint8Array)).toBe(hex(pcapDownload(runLab({ scenario: '1rtt', seed: SEED })).data as Uint8Array));
    expect(keylogDownload(run).data).toContain(`CLIENT_TRAFFIC_SECRET_0 `);
  });

  it('ends every scenario the way the scenario expects', () => {
    for (const { name } of scenarioList()) {
      const run = runLab({ scenario: name, seed: SEED });
      if (run.expected) expect(meetsExpectation(run.expected, run.outcome), name).toBe(true);
      else expect(run.outcome.kind, name).toBe('connected');
    }
  });

  it.each(['mutual-tls', 'hrr', '0rtt', 'key-update', 'post-handshake-auth'])('opens every record it delivers in %s, to the very messages the receiver got', (scenario) => {
    const run = runLab({ scenario, seed: SEED });
    for (const step of run.steps) {
      const delivered = step.delivered;
      if (!delivered) continue;
      expect(delivered.view.failure, step.title).toBeUndefined();
      const receiver: Role = delivered.from === 'client' ? 'server' : 'client';
      const received = run.pair.log
        .slice(step.logStart, step.logEnd)
        .flatMap((e) => (e.side === receiver && e.event.type === 'handshake-message' && e.event.direction === 'in' ? [hex(e.event.raw)] : []));
      expect(delivered.view.messages.map((m) => hex(m.raw)), step.title).toEqual(received);
    }
  });

  it('shows the keys each side sends and receives under as the handshake moves on', () => {
    const last = runLab({ scenario: '1rtt', seed: SEED }).steps.at(-1)!;
    expect(last.sides.client.keys).toEqual({ send: 'client_application_traffic_secret_0', receive: 'server_application_traffic_secret_0' });
    expect(runLab({ scenario: 'key-update', seed: SEED }).steps.at(-1)!.sides.client.keys.send).toBe('client_application_traffic_secret_1');
  });

  it('runs a connection set up by hand with raw public keys pinned on both sides', () => {
    const custom = { ...defaultCustomOptions(), serverCredential: 'raw-public-key' as const, clientCredential: 'raw-public-key' as const, clientTrust: 'pinned-key' as const, serverTrust: 'pinned-key' as const };
    const run = runLab({ scenario: CUSTOM, seed: SEED, custom });
    expect(run.outcome.kind).toBe('connected');
    expect(run.pair.client.info.serverCertificateType).toBe('raw-public-key');
  });
});

describe('lab runs with a pasted certificate and key', () => {
  const identity = makeIdentity({ subject: { CN: 'pasted.example' }, sans: { dns: ['pasted.example'] }, keyType: 'p256' }, seededRandom('pasted'));
  const pasted = { certificatePem: toPem('CERTIFICATE', identity.der), keyPem: toPem('PRIVATE KEY', encodePkcs8(identity.privateKey)) };

  it('authenticates the server with them, pinned by the client, under the name in the certificate', () => {
    const custom = { ...defaultCustomOptions(), serverCredential: 'pasted' as const, clientTrust: 'pinned-certificate' as const, clientAuth: 'none' as const, clientCredential: 'none' as const };
    const run = runLab({ scenario: CUSTOM, seed: SEED, custom, pasted });
    expect(run.outcome.kind).toBe('connected');
    expect(run.pair.client.info.peer?.subject).toBe('CN=pasted.example');
    expect(run.pair.client.info.serverName).toBe('pasted.example');
  });

  it('refuses a key that is not a key in one line, and never puts a pasted key in a permalink', () => {
    const custom = { ...defaultCustomOptions(), serverCredential: 'pasted' as const };
    expect(() => runLab({ scenario: CUSTOM, seed: SEED, custom, pasted: { ...pasted, keyPem: 'not a key' } })).toThrow('the pasted key: no PEM block found');
    expect(() => runLab({ scenario: CUSTOM, seed: SEED, custom })).toThrow('paste a certificate and key (PEM) for the server');
    const fragment = permalinkFragment({ scenario: CUSTOM, seed: SEED, custom, pasted }, [], 0);
    expect(fragment).not.toContain('PRIVATE');
    expect(decodeURIComponent(fragment)).not.toContain(pasted.keyPem.split('\n')[1]!);
  });
});

describe('lab tampering', () => {
  const clean = runLab({ scenario: '1rtt', seed: SEED });

  it('a byte of the server Finished changed and sealed again: the client sends decrypt_error (bad Finished)', () => {
    const run = runLab({ scenario: '1rtt', seed: SEED }, [tamperAt(clean, 'server', 'finished', { kind: 'edit-message-byte', side: 'server', message: 'finished', offset: 10, value: 0x5a })]);
    expect(run.tamperError).toBeUndefined();
    expect(fatalAlert(run)).toMatchObject({ alert: 'decrypt_error', sentBy: 'client', reason: 'BadFinished' });
    // Before delivery, the page shows the re-sealed record opened: the Finished with the byte changed.
    const tampered = run.steps.find((s) => s.kind === 'tamper')!;
    const finished = tampered.inFlight.server.flatMap((q) => q.view.messages).find((m) => m.message?.kind === 'finished')!;
    expect(finished.raw[10]).toBe(0x5a);
  });

  it('a byte of a protected record changed on the wire: bad_record_mac', () => {
    const at = tamperAt(clean, 'server', 'finished', { kind: 'drop', side: 'server', record: 0 }).at;
    const index = clean.steps.find((s) => s.deliveries === at)!.inFlight.server.findIndex((q) => q.view.protected);
    const run = runLab({ scenario: '1rtt', seed: SEED }, [{ at, op: { kind: 'edit-record-byte', side: 'server', record: index, offset: 30, value: 0 } }]);
    expect(fatalAlert(run)).toMatchObject({ alert: 'bad_record_mac', sentBy: 'client' });
    expect(run.steps.find((s) => s.delivered?.edited)!.delivered!.view.failure).toMatch(/bad_record_mac/);
  });

  it('a dropped ServerHello: the client gets protected records before any keys, unexpected_message', () => {
    const run = runLab({ scenario: '1rtt', seed: SEED }, [{ at: 1, op: { kind: 'drop', side: 'server', record: 0 } }]);
    expect(fatalAlert(run)).toMatchObject({ alert: 'unexpected_message', sentBy: 'client', reason: 'UnexpectedMessage' });
  });

  it("a dropped server flight leaves both sides waiting; a duplicated ClientHello is an unexpected message", () => {
    const dropped = runLab({ scenario: '1rtt', seed: SEED }, [{ at: 1, op: { kind: 'drop', side: 'server', record: 2 } }]);
    expect(dropped.outcome).toEqual({ kind: 'stalled', clientState: 'WAIT_EE', serverState: 'WAIT_FINISHED' });
    const duplicated = runLab({ scenario: '1rtt', seed: SEED }, [{ at: 0, op: { kind: 'duplicate', side: 'client', record: 0 } }]);
    expect(fatalAlert(duplicated)).toMatchObject({ alert: 'unexpected_message', sentBy: 'server' });
  });

  it('a ChangeCipherSpec moved after the server Finished: unexpected_message (RFC 8446 §5)', () => {
    const run = runLab({ scenario: '1rtt', seed: SEED }, [{ at: 1, op: { kind: 'reorder', side: 'server', record: 1 } }]);
    expect(fatalAlert(run)).toMatchObject({ alert: 'unexpected_message', sentBy: 'client', reason: 'UnexpectedChangeCipherSpec' });
  });

  it('another certificate swapped into the pinned client certificate: bad_certificate', () => {
    const pinned = runLab({ scenario: 'pinned-self-signed', seed: SEED });
    const run = runLab({ scenario: 'pinned-self-signed', seed: SEED }, [tamperAt(pinned, 'client', 'certificate', { kind: 'replace-certificate', side: 'client' })]);
    expect(fatalAlert(run)).toMatchObject({ alert: 'bad_certificate', sentBy: 'server' });
  });

  it("a CertificateVerify replayed from another run: decrypt_error, the signature does not cover this transcript", () => {
    const pinned = runLab({ scenario: 'pinned-self-signed', seed: SEED });
    const run = runLab({ scenario: 'pinned-self-signed', seed: SEED }, [tamperAt(pinned, 'client', 'certificate_verify', { kind: 'replay-certificate-verify', side: 'client' })]);
    expect(fatalAlert(run)).toMatchObject({ alert: 'decrypt_error', sentBy: 'server', reason: 'BadCertificateVerifySignature' });
  });

  it('says why a tamper cannot be made instead of making another run', () => {
    const run = runLab({ scenario: '1rtt', seed: SEED }, [{ at: 0, op: { kind: 'reorder', side: 'client', record: 0 } }]);
    expect(run.tamperError).toMatch(/no record after/);
    expect(run.outcome.kind).toBe('connected');
  });
});

describe('lab permalinks', () => {
  it('carry the scenario, options, seed, tampering and step, and give the same bytes back', () => {
    const tampers: Tamper[] = [{ at: 1, op: { kind: 'edit-message-byte', side: 'server', message: 'finished', offset: 10, value: 0x5a } }];
    const options = { scenario: CUSTOM, seed: 'a b&c', custom: { ...defaultCustomOptions(), clientAuth: 'optional' as const } };
    const link = parsePermalink(`#${permalinkFragment(options, tampers, 7)}`);
    expect(link).toEqual({ options, tampers, step: 7 });
    const wire = (run: LabRun) => run.pair.wire.map((w) => hex(w.bytes)).join();
    expect(wire(runLab(link.options, link.tampers))).toBe(wire(runLab(options, tampers)));
  });

  it('drop what they cannot use rather than fail', () => {
    const link = parsePermalink('#scenario=1rtt&tamper=[{"at":1,"op":{"kind":"format-disk","side":"client"}},{"at":-1}]&step=x');
    expect(link).toEqual({ options: { scenario: '1rtt', seed: 'tls13-lab' }, tampers: [], step: 0 });
  });
});
