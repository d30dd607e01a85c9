// A flight opened the way an attacker who holds the sender's traffic secrets sees it: every record, under
// whichever key it was sealed with (early, handshake, application, and the application keys of up to
// MAX_KEY_UPDATES KeyUpdates, RFC 8446 §7.2), at its real sequence number, so that flights after the first
// under a key (post-handshake auth, KeyUpdate, tickets after data) open too. The handshake messages of each
// run of handshake records under one key are decoded whole; `rebuild` encodes the runs again, one record per
// 2^14 bytes, and seals them under the same keys and sequence numbers. tamper.ts edits one flight under one
// key from sequence 0; this is its generalisation for the structure-aware mutations of field-mutations.ts.
// Core-safe: no node imports.
import type { CryptoProvider } from '../../crypto/provider.js';
import type { Role, TlsEvent } from '../../handshake/events.js';
import { nextTrafficSecret, trafficKeys } from '../../handshake/keyschedule.js';
import type { SuiteInfo } from '../../handshake/suites.js';
import { MAX_PLAINTEXT_LENGTH, plaintextRecord } from '../../record/header.js';
import { RecordProtection } from '../../record/protection.js';
import { concat } from '../../wire/bytes.js';
import { ContentType } from '../../wire/enums.js';
import { decodeHandshake } from '../../wire/messages.js';
import type { HandshakeMessage } from '../../wire/types.js';
import { splitHandshakeMessages, splitRecords, suiteNamed, type WireRecord } from '../tamper.js';

/** KeyUpdates the opener follows past the announced application secret (the stateful script sends one). */
const MAX_KEY_UPDATES = 3;

/** One record of the flight: protected ones opened (`key` indexes the sender's keys), plaintext ones as framed. */
type OpenedRecord = { key: number; contentType: number; content: Uint8Array; version: number };

/** Consecutive handshake records under one key (or plaintext, key -1), with the messages they carry. */
export interface HandshakeRun {
  key: number;
  version: number;
  /** The messages' wire bytes (header included) and their decoded form, in order. */
  raws: Uint8Array[];
  messages: HandshakeMessage[];
}

/** The flight as a sequence of handshake runs and other records, ready to be edited and rebuilt. */
export interface OpenedFlight {
  parts: Array<HandshakeRun | OpenedRecord>;
  /** Encodes `parts` again (a run's raws, each whole) and seals protected content under its key. */
  rebuild(parts: Array<HandshakeRun | OpenedRecord>): Uint8Array;
}

/** The sender's traffic secrets in the order it uses them: from its `secret` events, then KeyUpdates derived. */
function senderSecrets(events: readonly TlsEvent[], sender: Role, suite: SuiteInfo, provider: CryptoProvider): Uint8Array[] {
  const secrets: Uint8Array[] = [];
  for (const e of events) {
    if (e.type !== 'secret' || !e.name.startsWith(`${sender}_`) || !e.name.includes('traffic')) continue;
    secrets.push(e.secret);
    if (e.name.endsWith('application_traffic_secret_0')) {
      let next = e.secret;
      for (let i = 0; i < MAX_KEY_UPDATES; i++) secrets.push((next = nextTrafficSecret(provider, suite, next)));
    }
  }
  return secrets;
}

/** Opens records with the sender's keys in order (a key is never used again once a later one opened a record). */
class KeyTracker {
  private readonly openers: RecordProtection[];
  private current = 0;

  constructor(
    private readonly secrets: Uint8Array[],
    private readonly suite: SuiteInfo,
    private readonly provider: CryptoProvider,
  ) {
    this.openers = secrets.map((secret) => this.protection(secret));
  }

  protection(secret: Uint8Array): RecordProtection {
    const { key, iv } = trafficKeys(this.provider, this.suite, secret);
    return new RecordProtection(this.provider, this.suite.aead, key, iv);
  }

  /** The record opened under the first key from the current one that authenticates it; undefined when none does. */
  open(record: WireRecord): { key: number; contentType: number; content: Uint8Array; sequence: number } | undefined {
    const wire = plaintextRecord(record.type, record.version, record.fragment);
    for (let k = this.current; k < this.openers.length; k++) {
      const sequence = this.openers[k]!.sequenceNumber;
      try {
        const { contentType, content } = this.openers[k]!.open(wire);
        this.current = k;
        return { key: k, contentType, content, sequence };
      } catch {
        // not this key
      }
    }
    return undefined;
  }

