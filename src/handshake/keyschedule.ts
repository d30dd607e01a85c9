// The TLS 1.3 key schedule (RFC 8446 §7.1) and the secrets table that ties each secret's HKDF label to
// its key-log label (NSS SSLKEYLOGFILE, RFC 9850) and the name traces use.
//
//              0
//              |
//              v
//    PSK ->  HKDF-Extract = Early Secret
//              +-----> Derive-Secret(., "ext binder" | "res binder", "") = binder_key
//              +-----> Derive-Secret(., "c e traffic", ClientHello)      = client_early_traffic_secret
//              +-----> Derive-Secret(., "e exp master", ClientHello)     = early_exporter_master_secret
//              v
//        Derive-Secret(., "derived", "")
//              |
//              v
//    (EC)DHE -> HKDF-Extract = Handshake Secret
//              +-----> Derive-Secret(., "c hs traffic", ClientHello...ServerHello) = client_handshake_traffic_secret
//              +-----> Derive-Secret(., "s hs traffic", ClientHello...ServerHello) = server_handshake_traffic_secret
//              v
//        Derive-Secret(., "derived", "")
//              |
//              v
//    0 -> HKDF-Extract = Master Secret
//              +-----> Derive-Secret(., "c ap traffic", ClientHello...server Finished) = client_application_traffic_secret_0
//              +-----> Derive-Secret(., "s ap traffic", ClientHello...server Finished) = server_application_traffic_secret_0
//              +-----> Derive-Secret(., "exp master", ClientHello...server Finished)   = exporter_master_secret
//              +-----> Derive-Secret(., "res master", ClientHello...client Finished)   = resumption_master_secret
import { resultInto, type CryptoProvider } from '../crypto/provider.js';
import { constantTimeEqual, Writer, utf8 } from '../wire/bytes.js';
import { LentArray } from '../wire/lent-array.js';
import { AEAD_IV_LENGTH, RecordProtection, type TrafficKeySource } from '../record/protection.js';
import type { SuiteInfo } from './suites.js';

/** Every secret a TLS 1.3 connection derives, with its HKDF label and key-log label. */
export const SECRETS = {
  binder_key: { label: 'ext binder / res binder', keylog: undefined },
  client_early_traffic_secret: { label: 'c e traffic', keylog: 'CLIENT_EARLY_TRAFFIC_SECRET' },
  early_exporter_master_secret: { label: 'e exp master', keylog: 'EARLY_EXPORTER_SECRET' },
  client_handshake_traffic_secret: { label: 'c hs traffic', keylog: 'CLIENT_HANDSHAKE_TRAFFIC_SECRET' },
  server_handshake_traffic_secret: { label: 's hs traffic', keylog: 'SERVER_HANDSHAKE_TRAFFIC_SECRET' },
  client_application_traffic_secret_0: { label: 'c ap traffic', keylog: 'CLIENT_TRAFFIC_SECRET_0' },
  server_application_traffic_secret_0: { label: 's ap traffic', keylog: 'SERVER_TRAFFIC_SECRET_0' },
  exporter_master_secret: { label: 'exp master', keylog: 'EXPORTER_SECRET' },
  resumption_master_secret: { label: 'res master', keylog: undefined },
} as const;

export type SecretName = keyof typeof SECRETS;

/** The opaque label<7..255> of an HkdfLabel (RFC 8446 §7.1): "tls13 " and the label, after its length byte. */
function encodedLabel(label: string): Uint8Array {
  return new Writer(7 + label.length).vec(1, utf8.encode(`tls13 ${label}`)).finish();
}

/** Every label this engine expands, encoded once (a read-only table, built at load). */
const ENCODED_LABELS: ReadonlyMap<string, Uint8Array> = new Map(
  [
    ...Object.values(SECRETS).flatMap(({ label }) => label.split(' / ')),
    'derived',
    'key',
    'iv',
    'finished',
    'traffic upd',
    'resumption',
    'exporter',
  ].map((label) => [label, encodedLabel(label)]),
);

/** HkdfLabels with an empty context (keys, IVs, finished keys, key updates) are the same every time: by label, then length. */
const EMPTY_CONTEXT_LABELS: ReadonlyMap<string, Map<number, Uint8Array>> = new Map([...ENCODED_LABELS.keys()].map((label) => [label, new Map()]));

