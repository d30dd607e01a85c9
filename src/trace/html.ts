// The illustrated page of a whole connection: one self-contained HTML file (inline CSS and script, no
// network) with every record in and out, each handshake message with its fields as an expandable tree
// beside a hex view, where pointing at a field lights up its bytes and pointing at a byte lights up the
// innermost field that holds it (a click keeps the selection). Decisions, secrets and alerts are listed.
// Generated from the events of any run; every piece of text is escaped.
import type { Role, TlsEvent } from '../handshake/events.js';
import { hex, type Span } from '../wire/bytes.js';
import { contentTypeName, handshakeTypeName } from '../wire/enums.js';
import { describeNegotiated, describePostHandshakeAnswer, messageHeading, messageSummary, messageTitle, orderSpans } from './text.js';

export interface HtmlTraceOptions {
  /** The page title (default "TLS 1.3 connection"). */
  title?: string;
  /** Show secret values (default false: only when asked); without them secrets are only named. */
  secrets?: boolean;
  /** Lines shown under the title, e.g. what the scenario is. */
  description?: string[];
}

export type SidedEvent = { side: Role; event: TlsEvent };

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text made safe for HTML content and quoted attribute values. */
export function escapeHtml(text: string | number): string {
  return String(text).replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

/** The 4-byte handshake header (RFC 8446 §4) precedes the body the spans are measured in. */
const HEADER_LENGTH = 4;
const BYTES_PER_ROW = 16;

export interface FieldNode {
  span: Span;
  start: number;
  end: number;
  children: FieldNode[];
}

function contains(outer: FieldNode, inner: FieldNode): boolean {
  return outer.end > outer.start && inner.start >= outer.start && inner.end <= outer.end;
}

/** Spans as a tree by containment, offsets counted from the first header byte (as in the hex view). */
export function fieldTree(raw: Uint8Array, spans: readonly Span[]): FieldNode[] {
  const header: FieldNode = {
    span: { offset: -HEADER_LENGTH, length: HEADER_LENGTH, path: 'handshake', value: `${handshakeTypeName(raw[0] ?? 0)}, length ${raw.length - HEADER_LENGTH}`, rfc: 'RFC 8446 §4' },
    start: 0,
    end: HEADER_LENGTH,
    children: [],
  };
  const sorted = orderSpans(spans);
  const roots: FieldNode[] = [header];
  const stack: FieldNode[] = [];
  for (const span of sorted) {
    const node: FieldNode = { span, start: span.offset + HEADER_LENGTH, end: span.offset + HEADER_LENGTH + span.length, children: [] };
    while (stack.length > 0 && !contains(stack.at(-1)!, node)) stack.pop();
    (stack.at(-1)?.children ?? roots).push(node);
    stack.push(node);
  }
  return roots;
}

function fieldLabel(node: FieldNode): string {
  const { span } = node;
  const name = span.path.split('.').pop() ?? span.path;
  let html = `<span class="name" title="${escapeHtml(span.path)}">${escapeHtml(name)}</span>`;
  if (span.value !== undefined) html += ` = <span class="value">${escapeHtml(span.value)}</span>`;
  if (span.meaning !== undefined) html += ` <span class="meaning">(${escapeHtml(span.meaning)})</span>`;
  if (span.rfc) html += ` <span class="rfc">${escapeHtml(span.rfc)}</span>`;
  return `${html} <span class="len">${node.end - node.start} B</span>`;
}

export function fieldList(nodes: FieldNode[]): string {
  const items = nodes.map((node) => {
    const row = `<div class="row">${fieldLabel(node)}</div>`;
    const inner = node.children.length > 0 ? `<details open><summary>${node.children.length} fields</summary>${fieldList(node.children)}</details>` : '';
    return `<li class="f" data-s="${node.start}" data-e="${node.end}">${row}${inner}</li>`;
  });
  return `<ul class="fields">${items.join('')}</ul>`;
}

/** Hex rows; with `indexed`, each byte is a span carrying its offset for the highlighting script. */
export function hexView(bytes: Uint8Array, indexed: boolean): string {
  const rows: string[] = [];
  for (let at = 0; at < bytes.length; at += BYTES_PER_ROW) {
    const cells = Array.from(bytes.subarray(at, at + BYTES_PER_ROW), (b, i) => {
      const text = b.toString(16).padStart(2, '0');
      return indexed ? `<span data-i="${at + i}">${text}</span>` : text;
    });
    rows.push(`<div><span class="off">${at.toString(16).padStart(4, '0')}</span> ${cells.join(' ')}</div>`);
  }
  return `<div class="hex">${rows.join('')}</div>`;
}

function badge(side: Role): string {
  return `<span class="side ${side}">${side}</span>`;
}

function line(side: Role, cls: string, html: string): string {
  return `<li class="ev ${cls}">${badge(side)} ${html}</li>`;
}

const peerOf = (side: Role): Role => (side === 'client' ? 'server' : 'client');

function printable(data: Uint8Array): string {
  return JSON.stringify(new TextDecoder('utf-8', { fatal: false }).decode(data));
}

interface Lists {
  decisions: string[];
  secrets: string[];
  alerts: string[];
}

function renderEvent(side: Role, event: TlsEvent, shown: Set<string>, lists: Lists, options: HtmlTraceOptions): string {
  switch (event.type) {
    case 'handshake-message': {
      const sender = event.direction === 'out' ? side : peerOf(side);
      const key = `${sender} ${hex(event.raw)}`;
      if (shown.has(key)) return line(side, 'recv', `receives ${escapeHtml(messageTitle(event.message.kind))}`);
      shown.add(key);
      const heading = escapeHtml(messageHeading(sender, event.message.kind));
      const body = event.spans
        ? `<div class="panes"><div class="tree">${fieldList(fieldTree(event.raw, event.spans))}</div>${hexView(event.raw, true)}</div>`
        : `<p class="note">No field annotations (run with <code>trace: true</code>).</p>${hexView(event.raw, true)}`;
      return (
        `<li class="msg-item ${sender}"><details class="msg" open><summary><span class="heading">${heading}</span> ` +
        `<span class="size">${event.raw.length} bytes</span><div class="summary">${escapeHtml(messageSummary(event.message))}</div></summary>${body}</details></li>`
      );
    }
    case 'record': {
      const what = `${event.direction === 'out' ? 'sends' : 'receives'} record ${escapeHtml(contentTypeName(event.contentType))}, ${event.raw.length} bytes${event.protected ? ', protected' : ''}`;
      return `<li class="ev record">${badge(side)} <details><summary>${what}</summary>${hexView(event.raw, false)}</details></li>`;
    }
    case 'state':
      return line(side, 'state', `state ${escapeHtml(event.from)} → <b>${escapeHtml(event.to)}</b>`);
    case 'decision': {
      const text = `<b>${escapeHtml(event.topic)}</b>: ${escapeHtml(event.value)} <span class="why">(${escapeHtml(event.reason)})</span>`;
      lists.decisions.push(`<li>${badge(side)} ${text}</li>`);
      return line(side, 'decision', text);
    }
    case 'decision-needed':
      return line(side, 'decision', `waits for the caller to decide: ${escapeHtml(event.decision.kind)}`);
    case 'secret': {
      const key = `secret ${event.name} ${hex(event.clientRandom)}`;
      if (shown.has(key)) return '';
      shown.add(key);
      const value = options.secrets === true ? `<code>${hex(event.secret)}</code>` : '<i>hidden</i>';
      lists.secrets.push(
        `<tr><td>${escapeHtml(event.name)}</td><td>${escapeHtml(event.label)}</td><td>${escapeHtml(event.keylog ?? '')}</td><td class="secret-value">${value}</td></tr>`,
      );
      return line(side, 'secret', `derives <b>${escapeHtml(event.name)}</b> ("${escapeHtml(event.label)}")`);
    }
    case 'connected':
      return line(side, 'connected', `<b>connected</b>: ${escapeHtml(describeNegotiated(event.info))}`);
    case 'post-handshake-auth':
      return line(side, 'connected', `<b>post-handshake authentication done</b>: client ${escapeHtml(describePostHandshakeAnswer(event))}`);
    case 'session-ticket':
      return line(side, 'ticket', `session ticket: lifetime ${event.ticket.lifetime} s, ${event.ticket.ticket.length}-byte ticket`);
    case 'data':
      return line(side, 'data', `receives ${event.data.length} bytes${event.early ? ' of 0-RTT data' : ''}: <code>${escapeHtml(printable(event.data))}</code>`);
    case 'alert': {
      const why = event.detail ? ` (${escapeHtml(event.reason ?? '')}: ${escapeHtml(event.detail)})` : '';
      const text = `${event.direction === 'out' ? 'sends' : 'receives'} ${escapeHtml(event.level)} alert <b>${escapeHtml(event.description)}</b>${why}`;
      lists.alerts.push(`<li>${badge(side)} ${text}</li>`);
      return line(side, event.description === 'close_notify' ? 'close' : 'alert', text);
    }
    case 'closed':
      return line(side, 'closed', `closed by ${escapeHtml(event.by)}${event.error ? `: ${escapeHtml(event.error)}` : ''}`);
    default: {
      const never: never = event;
      throw new Error(`unknown event ${JSON.stringify(never)}`);
    }
  }
}

const STYLE = `
body{font:14px/1.45 system-ui,sans-serif;margin:0;color:#1d232a;background:#f7f8fa}
header{padding:16px 24px;background:#1d3557;color:#fff;border-bottom:6px solid #2a9d8f}header h1{margin:0 0 4px;font-size:20px}header p{margin:2px 0;opacity:.9}
header.failed{background:#7a1020;border-bottom-color:#ff6b6b}header .status{font-size:16px;font-weight:600;opacity:1}
main{display:grid;grid-template-columns:minmax(0,3fr) minmax(0,1fr);gap:16px;padding:16px 24px}
ol.timeline{list-style:none;padding:0;margin:0}
.ev{padding:1px 0;color:#444}.ev.alert{color:#b00020}.ev.decision b{color:#1b7a3d}.ev.secret b{color:#8a5a00}
.side{display:inline-block;min-width:48px;font-size:11px;text-transform:uppercase;border-radius:3px;padding:0 4px;text-align:center;color:#fff}
.side.client{background:#457b9d}.side.server{background:#9d4557}
.msg-item{margin:10px 0}.msg-item.server{margin-left:32px}.msg-item.client{margin-right:32px}
details.msg{background:#fff;border:1px solid #cfd6de;border-radius:6px;padding:6px 10px}
details.msg>summary{cursor:pointer}.heading{font-weight:600;font-size:15px}.size{color:#777;font-size:12px}.summary{color:#555;font-size:12px;margin-left:16px;overflow-wrap:anywhere}
.panes{display:grid;grid-template-columns:minmax(0,1fr) auto;gap:12px;margin-top:8px}
ul.fields{list-style:none;margin:0;padding-left:12px;font-size:12px}ul.fields details>summary{color:#888;font-size:11px;cursor:pointer}
.row{cursor:pointer;border-radius:3px;padding:0 3px;overflow-wrap:anywhere}.row .name{font-weight:600}.row .value{font-family:ui-monospace,monospace}
.row .meaning{color:#1b7a3d}.row .rfc,.row .len{color:#999;font-size:11px}
.hex{font:12px/1.5 ui-monospace,monospace;white-space:pre;position:sticky;top:0;align-self:start;background:#fff}.hex .off{color:#aaa}.hex [data-i]{cursor:pointer;border-radius:2px}
.hl{background:#ffe08a}.pinned .hl{background:#ffc64a}
aside section{background:#fff;border:1px solid #cfd6de;border-radius:6px;padding:8px 10px;margin-bottom:12px}
aside h2{font-size:14px;margin:0 0 6px}aside ul{padding-left:0;list-style:none;margin:0;font-size:12px;overflow-wrap:anywhere}
table{border-collapse:collapse;font-size:11px;width:100%;table-layout:fixed}td{border-top:1px solid #eee;padding:2px 4px;vertical-align:top;overflow-wrap:anywhere}
.secret-value code{overflow-wrap:anywhere;font-size:10px}.note{color:#777;font-size:12px}
`;

/** Field rows light up their bytes, bytes light up their innermost field; a click pins the selection. */
const SCRIPT = `
(function () {
  for (const msg of document.querySelectorAll('details.msg')) {
    const bytes = Array.from(msg.querySelectorAll('.hex [data-i]'));
    const fields = Array.from(msg.querySelectorAll('li.f'));
    let pinned = false;
    const show = (field) => {
      for (const el of msg.querySelectorAll('.hl')) el.classList.remove('hl');
      if (!field) return;
      field.querySelector(':scope > .row').classList.add('hl');
      for (let i = Number(field.dataset.s); i < Number(field.dataset.e); i++) if (bytes[i]) bytes[i].classList.add('hl');
    };
    const innermost = (i) => {
      let best = null;
      for (const f of fields) {
        const s = Number(f.dataset.s), e = Number(f.dataset.e);
        if (s <= i && i < e && (!best || e - s <= Number(best.dataset.e) - Number(best.dataset.s))) best = f;
      }
      return best;
    };
    // Hovering follows the pointer until a click pins a field; a second click on it lets go.
    const select = (field, click) => {
      const index = String(fields.indexOf(field));
      if (click) pinned = !(pinned && msg.dataset.selected === index);
      else if (pinned) return;
      msg.classList.toggle('pinned', pinned);
      msg.dataset.selected = index;
      show(field);
      if (click && field) {
        for (let d = field.parentElement; d && d !== msg; d = d.parentElement) if (d.tagName === 'DETAILS') d.open = true;
      }
    };
    for (const f of fields) {
      const row = f.querySelector(':scope > .row');
      row.addEventListener('mouseover', () => select(f, false));
      row.addEventListener('click', () => select(f, true));
    }
    bytes.forEach((b, i) => {
      b.addEventListener('mouseover', () => select(innermost(i), false));
      b.addEventListener('click', () => select(innermost(i), true));
    });
  }
  document.body.dataset.ready = 'true';
})();
`;

/** The illustrated page for the events of a run (one side or both, in the order they happened). */
export function renderHtml(events: readonly SidedEvent[], options: HtmlTraceOptions = {}): string {
  const title = options.title ?? 'TLS 1.3 connection';
  const shown = new Set<string>();
  const lists: Lists = { decisions: [], secrets: [], alerts: [] };
  const timeline = events.map(({ side, event }) => renderEvent(side, event, shown, lists, options)).filter((html) => html !== '');
  const outcome = connectionOutcome(events);
  const negotiated = events.flatMap(({ side, event }) => (event.type === 'connected' ? [`<p>${escapeHtml(side)}: ${escapeHtml(describeNegotiated(event.info))}</p>`] : []));
  const section = (heading: string, body: string) => `<section><h2>${heading}</h2>${body}</section>`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<header class="${outcome.failed ? 'failed' : 'ok'}"><h1>${escapeHtml(title)}</h1><p class="status">${escapeHtml(outcome.text)}</p>${(options.description ?? []).map((p) => `<p>${escapeHtml(p)}</p>`).join('')}${negotiated.join('')}</header>
<main>
<ol class="timeline">
${timeline.join('\n')}
</ol>
<aside>
${section('Decisions', lists.decisions.length > 0 ? `<ul>${lists.decisions.join('')}</ul>` : '<p class="note">none</p>')}
${section('Secrets', lists.secrets.length > 0 ? `<table><tr><td><b>name</b></td><td><b>HKDF label</b></td><td><b>key log</b></td><td><b>value</b></td></tr>${lists.secrets.join('')}</table>` : '<p class="note">none</p>')}
${section('Alerts', lists.alerts.length > 0 ? `<ul>${lists.alerts.join('')}</ul>` : '<p class="note">none</p>')}
</aside>
</main>
<script>${SCRIPT}</script>
</body>
</html>
`;
}

/**
 * How the connection ended, for the page's header: failed as soon as either side sent or received a fatal
 * alert or closed on an error (in TLS 1.3 the client may count as connected before the server refuses its
 * certificate), else connected when a side got there, else unfinished.
 */
export function connectionOutcome(events: readonly SidedEvent[]): { failed: boolean; text: string } {
  for (const { side, event } of events) {
    if (event.type === 'alert' && event.level === 'fatal') {
      const who = event.direction === 'out' ? `the ${side} sent` : `the ${side} received`;
      return { failed: true, text: `✗ Failed: ${who} a fatal ${event.description} alert${event.detail ? ` (${event.detail})` : ''}` };
    }
    if (event.type === 'closed' && event.error) return { failed: true, text: `✗ Failed: the ${side}'s connection closed: ${event.error}` };
  }
  if (events.some(({ event }) => event.type === 'connected')) return { failed: false, text: '✓ Handshake complete' };
  return { failed: true, text: '✗ The handshake did not complete' };
}
