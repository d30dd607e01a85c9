// The narrated text trace: a heading per handshake message ("ClientHello →", "← ServerHello"), each side's
// state transitions and decisions with their reasons, every secret with its RFC 8446 §7.1 label, and, on
// request, a hex dump of each message with its annotation spans beside the bytes (offset, field path,
// value, meaning, RFC section). Pure functions over events: the caller decides where the lines go.
// Every text an event carries may quote the peer (an ALPN name, application data, an alert's detail): the
// peer's values were escaped where they were put into that text (escapePeerText: a backslash doubled, so no
// value spells an escape), and each line is escapeControls'd last, which leaves backslashes alone: it drives
// no terminal, forges no line, and never escapes an escape twice.
import type { NegotiatedInfo, Role, TlsEvent } from '../handshake/events.js';
import { hex, type Span } from '../wire/bytes.js';
import {
  certificateCompressionAlgorithmName,
  cipherSuiteName,
  extensionTypeName,
  HandshakeType,
  keyUpdateRequestName,
  signatureSchemeName,
} from '../wire/enums.js';
import { escapeControls, escapePeerText } from '../wire/show-value.js';
import type { Extension, HandshakeMessage } from '../wire/types.js';

export interface TextTraceOptions {
  /** Print secret values (default false: only when asked); without them a secret is only named. */
  secrets?: boolean;
  /** A hex dump with annotation spans under each handshake message (needs `trace: true` in the config). */
  hexdump?: boolean;
  /** ANSI colours (the caller decides: only on a terminal, never with NO_COLOR). */
  color?: boolean;
}

type Paint = (text: string) => string;

function palette(color: boolean): Record<'heading' | 'dim' | 'secret' | 'decision' | 'alert' | 'field', Paint> {
  const ansi = (code: string): Paint => (color ? (text) => `\x1b[${code}m${text}\x1b[0m` : (text) => text);
  return { heading: ansi('1'), dim: ansi('2'), secret: ansi('33'), decision: ansi('32'), alert: ansi('31'), field: ansi('36') };
}

const MESSAGE_TITLES: Record<HandshakeMessage['kind'], string> = {
  client_hello: 'ClientHello',
  server_hello: 'ServerHello',
  hello_retry_request: 'HelloRetryRequest',
  encrypted_extensions: 'EncryptedExtensions',
  certificate_request: 'CertificateRequest',
  certificate: 'Certificate',
  certificate_verify: 'CertificateVerify',
  finished: 'Finished',
  new_session_ticket: 'NewSessionTicket',
  end_of_early_data: 'EndOfEarlyData',
  key_update: 'KeyUpdate',
  compressed_certificate: 'CompressedCertificate',
  message_hash: 'message_hash',
};

/** The RFC 8446 name of a handshake message, e.g. `CertificateVerify`. */
export function messageTitle(kind: HandshakeMessage['kind']): string {
  return MESSAGE_TITLES[kind];
}

/**
 * The heading of a message as the flows in RFC 8446 §2 draw them: the client on the left, the server on
 * the right, so what the client sends points right and what the server sends points left.
 */
export function messageHeading(sender: Role, kind: HandshakeMessage['kind']): string {
  return sender === 'client' ? `${messageTitle(kind)} →` : `← ${messageTitle(kind)}`;
}

function extensionList(extensions: Extension[]): string {
  return extensions.length === 0 ? 'no extensions' : `extensions: ${extensions.map((e) => extensionTypeName(e.type)).join(', ')}`;
}