/** HKDF-Expand-Label (RFC 8446 §7.1): HKDF-Expand(Secret, HkdfLabel, Length), the label prefixed with "tls13 ". */
export function hkdfExpandLabel(
  provider: CryptoProvider,
  suite: SuiteInfo,
  secret: Uint8Array,
  label: string,
  context: Uint8Array,
  length: number,
  output?: Uint8Array,
): Uint8Array {
  if (context.length > 255) throw new Error(`HkdfLabel context of ${context.length} bytes exceeds 255`);
  const labelBytes = ENCODED_LABELS.get(label) ?? encodedLabel(label);
  const size = 2 + labelBytes.length + 1 + context.length;
  const byLength = context.length === 0 ? EMPTY_CONTEXT_LABELS.get(label) : undefined;
  if (byLength) {
    let info = byLength.get(length);
    if (!info) {
      info = new Uint8Array(size);
      writeHkdfLabel(info, labelBytes, context, length);
      byLength.set(length, info);
    }
    return provider.hkdfExpand(suite.hash, secret, info, length, output);
  }
  const info = CONTEXT_LABEL.borrow(size);
  try {
    writeHkdfLabel(info, labelBytes, context, length);
    return provider.hkdfExpand(suite.hash, secret, info, length, output);
  } finally {
    CONTEXT_LABEL.giveBack(info);
  }
}

/**
 * HkdfLabels with a context (a transcript hash, a ticket nonce, an exporter's context hash: nothing secret)
 * are written into one array lent to the provider for one hkdfExpand call: ~10 arrays per handshake fewer.
 */
const CONTEXT_LABEL = new LentArray(2 + 1 + 255 + 1 + 255);

/** struct { uint16 length; opaque label<7..255>; opaque context<0..255>; } HkdfLabel (RFC 8446 §7.1), written into `info`. */
function writeHkdfLabel(info: Uint8Array, labelBytes: Uint8Array, context: Uint8Array, length: number): void {
  info[0] = length >>> 8;
  info[1] = length & 0xff;
  info.set(labelBytes, 2);
  info[2 + labelBytes.length] = context.length;
  info.set(context, 3 + labelBytes.length);
}

/**
 * Secrets that are read only during the call taking them are derived into this reused memory
 * (provider.hkdfExpand's `output`) instead of an array of their own each: a finished key until its HMAC, the
 * Master Secret's "derived" salt until its HKDF-Extract. Wiped before it is given back, so between calls it
 * holds nothing of any connection (test/security/reused-secret-memory, passing-secrets-attacks). Not the AEAD
 * keys: an AEAD holds its key, and one that kept the array it was given would be keyed with zeros after the wipe.
 */
const PASSING_SECRETS = new LentArray(64);

function wipeAndGiveBack(secret: Uint8Array): void {
  secret.fill(0);
  PASSING_SECRETS.giveBack(secret);
}

/** The empty context of keys, IVs, finished keys and key updates (RFC 8446 §7.2, §7.3, §4.4.4). */
const NO_CONTEXT = new Uint8Array(0);

/** Derive-Secret(Secret, Label, Messages) with the transcript hash already computed. */
export function deriveSecret(provider: CryptoProvider, suite: SuiteInfo, secret: Uint8Array, label: string, transcriptHash: Uint8Array) {
  return hkdfExpandLabel(provider, suite, secret, label, transcriptHash, suite.hashLength);
}

/** The AEAD key and IV of one direction of one epoch (RFC 8446 §7.3). */
export function trafficKeys(provider: CryptoProvider, suite: SuiteInfo, secret: Uint8Array) {
  return {
    key: hkdfExpandLabel(provider, suite, secret, 'key', NO_CONTEXT, suite.keyLength),
    iv: hkdfExpandLabel(provider, suite, secret, 'iv', NO_CONTEXT, AEAD_IV_LENGTH),
  };
}

/**
 * The record protection of one direction of one epoch (RFC 8446 §7.3), its key and IV derived from the traffic
 * secret when its first record is sealed or opened (TrafficSecretKeys): a handshake that ends without application
 * data never derives its application keys.
 */
export function trafficProtection(provider: CryptoProvider, suite: SuiteInfo, secret: Uint8Array): RecordProtection {
  return RecordProtection.derivedOnFirstRecord(provider, suite.aead, new TrafficSecretKeys(provider, suite, secret));
}

