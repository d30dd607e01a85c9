// What the lab shows of one record: its header fields, and for a protected record the content recovered
// with the sender's traffic secret (the position of someone holding the key log). Opening follows RFC 8446
// §5.2 and §5.3 with the engine's own RecordProtection: each traffic key counts its records from 0, and a
// record that does not authenticate leaves the count where it was, exactly as the receiver's does.
import { decodeHandshake } from '../wire/messages.js';
import { messageSpans } from '../handshake/annotate.js';
import type { Role, TlsEvent } from '../handshake/events.js';
import { nextTrafficSecret, trafficKeys, type SecretName } from '../handshake/keyschedule.js';
import type { SuiteInfo } from '../handshake/suites.js';
import { RECORD_HEADER_LENGTH } from '../record/header.js';
import { RecordProtection } from '../record/protection.js';
import type { CryptoProvider } from '../crypto/provider.js';
import { splitHandshakeMessages } from '../testing/tamper.js';
import type { Span } from '../wire/bytes.js';
import { alertDescriptionName, ContentType, contentTypeName } from '../wire/enums.js';
import type { HandshakeMessage } from '../wire/types.js';

/** A handshake message found in a record's content, with its field spans when it decodes. */
export interface MessageView {
  raw: Uint8Array;
  message?: HandshakeMessage;
  spans?: Span[];
  /** Why it does not decode (a tampered message may not). */
  error?: string;
}

export interface RecordView {
  bytes: Uint8Array;
  /** The 5-byte header's fields (RFC 8446 §5.1), offsets from the first byte of the record. */
  headerSpans: Span[];
  protected: boolean;
  /** For a protected record: which traffic secret opened it and its sequence number (RFC 8446 §5.3). */
  epoch?: { secret: string; sequence: number };
  /** The real content type and the content (for a protected record, after decryption). */
  contentType?: number;
  content?: Uint8Array;
  messages: MessageView[];
  /** Fields of non-handshake content (an alert, a ChangeCipherSpec, application data), offsets from its start. */
  contentSpans: Span[];
  /** Why a protected record could not be opened. */
  failure?: string;
}

/** The record header's three fields as spans (RFC 8446 §5.1, §5.2). */
function headerSpans(bytes: Uint8Array): Span[] {
  const type = bytes[0] ?? 0;
  const fragment = bytes.length - RECORD_HEADER_LENGTH;
  const isProtected = type === ContentType.application_data;
  return [
    { offset: 0, length: 1, path: 'record.type', value: type, meaning: contentTypeName(type), rfc: isProtected ? 'RFC 8446 §5.2 (opaque_type)' : 'RFC 8446 §5.1' },
    { offset: 1, length: 2, path: 'record.legacy_record_version', value: `0x${(((bytes[1] ?? 0) << 8) | (bytes[2] ?? 0)).toString(16).padStart(4, '0')}`, meaning: '0x0303 (TLS 1.2) in every record; an initial ClientHello may say 0x0301', rfc: 'RFC 8446 §5.1' },
    { offset: 3, length: 2, path: 'record.length', value: ((bytes[3] ?? 0) << 8) | (bytes[4] ?? 0), rfc: 'RFC 8446 §5.1' },
    { offset: 5, length: fragment, path: isProtected ? 'record.encrypted_record' : 'record.fragment', meaning: isProtected ? 'AEAD ciphertext of content || type || padding, then the 16-byte tag' : 'the plaintext content', rfc: isProtected ? 'RFC 8446 §5.2' : 'RFC 8446 §5.1' },
  ];
}

/** A record as the wire shows it, not opened yet. */
export function wireView(bytes: Uint8Array): RecordView {
  return { bytes, headerSpans: headerSpans(bytes), protected: bytes[0] === ContentType.application_data, messages: [], contentSpans: [] };
}

/** The fields of an alert (RFC 8446 §6), a ChangeCipherSpec (§5, Appendix D.4) or application data. */
function contentSpans(type: number, content: Uint8Array): Span[] {
  switch (type) {
    case ContentType.alert:
      return [
        { offset: 0, length: 1, path: 'alert.level', value: content[0] ?? 0, meaning: content[0] === 2 ? 'fatal' : content[0] === 1 ? 'warning' : 'unknown', rfc: 'RFC 8446 §6' },
        { offset: 1, length: 1, path: 'alert.description', value: content[1] ?? 0, meaning: alertDescriptionName(content[1] ?? 0), rfc: 'RFC 8446 §6.2' },
      ];
    case ContentType.change_cipher_spec:
      return [{ offset: 0, length: content.length, path: 'change_cipher_spec', value: content[0] ?? 0, meaning: 'middlebox compatibility only: ignored by TLS 1.3', rfc: 'RFC 8446 §5, Appendix D.4' }];
    default:
      return [{ offset: 0, length: content.length, path: 'application_data', meaning: JSON.stringify(new TextDecoder('utf-8', { fatal: false }).decode(content)), rfc: 'RFC 8446 §5.2' }];
  }
}