/** One line saying what a message carries, in words. */
export function messageSummary(message: HandshakeMessage): string {
  switch (message.kind) {
    case 'client_hello':
      return `random ${hex(message.random)}; suites: ${message.cipherSuites.map(cipherSuiteName).join(', ')}; ${extensionList(message.extensions)}`;
    case 'server_hello':
      return `random ${hex(message.random)}; suite ${cipherSuiteName(message.cipherSuite)}; ${extensionList(message.extensions)}`;
    case 'hello_retry_request':
      return `suite ${cipherSuiteName(message.cipherSuite)}; ${extensionList(message.extensions)}`;
    case 'encrypted_extensions':
      return extensionList(message.extensions);
    case 'certificate_request':
      return `context ${message.context.length === 0 ? '(empty)' : hex(message.context)}; ${extensionList(message.extensions)}`;
    case 'certificate': {
      if (message.entries.length === 0) return 'no certificate';
      const sizes = message.entries.map((e) => `${e.data.length} bytes`).join(', ');
      return `${message.entries.length} certificate${message.entries.length === 1 ? '' : 's'}, leaf first (${sizes})`;
    }
    case 'certificate_verify':
      return `signature scheme ${signatureSchemeName(message.scheme)}, ${message.signature.length}-byte signature over the transcript hash`;
    case 'finished':
      return `verify_data ${hex(message.verifyData)}`;
    case 'new_session_ticket':
      return `lifetime ${message.lifetime} s, ${message.ticket.length}-byte ticket, nonce ${hex(message.nonce)}`;
    case 'end_of_early_data':
      return 'end of 0-RTT data';
    case 'key_update':
      return keyUpdateRequestName(message.requestUpdate);
    case 'compressed_certificate':
      return `${certificateCompressionAlgorithmName(message.algorithm)}: ${message.compressed.length} bytes for a ${message.uncompressedLength}-byte Certificate message (RFC 8879)`;
    case 'message_hash':
      return `hash ${hex(message.hash)}`;
    default: {
      const never: never = message;
      throw new Error(`unknown message ${JSON.stringify(never)}`);
    }
  }
}

const BYTES_PER_ROW = 16;
/** Width of a full row of hex bytes: "xx " per byte. */
const HEX_COLUMN = BYTES_PER_ROW * 3;
/** The 4-byte handshake header (RFC 8446 §4) precedes the body the spans are measured in. */
const HEADER_LENGTH = 4;

function hexRows(bytes: Uint8Array): string[] {
  const rows: string[] = [];
  for (let i = 0; i < bytes.length; i += BYTES_PER_ROW) {
    rows.push(Array.from(bytes.subarray(i, i + BYTES_PER_ROW), (b) => b.toString(16).padStart(2, '0')).join(' '));
  }
  return rows.length > 0 ? rows : [''];
}

function offsetLabel(offset: number): string {
  return offset.toString(16).padStart(4, '0');
}

function describeSpan(span: Span, bytes: Uint8Array): string {
  let text = span.path;
  // A value that is just the bytes again (a random, a key share) is already in the hex column.
  // A string value is the message's own text (an ALPN name, a SAN): escapePeerText, so it spells no escape.
  if (span.value !== undefined && !(typeof span.value === 'string' && span.value === hex(bytes))) text += ` = ${typeof span.value === 'string' ? escapePeerText(span.value) : span.value}`;
  if (span.meaning !== undefined) text += ` (${span.meaning})`;
  if (span.rfc) text += `  [${span.rfc}]`;
  return escapeControls(text);
}

/**
 * Spans in reading order: by offset; at one offset, outer spans before the spans inside them (longest
 * first, then shallowest path). An empty field (an extension with no body, an empty vector) sits where its
 * bytes would be: before the spans that start at the same offset, unless it lies inside one of them.
 */
export function orderSpans(spans: readonly Span[]): Span[] {
  const inside = (inner: Span, outer: Span) => inner.path.startsWith(`${outer.path}.`) || inner.path.startsWith(`${outer.path}[`);
  return [...spans].sort((a, b) => {
    if (a.offset !== b.offset) return a.offset - b.offset;
    if ((a.length === 0) !== (b.length === 0)) {
      const [empty, other] = a.length === 0 ? [a, b] : [b, a];
      const emptyFirst = inside(empty, other) ? 1 : -1;
      return a === empty ? emptyFirst : -emptyFirst;
    }
    return b.length - a.length || a.path.length - b.path.length;
  });
}

/**
 * A hex dump of one handshake message (header included) with the annotation spans beside the bytes. Offsets
 * count from the first byte of the header. A span holding other spans is a heading line; the bytes appear
 * under its innermost fields. Bytes no span covers are shown as "(not annotated)".
 */