/**
 * The key and IV of one traffic secret, derived on demand. It holds the secret until then, as the handshake
 * state or ApplicationTraffic holds it anyway (secrets are arrays of their own, never written once derived).
 * The key is an array derived for the protection alone, never reused nor wiped by the engine: an AEAD that keeps
 * the array it was given instead of a copy (against provider.ts, but the natural way to wrap a cipher that takes
 * its key at every call) still protects records with this key, not with whatever reused memory holds next: all
 * zeros after a wipe, a key anyone knows, that both ends on such a provider would agree on silently
 * (test/security/passing-secrets-attacks). The IV goes into memory the protection lends and wipes.
 */
class TrafficSecretKeys implements TrafficKeySource {
  constructor(
    private readonly provider: CryptoProvider,
    private readonly suite: SuiteInfo,
    private readonly secret: Uint8Array,
  ) {}

  deriveKeys(iv: Uint8Array): Uint8Array {
    const derivedIv = hkdfExpandLabel(this.provider, this.suite, this.secret, 'iv', NO_CONTEXT, AEAD_IV_LENGTH, iv);
    // A provider written before hkdfExpand's `output` returns an array of its own: copied in, then wiped.
    if (derivedIv !== iv) resultInto(derivedIv, iv);
    // The key last: nothing after it writes or wipes what the provider gave, even when its results share one
    // buffer (test/security/record-key-shared-output: the IV's wipe zeroed twelve of the key's bytes).
    return hkdfExpandLabel(this.provider, this.suite, this.secret, 'key', NO_CONTEXT, this.suite.keyLength);
  }
}

/**
 * verify_data of a Finished message (RFC 8446 §4.4.4), into `output` when given; the finished key lives in
 * passing memory meanwhile.
 */
export function finishedVerifyData(provider: CryptoProvider, suite: SuiteInfo, baseKey: Uint8Array, transcriptHash: Uint8Array, output?: Uint8Array) {
  const keyMemory = PASSING_SECRETS.borrow(suite.hashLength);
  try {
    const finishedKey = hkdfExpandLabel(provider, suite, baseKey, 'finished', NO_CONTEXT, suite.hashLength, keyMemory);
    return provider.hmac(suite.hash, finishedKey, transcriptHash, output);
  } finally {
    wipeAndGiveBack(keyMemory);
  }
}

/** The verify_data we expect of a peer, for the one comparison it is computed for: wiped before it is given back. */
const EXPECTED_VERIFY_DATA = new LentArray(64);

/**
 * Whether a peer's Finished carries the verify_data of this transcript (RFC 8446 §4.4.4), compared in constant
 * time; ours is computed into reused memory and wiped before the comparison returns, never an array of its own
 * (one per side of a handshake fewer). `received` must already have the hash's length.
 */
export function finishedVerifyDataMatches(provider: CryptoProvider, suite: SuiteInfo, baseKey: Uint8Array, transcriptHash: Uint8Array, received: Uint8Array): boolean {
  const expectedMemory = EXPECTED_VERIFY_DATA.borrow(suite.hashLength);
  try {
    // Fails closed: a provider handing `output` back unwritten (against provider.ts) leaves the complement of
    // `received` to compare with, never a match; not the zeros of the last wipe (test/security/forged-finished).
    for (let i = 0; i < received.length; i++) expectedMemory[i] = ~received[i]!;
    return constantTimeEqual(finishedVerifyData(provider, suite, baseKey, transcriptHash, expectedMemory), received);
  } finally {
    expectedMemory.fill(0);
    EXPECTED_VERIFY_DATA.giveBack(expectedMemory);
  }
}

/** application_traffic_secret_N+1 (RFC 8446 §7.2). */
export function nextTrafficSecret(provider: CryptoProvider, suite: SuiteInfo, secret: Uint8Array) {
  return hkdfExpandLabel(provider, suite, secret, 'traffic upd', NO_CONTEXT, suite.hashLength);
}

/** The PSK a ticket stands for (RFC 8446 §4.6.1). */
export function resumptionPsk(provider: CryptoProvider, suite: SuiteInfo, resumptionMasterSecret: Uint8Array, ticketNonce: Uint8Array) {
  return hkdfExpandLabel(provider, suite, resumptionMasterSecret, 'resumption', ticketNonce, suite.hashLength);
}