  /** A sealer for key `k` positioned at `sequence` (sealing advances the counter as opening does). */
  sealerAt(k: number, sequence: number): RecordProtection {
    const sealer = this.protection(this.secrets[k]!);
    for (let i = 0; i < sequence; i++) sealer.seal(ContentType.application_data, new Uint8Array(0));
    return sealer;
  }
}

export interface SenderView {
  sender: Role;
  senderEvents: readonly TlsEvent[];
  senderSuite: string | undefined;
  /** Everything the sender sent before this flight, as it sent it. */
  senderFlights: readonly Uint8Array[];
  provider: CryptoProvider;
}

/** Opens `flight` as the sender's key holder would; undefined when a record does not open or a message is split across a run's end. */
export function openFlight(flight: Uint8Array, view: SenderView): OpenedFlight | undefined {
  let records: WireRecord[];
  try {
    records = splitRecords(flight);
  } catch {
    return undefined;
  }
  const anyProtected = records.some((r) => r.type === ContentType.application_data);
  if (anyProtected && view.senderSuite === undefined) return undefined;
  const suite = anyProtected ? suiteNamed(view.senderSuite) : undefined;
  const tracker = suite ? new KeyTracker(senderSecrets(view.senderEvents, view.sender, suite, view.provider), suite, view.provider) : undefined;
  if (tracker) {
    for (const earlier of view.senderFlights.flatMap((f) => splitRecords(f))) if (earlier.type === ContentType.application_data) tracker.open(earlier);
  }
  const firstSequence = new Map<number, number>();
  const opened: OpenedRecord[] = [];
  for (const record of records) {
    if (record.type !== ContentType.application_data) {
      opened.push({ key: -1, contentType: record.type, content: record.fragment, version: record.version });
      continue;
    }
    const result = tracker?.open(record);
    if (!result) return undefined;
    if (!firstSequence.has(result.key)) firstSequence.set(result.key, result.sequence);
    opened.push({ key: result.key, contentType: result.contentType, content: result.content, version: record.version });
  }
  const parts = groupRuns(opened);
  if (!parts) return undefined;
  return {
    parts,
    rebuild(edited) {
      const sealers = new Map<number, RecordProtection>();
      const sealer = (k: number) => {
        if (!sealers.has(k)) sealers.set(k, tracker!.sealerAt(k, firstSequence.get(k) ?? 0));
        return sealers.get(k)!;
      };
      const out: Uint8Array[] = [];
      const emit = (key: number, contentType: number, version: number, content: Uint8Array) =>
        out.push(key < 0 ? plaintextRecord(contentType, version, content) : sealer(key).seal(contentType, content));
      for (const part of edited) {
        if (!('raws' in part)) {
          emit(part.key, part.contentType, part.version, part.content);
          continue;
        }
        const content = concat(...part.raws);
        for (let at = 0; at < content.length; at += MAX_PLAINTEXT_LENGTH) emit(part.key, ContentType.handshake, part.version, content.subarray(at, at + MAX_PLAINTEXT_LENGTH));
      }
      return concat(...out);
    },
  };
}

/** Groups consecutive handshake records under one key into runs of whole messages. */
function groupRuns(records: OpenedRecord[]): Array<HandshakeRun | OpenedRecord> | undefined {
  const parts: Array<HandshakeRun | OpenedRecord> = [];
  for (let i = 0; i < records.length; ) {
    const first = records[i]!;
    if (first.contentType !== ContentType.handshake) {
      parts.push(first);
      i++;
      continue;
    }
    let j = i;
    while (j < records.length && records[j]!.contentType === ContentType.handshake && records[j]!.key === first.key) j++;
    try {
      const raws = splitHandshakeMessages(concat(...records.slice(i, j).map((r) => r.content)));
      parts.push({ key: first.key, version: first.version, raws, messages: raws.map((raw) => decodeHandshake(raw)) });
    } catch {
      return undefined;
    }
    i = j;
  }
  return parts;
}