export function hexDump(raw: Uint8Array, spans: readonly Span[], color = false): string[] {
  const paint = palette(color);
  const lines: string[] = [];
  const row = (offset: number, bytes: Uint8Array, note: string) => {
    hexRows(bytes).forEach((hexText, i) => {
      const label = paint.dim(offsetLabel(offset + i * BYTES_PER_ROW));
      lines.push(`${label}  ${hexText.padEnd(HEX_COLUMN)}${i === 0 ? ` ${note}` : ''}`.trimEnd());
    });
  };
  const msgType = raw[0] ?? 0;
  const kind = Object.entries(HandshakeType).find(([, v]) => v === msgType)?.[0] ?? `unknown(${msgType})`;
  row(0, raw.subarray(0, HEADER_LENGTH), `${paint.field('handshake.msg_type')} = ${msgType} (${kind}), length = ${raw.length - HEADER_LENGTH}  [RFC 8446 §4]`);

  const sorted = orderSpans(spans);
  let covered = HEADER_LENGTH;
  sorted.forEach((span, i) => {
    const start = span.offset + HEADER_LENGTH;
    const end = start + span.length;
    const next = sorted[i + 1];
    const isContainer = next !== undefined && next.offset + HEADER_LENGTH < end && span.length > 0;
    if (start > covered) row(covered, raw.subarray(covered, start), paint.dim('(not annotated)'));
    const bytes = raw.subarray(start, end);
    if (isContainer) {
      lines.push(`${paint.dim(offsetLabel(start))}  ${''.padEnd(HEX_COLUMN)} ${paint.field(describeSpan(span, bytes))}: ${span.length} bytes`);
    } else {
      row(start, bytes, paint.field(describeSpan(span, bytes)));
    }
    covered = Math.max(covered, isContainer ? start : end);
  });
  if (covered < raw.length) row(covered, raw.subarray(covered), paint.dim('(not annotated)'));
  return lines;
}

function peerOf(side: Role): Role {
  return side === 'client' ? 'server' : 'client';
}

/** Application data as a quoted string: JSON's escapes, and ours for what JSON leaves raw (C1, U+2028, bidi). */
function printable(data: Uint8Array): string {
  const text = new TextDecoder('utf-8', { fatal: false }).decode(data);
  return escapeControls(JSON.stringify(text));
}

/** The negotiated parameters in one line: version, suite, group, signature scheme, ALPN. */
export function describeNegotiated(info: Readonly<NegotiatedInfo>): string {
  const usedPsk = info.resumed === true || info.peer?.kind === 'psk';
  const parts = [
    info.version ?? 'version ?',
    info.cipherSuite ?? 'suite ?',
    `group ${info.group ?? (usedPsk ? 'none (psk_ke: NO FORWARD SECRECY)' : '?')}`,
    // A resumed session or an external PSK authenticates by the PSK: no CertificateVerify, so no signature (RFC 8446 §2.2).
    `signature ${info.signatureScheme ?? (usedPsk ? 'none (PSK)' : '?')}`,
    `ALPN ${info.alpn ?? 'none'}`,
  ];
  return parts.join(', ');
}

/** What a post-handshake CertificateRequest got, and who the client still is (RFC 8446 §4.6.2). */
const describePeer = (peer: NegotiatedInfo['peer']) =>
  peer?.kind === 'psk' ? peer.identity : (peer?.subject ?? (peer ? `key sha256/${peer.spkiSha256Base64}` : undefined)) || '(empty subject)';

export function describePostHandshakeAnswer(event: Extract<TlsEvent, { type: 'post-handshake-auth' }>): string {
  const subject = describePeer(event.info.peer);
  if (event.answer === 'certificate' && event.replaced) return `${subject} (replacing ${describePeer(event.replaced)}, proven before)`;
  if (event.answer === 'certificate') return subject;
  return event.info.peer ? `sent no certificate (still ${subject}, proven in the handshake)` : 'sent no certificate';
}

/**
 * Turns the events of one or both ends of a connection into narrated lines. When both ends report the same
 * thing (a message one sends and the other receives, a secret both derive), it is told once.
 */