/** TLS-Exporter (RFC 8446 §7.5), for the caller's arguments once checkExporterArguments took them. */
export function exporter(
  provider: CryptoProvider,
  suite: SuiteInfo,
  exporterMasterSecret: Uint8Array,
  label: string,
  context: Uint8Array,
  length: number,
) {
  checkExporterArguments(suite, label, context, length);
  const emptyHash = provider.hash(suite.hash, new Uint8Array(0));
  const secret = deriveSecret(provider, suite, exporterMasterSecret, label, emptyHash);
  return hkdfExpandLabel(provider, suite, secret, 'exporter', provider.hash(suite.hash, context), length);
}

/**
 * The caller's exporter arguments, refused before anything is derived, the same in every provider: HkdfLabel
 * holds "tls13 " + label in label<7..255> and the length in a uint16 (RFC 8446 §7.1), HKDF-Expand gives at
 * most 255 * HashLen bytes (RFC 5869 §2.3), and a length of 0 (or NaN, which a provider may read as 0)
 * binds nothing: node:tls also wants a length of at least 1, a string label and a buffer context.
 */
/** The longest exporter label: "tls13 " + label fits HkdfLabel's label<7..255> (RFC 8446 §7.1). */
export const MAX_EXPORTER_LABEL_BYTES = 255 - 'tls13 '.length;

function checkExporterArguments(suite: SuiteInfo, label: unknown, context: unknown, length: unknown): void {
  if (typeof label !== 'string') throw new TypeError(`label must be a string, not ${typeof label}`);
  const labelBytes = utf8.encode(label).length;
  if (labelBytes > MAX_EXPORTER_LABEL_BYTES) {
    throw new RangeError(`label must be at most ${MAX_EXPORTER_LABEL_BYTES} bytes of UTF-8 ("tls13 " + label <= 255, RFC 8446 §7.1), not ${labelBytes}`);
  }
  if (!(context instanceof Uint8Array)) throw new TypeError(`context must be a Uint8Array, not ${context === null ? 'null' : typeof context}`);
  if (typeof length !== 'number') throw new TypeError(`length must be a number, not ${typeof length}`);
  const most = 255 * suite.hashLength;
  if (!Number.isInteger(length) || length < 1 || length > most) {
    throw new RangeError(`length must be a whole number of bytes from 1 to ${most} (255 * HashLen, RFC 5869 §2.3), not ${length}`);
  }
}

/** What a key schedule without a PSK starts from: constants of the hash (and of the provider computing them). */
interface NoPskStart {
  emptyHash: Uint8Array;
  /** HKDF-Extract(0, 0). */
  earlySecret: Uint8Array;
  /** Derive-Secret(Early Secret, "derived", ""): the salt of the Handshake Secret. */
  handshakeSalt: Uint8Array;
}

/**
 * Computed once per provider and hash: every full handshake without a PSK starts from the same early secret
 * (RFC 8446 §7.1: "if PSK is not in use ... a string of Hash.length bytes set to zeros"), so its two HKDF
 * steps and the empty hash are not redone per connection. A schedule with a PSK takes only the empty hash from
 * here (Transcript-Hash(""), a constant of the hash: three per resumption, two on the client's side, binder and
 * handshake, and the server's); its early secret is its own.
 */
const NO_PSK_STARTS = new WeakMap<CryptoProvider, Map<string, NoPskStart>>();

function noPskStart(provider: CryptoProvider, suite: SuiteInfo): NoPskStart {
  let perHash = NO_PSK_STARTS.get(provider);
  if (!perHash) NO_PSK_STARTS.set(provider, (perHash = new Map()));
  let start = perHash.get(suite.hash);
  if (!start) {
    const zeros = new Uint8Array(suite.hashLength);
    const emptyHash = provider.hash(suite.hash, new Uint8Array(0));
    const earlySecret = provider.hkdfExtract(suite.hash, zeros, zeros);
    start = { emptyHash, earlySecret, handshakeSalt: deriveSecret(provider, suite, earlySecret, 'derived', emptyHash) };
    perHash.set(suite.hash, start);
  }
  return start;
}

/**
 * The chain of extract steps. Each stage is computed once, in order; the handshake calls the stage
 * methods as the transcript reaches the points RFC 8446 §7.1 names.
 */