/** Handshake messages in record content, each decoded with its spans where it can be. */
export function messageViews(content: Uint8Array): MessageView[] {
  let raws: Uint8Array[];
  try {
    raws = splitHandshakeMessages(content);
  } catch {
    return [{ raw: content, error: 'the content ends inside a handshake message' }];
  }
  return raws.map((raw) => {
    try {
      const message = decodeHandshake(raw);
      return { raw, message, spans: messageSpans(message, raw) };
    } catch (e) {
      return { raw, error: e instanceof Error ? e.message : String(e) };
    }
  });
}

interface Epoch {
  name: string;
  secret: Uint8Array;
  protection: RecordProtection;
  sequence: number;
}

/** The traffic secrets one direction uses, in the order RFC 8446 §7.1 derives them. */
const SENDER_SECRETS: Record<Role, SecretName[]> = {
  client: ['client_early_traffic_secret', 'client_handshake_traffic_secret', 'client_application_traffic_secret_0'],
  server: ['server_handshake_traffic_secret', 'server_application_traffic_secret_0'],
};

/**
 * Opens the protected records one side sends, in the order given, with the secrets that side announced.
 * A record is tried under the current key and then under later ones (the sender moved on: handshake to
 * application keys, or a KeyUpdate, RFC 8446 §4.6.3); the first that authenticates becomes current.
 */
export class RecordOpener {
  private readonly epochs: Epoch[] = [];
  private current = 0;

  constructor(
    private readonly sender: Role,
    private readonly provider: CryptoProvider,
    private readonly suite: () => SuiteInfo | undefined,
    private readonly senderEvents: () => TlsEvent[],
  ) {}

  view(bytes: Uint8Array): RecordView {
    const view = wireView(bytes);
    if (!view.protected) {
      view.contentType = bytes[0]!;
      view.content = bytes.subarray(RECORD_HEADER_LENGTH);
    } else {
      this.open(bytes, view);
    }
    if (view.contentType === ContentType.handshake && view.content) view.messages = messageViews(view.content);
    else if (view.content) view.contentSpans = contentSpans(view.contentType!, view.content);
    return view;
  }

  private open(bytes: Uint8Array, view: RecordView): void {
    this.learnSecrets();
    // The current key, then the next two: early data to handshake to application keys, or a KeyUpdate.
    for (let i = this.current; i <= this.current + 2; i++) {
      if (i >= this.epochs.length && !this.deriveUpdatedSecret()) break;
      const epoch = this.epochs[i]!;
      try {
        const opened = epoch.protection.open(bytes);
        this.current = i;
        view.epoch = { secret: epoch.name, sequence: epoch.sequence++ };
        view.contentType = opened.contentType;
        view.content = opened.content.slice();
        return;
      } catch {
        // not under this key: try the next one
      }
    }
    const epoch = this.epochs[this.current];
    view.failure = epoch
      ? `does not authenticate under ${epoch.name} (record number ${epoch.sequence}): the receiver answers bad_record_mac (RFC 8446 §5.2)`
      : 'no traffic secret of the sender is known yet';
  }

  /** Adds the secrets the sender has announced since the last look. */
  private learnSecrets(): void {
    const suite = this.suite();
    if (!suite) return;
    for (const event of this.senderEvents()) {
      if (event.type !== 'secret' || !SENDER_SECRETS[this.sender].includes(event.name)) continue;
      if (this.epochs.some((e) => e.name === event.name)) continue;
      this.addEpoch(event.name, event.secret, suite);
    }
  }

  /** application_traffic_secret_N+1 after a KeyUpdate (RFC 8446 §7.2); false before any application secret. */
  private deriveUpdatedSecret(): boolean {
    const last = this.epochs.at(-1);
    const suite = this.suite();
    if (!last || !suite || !last.name.includes('application')) return false;
    const n = Number(/_(\d+)$/.exec(last.name)![1]) + 1;
    this.addEpoch(`${this.sender}_application_traffic_secret_${n}`, nextTrafficSecret(this.provider, suite, last.secret), suite);
    return true;
  }

  private addEpoch(name: string, secret: Uint8Array, suite: SuiteInfo): void {
    const { key, iv } = trafficKeys(this.provider, suite, secret);
    this.epochs.push({ name, secret, protection: new RecordProtection(this.provider, suite.aead, key, iv), sequence: 0 });
  }
}