export class TextNarrator {
  private readonly paint: ReturnType<typeof palette>;
  private readonly told = new Set<string>();

  constructor(private readonly options: TextTraceOptions = {}) {
    this.paint = palette(options.color ?? false);
  }

  /** One line for a message `side` sends, when the message itself is told as its receiver reads it. */
  sends(side: Role, event: Extract<TlsEvent, { type: 'handshake-message' }>): string {
    return `  ${this.paint.dim(`[${side}]`)} sends ${messageTitle(event.message.kind)} (${event.raw.length} bytes)`;
  }

  /** Lines for one event reported by `side`; often none (a repeat) or one. */
  render(side: Role, event: TlsEvent): string[] {
    const p = this.paint;
    const who = p.dim(`[${side}]`);
    switch (event.type) {
      case 'handshake-message': {
        const sender = event.direction === 'out' ? side : peerOf(side);
        // The receiving end of a message already shown: one line, so its decisions read in context.
        if (!this.once(`message ${sender} ${hex(event.raw)}`)) return [`  ${who} receives ${messageTitle(event.message.kind)}`];
        const lines = ['', `${p.heading(messageHeading(sender, event.message.kind))}  ${p.dim(`${event.raw.length} bytes`)}`];
        lines.push(`  ${messageSummary(event.message)}`);
        if (this.options.hexdump && event.spans) lines.push(...hexDump(event.raw, event.spans, this.options.color).map((l) => `    ${l}`));
        return lines;
      }
      case 'state':
        return [`  ${who} state ${event.from} → ${event.to}`];
      case 'decision':
        return [`  ${who} ${p.decision(`${event.topic}: ${escapeControls(event.value)}`)} (${escapeControls(event.reason)})`];
      case 'decision-needed': {
        const suggestion = 'suggestion' in event.decision ? event.decision.suggestion : undefined;
        const hint = suggestion ? `; the policy would say ${suggestion.trusted ? 'trusted' : 'not trusted'}: ${escapeControls(suggestion.detail)}` : '';
        return [`  ${who} waits for the caller to decide: ${event.decision.kind}${hint}`];
      }
      case 'secret': {
        if (!this.once(`secret ${event.name} ${hex(event.clientRandom)}`)) return [];
        const value = this.options.secrets === true ? hex(event.secret) : '(value hidden)';
        const keylog = event.keylog ? `, key log ${event.keylog}` : '';
        return [`  ${p.secret(`secret ${event.name}`)} ("${event.label}"${keylog}) = ${value}`];
      }
      case 'connected':
        return [`  ${who} ${p.heading('connected')}: ${describeNegotiated(event.info)}`];
      case 'post-handshake-auth':
        return [`  ${who} ${p.heading('post-handshake authentication done')}: client ${describePostHandshakeAnswer(event)}`];
      case 'session-ticket':
        return [`  ${who} session ticket received: lifetime ${event.ticket.lifetime} s for ${event.ticket.serverName ?? 'this server'}`];
      case 'data':
        return [`  ${who} received ${event.data.length} bytes of ${event.early ? '0-RTT' : 'application'} data: ${printable(event.data)}`];
      case 'alert': {
        const verb = event.direction === 'out' ? 'sends' : 'received';
        const why = event.detail ? ` (${event.reason}: ${escapeControls(event.detail)})` : '';
        const text = `${verb} ${event.level} alert ${event.description}${why}`;
        return [`  ${who} ${event.description === 'close_notify' ? text : p.alert(text)}`];
      }
      case 'closed':
        return [`  ${who} closed by ${event.by}${event.error ? `: ${escapeControls(event.error)}` : ''}`];
      case 'record':
        return [`  ${who} record ${event.direction} content type ${event.contentType}, ${event.raw.length} bytes${event.protected ? ', protected' : ''}`];
      default: {
        const never: never = event;
        throw new Error(`unknown event ${JSON.stringify(never)}`);
      }
    }
  }

  private once(key: string): boolean {
    if (this.told.has(key)) return false;
    this.told.add(key);
    return true;
  }
}