export class KeySchedule {
  private readonly zeros: Uint8Array;
  private readonly emptyHash: Uint8Array;
  readonly earlySecret: Uint8Array;
  /** Known in advance without a PSK (noPskStart); derived from the early secret otherwise. */
  private readonly handshakeSalt?: Uint8Array;
  private handshakeSecret?: Uint8Array;
  private masterSecret?: Uint8Array;
  /** The Early Secret came from a PSK: this connection's own, to wipe at close. */
  private readonly ownEarlySecret: boolean;

  constructor(
    private readonly provider: CryptoProvider,
    readonly suite: SuiteInfo,
    psk?: Uint8Array,
  ) {
    this.zeros = new Uint8Array(suite.hashLength);
    this.ownEarlySecret = psk !== undefined;
    if (psk) {
      this.emptyHash = noPskStart(provider, suite).emptyHash;
      this.earlySecret = provider.hkdfExtract(suite.hash, this.zeros, psk);
    } else {
      const start = noPskStart(provider, suite);
      this.emptyHash = start.emptyHash;
      this.earlySecret = start.earlySecret;
      this.handshakeSalt = start.handshakeSalt;
    }
  }

  /**
   * The connection closed: the Handshake and Master Secrets, and the Early Secret of a PSK, are zeroed. Without a
   * PSK the Early Secret and the salt are noPskStart's, shared by every connection and derived from no secret.
   */
  wipe(): void {
    this.handshakeSecret?.fill(0);
    this.masterSecret?.fill(0);
    if (this.ownEarlySecret) this.earlySecret.fill(0);
  }

  derive(secret: Uint8Array, label: string, transcriptHash: Uint8Array): Uint8Array {
    return deriveSecret(this.provider, this.suite, secret, label, transcriptHash);
  }

  binderKey(resumption: boolean): Uint8Array {
    return this.derive(this.earlySecret, resumption ? 'res binder' : 'ext binder', this.emptyHash);
  }

  /** Handshake Secret = HKDF-Extract(Derive-Secret(Early Secret, "derived", ""), (EC)DHE). */
  enterHandshake(sharedSecret: Uint8Array | undefined): Uint8Array {
    const salt = this.handshakeSalt ?? this.derive(this.earlySecret, 'derived', this.emptyHash);
    this.handshakeSecret = this.provider.hkdfExtract(this.suite.hash, salt, sharedSecret ?? this.zeros);
    return this.handshakeSecret;
  }

  /** Master Secret = HKDF-Extract(Derive-Secret(Handshake Secret, "derived", ""), 0). */
  enterMaster(): Uint8Array {
    if (!this.handshakeSecret) throw new Error('key schedule: master secret before handshake secret');
    const saltMemory = PASSING_SECRETS.borrow(this.suite.hashLength);
    try {
      const salt = hkdfExpandLabel(this.provider, this.suite, this.handshakeSecret, 'derived', this.emptyHash, this.suite.hashLength, saltMemory);
      this.masterSecret = this.provider.hkdfExtract(this.suite.hash, salt, this.zeros);
    } finally {
      wipeAndGiveBack(saltMemory);
    }
    return this.masterSecret;
  }

  handshakeTrafficSecrets(transcriptHash: Uint8Array) {
    if (!this.handshakeSecret) throw new Error('key schedule: handshake secrets before the handshake secret');
    return {
      client: this.derive(this.handshakeSecret, 'c hs traffic', transcriptHash),
      server: this.derive(this.handshakeSecret, 's hs traffic', transcriptHash),
    };
  }

  applicationSecrets(transcriptHashThroughServerFinished: Uint8Array) {
    if (!this.masterSecret) throw new Error('key schedule: application secrets before the master secret');
    return {
      client: this.derive(this.masterSecret, 'c ap traffic', transcriptHashThroughServerFinished),
      server: this.derive(this.masterSecret, 's ap traffic', transcriptHashThroughServerFinished),
      exporter: this.derive(this.masterSecret, 'exp master', transcriptHashThroughServerFinished),
    };
  }

  resumptionMasterSecret(transcriptHashThroughClientFinished: Uint8Array) {
    if (!this.masterSecret) throw new Error('key schedule: resumption secret before the master secret');
    return this.derive(this.masterSecret, 'res master', transcriptHashThroughClientFinished);
  }

  earlySecrets(transcriptHashOfClientHello: Uint8Array) {
    return {
      clientEarlyTraffic: this.derive(this.earlySecret, 'c e traffic', transcriptHashOfClientHello),
      earlyExporter: this.derive(this.earlySecret, 'e exp master', transcriptHashOfClientHello),
    };
  }
}
