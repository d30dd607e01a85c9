// The lab's panels as HTML text, made from a run and a step: both sides' state (the Appendix A diagram
// lit), transcript hash, keys and secrets; the delivered record encrypted and decrypted, with the HTML trace
// renderer's field trees and hex views; what is in flight, with the tampering controls; what happened in
// the step; the outcome. Every piece of text from a run is escaped. No DOM here: the page puts it in place.
import type { Role, TlsEvent } from '../handshake/events.js';
import type { SideSnapshot } from '../handshake/pair.js';
import { escapeHtml, fieldList, fieldTree, hexView, type FieldNode } from '../trace/html.js';
import { describeNegotiated, messageHeading, messageSummary } from '../trace/text.js';
import { keylogLine } from '../trace/keylog.js';
import { hex, type Span } from '../wire/bytes.js';
import { contentTypeName } from '../wire/enums.js';
import { alertMeaning, checkBehind } from './alerts.js';
import { litDiagram } from './diagram.js';
import type { MessageView, RecordView } from './records.js';
import type { KeysInUse, LabRun, LabStep, QueuedRecord } from './run.js';
import { describeActual, describeExpected } from '../scenarios/mutual-tls.js';

export interface Diagrams {
  client: string;
  server: string;
}

const badge = (side: Role) => `<span class="side ${side}">${side}</span>`;

/** Events of both sides up to the end of `step`. */
function eventsUpTo(run: LabRun, step: LabStep): Array<{ side: Role; event: TlsEvent }> {
  return run.pair.log.slice(0, step.logEnd);
}

function secretsTable(snapshot: SideSnapshot, events: TlsEvent[]): string {
  if (snapshot.secrets.length === 0) return '<p class="note">no secrets yet</p>';
  const rows = snapshot.secrets.map((s) => {
    const event = events.find((e): e is Extract<TlsEvent, { type: 'secret' }> => e.type === 'secret' && e.name === s.name);
    const line = event ? keylogLine(event) : undefined;
    const keys = s.key && s.iv ? `<div>key <code>${hex(s.key)}</code></div><div>iv <code>${hex(s.iv)}</code></div>` : '';
    return (
      `<tr data-secret="${escapeHtml(s.name)}"><th scope="row">${escapeHtml(s.name)}<div class="note">"${escapeHtml(s.label)}"</div></th>` +
      `<td><code class="secret-value">${hex(s.secret)}</code>${keys}${line ? `<div class="keylog">${escapeHtml(line)}</div>` : ''}</td></tr>`
    );
  });
  return `<table class="secrets">${rows.join('')}</table>`;
}

function decisionsList(events: TlsEvent[]): string {
  const items = events.flatMap((e) =>
    e.type === 'decision' ? [`<li><b>${escapeHtml(e.topic)}</b>: ${escapeHtml(e.value)} <span class="why">(${escapeHtml(e.reason)})</span></li>`] : [],
  );
  return items.length > 0 ? `<ul class="decisions">${items.join('')}</ul>` : '<p class="note">no decisions yet</p>';
}

function keysInUse(keys: KeysInUse): string {
  return `<dl class="keys"><dt>sends under</dt><dd>${escapeHtml(keys.send)}</dd><dt>receives under</dt><dd>${escapeHtml(keys.receive)}</dd></dl>`;
}

/** One side: its state in the Appendix A diagram, transcript hash, keys, decisions and secrets so far. */
export function sidePanel(run: LabRun, step: LabStep, role: Role, diagrams: Diagrams): string {
  const snapshot = step.sides[role];
  const events = eventsUpTo(run, step).flatMap((e) => (e.side === role ? [e.event] : []));
  const transcript = snapshot.transcriptHash
    ? `<code class="hash">${hex(snapshot.transcriptHash)}</code><div class="note">over ${escapeHtml(snapshot.transcript.join(', '))}</div>`
    : '<p class="note">no hash yet: the hash function comes with the cipher suite (ServerHello)</p>';
  return `<h2>${badge(role)} <span class="state" data-state="${escapeHtml(snapshot.state)}">${escapeHtml(snapshot.state)}</span></h2>
<details class="diagram" open><summary>RFC 8446 Appendix A.${role === 'client' ? 1 : 2} state machine</summary><pre>${litDiagram(diagrams[role], snapshot.state)}</pre></details>
<h3>Transcript hash</h3>${transcript}
<h3>Keys in use</h3>${keysInUse(snapshot.keys)}
<details open><summary><h3>Decisions</h3></summary>${decisionsList(events)}</details>
<details open><summary><h3>Secrets, as derived</h3></summary>${secretsTable(snapshot, events)}</details>`;
}

/** Field nodes for spans measured from the first byte shown (record header spans). */
function flatNodes(spans: Span[]): FieldNode[] {
  return spans.map((span) => ({ span, start: span.offset, end: span.offset + span.length, children: [] }));
}

/** A handshake message: heading, summary, field tree beside the hex view (highlighting both ways). */
function messageBox(sender: Role, view: MessageView): string {
  if (!view.message || !view.spans) {
    return `<div class="box"><p class="alert-text">undecodable handshake message: ${escapeHtml(view.error ?? 'unknown')}</p>${hexView(view.raw, true)}</div>`;
  }
  return (
    `<div class="box" data-message="${escapeHtml(view.message.kind)}"><h4>${escapeHtml(messageHeading(sender, view.message.kind))} <span class="note">${view.raw.length} bytes</span></h4>` +
    `<p class="summary">${escapeHtml(messageSummary(view.message))}</p>` +
    `<div class="panes"><div class="tree">${fieldList(fieldTree(view.raw, view.spans))}</div>${hexView(view.raw, true)}</div></div>`
  );
}

function contentBox(sender: Role, view: RecordView): string {
  if (view.failure) return `<p class="alert-text">${escapeHtml(view.failure)}</p>`;
  const content = view.content ?? new Uint8Array(0);
  const heading = `<p>content type <b>${escapeHtml(contentTypeName(view.contentType ?? 0))}</b>, ${content.length} bytes${
    view.epoch ? `, opened with <b>${escapeHtml(view.epoch.secret)}</b>, record number ${view.epoch.sequence} (the nonce's sequence number, RFC 8446 §5.3)` : ''
  }</p>`;
  if (view.messages.length > 0) return heading + view.messages.map((m) => messageBox(sender, m)).join('');
  return `${heading}<div class="box"><div class="panes"><div class="tree">${fieldList(flatNodes(view.contentSpans))}</div>${hexView(content, true)}</div></div>`;
}

/** A record on the wire and, when protected, opened: side by side. */
function recordViews(sender: Role, view: RecordView, edited: boolean): string {
  const wire =
    `<section class="pane wire" aria-label="on the wire"><h3>On the wire${view.protected ? ' (encrypted)' : ''}${edited ? ' <span class="tampered">tampered</span>' : ''}</h3>` +
    `<div class="box"><div class="panes"><div class="tree">${fieldList(flatNodes(view.headerSpans))}</div>${hexView(view.bytes, true)}</div></div></section>`;
  const inner = `<section class="pane opened" aria-label="${view.protected ? 'decrypted' : 'content'}"><h3>${view.protected ? 'Decrypted' : 'Content'}</h3>${contentBox(sender, view)}</section>`;
  return `<div class="record-views">${wire}${inner}</div>`;
}

/** The record delivered in this step; before any delivery or after a tamper, the next record in flight. */
export function recordPanel(step: LabStep): string {
  const delivered = step.delivered;
  if (delivered) return `<h2>${escapeHtml(step.title)}</h2>${recordViews(delivered.from, delivered.view, delivered.edited)}`;
  const next = (['client', 'server'] as const).find((side) => step.inFlight[side].length > 0);
  if (!next) return '<p class="note">Nothing was delivered in this step, and nothing is in flight.</p>';
  const queued = step.inFlight[next][0]!;
  return `<h2>Next to arrive: #${queued.record.seq} ${next}→${next === 'client' ? 'server' : 'client'} <span class="note">(press Next to deliver it)</span></h2>${recordViews(next, queued.view, queued.edited === true)}`;
}

/** Tamper buttons for one queued record (index `i` in its sender's queue). */
function tamperControls(side: Role, i: number, queued: QueuedRecord): string {
  const attrs = (op: string, extra = '') => `data-op="${op}" data-side="${side}" data-record="${i}"${extra}`;
  const buttons = [
    `<button type="button" ${attrs('drop')}>Drop</button>`,
    `<button type="button" ${attrs('duplicate')}>Duplicate</button>`,
    `<button type="button" ${attrs('reorder')}>Swap with next</button>`,
  ];
  const last = queued.record.bytes.length - 1;
  const byteEdit =
    `<span class="edit">byte <input type="number" min="0" max="${last}" value="${last}" aria-label="offset in the record" data-field="offset"> ` +
    `:= 0x<input type="text" size="2" maxlength="2" value="${(queued.record.bytes[last]! ^ 1).toString(16).padStart(2, '0')}" aria-label="new value (hex)" data-field="value"> ` +
    `<button type="button" ${attrs('edit-record-byte')}>Set record byte</button></span>`;
  const messages = queued.view.messages.flatMap((m) => {
    if (!m.message) return [];
    const kind = m.message.kind;
    const mattrs = (op: string) => `data-op="${op}" data-side="${side}" data-message="${escapeHtml(kind)}"`;
    const out = [
      `<span class="edit">${escapeHtml(kind)} byte <input type="number" min="0" max="${m.raw.length - 1}" value="${m.raw.length - 1}" aria-label="offset in the ${escapeHtml(kind)}" data-field="offset"> ` +
        `:= 0x<input type="text" size="2" maxlength="2" value="${(m.raw[m.raw.length - 1]! ^ 1).toString(16).padStart(2, '0')}" aria-label="new value (hex)" data-field="value"> ` +
        `<button type="button" ${mattrs('edit-message-byte')}>Set byte, seal again</button></span>`,
    ];
    if (kind === 'certificate') out.push(`<button type="button" ${mattrs('replace-certificate')}>Swap in another certificate</button>`);
    if (kind === 'certificate_verify') out.push(`<button type="button" ${mattrs('replay-certificate-verify')}>Replay a CertificateVerify from another run</button>`);
    return out;
  });
  return `<details class="tamper"><summary>Tamper with this record</summary><div class="ops">${[...buttons, byteEdit, ...messages].join(' ')}</div></details>`;
}

/** What each side has sent that has not arrived, oldest first, each with its tamper controls. */
export function inFlightPanel(step: LabStep): string {
  const sides = (['client', 'server'] as const).map((side) => {
    const queue = step.inFlight[side];
    if (queue.length === 0) return '';
    const items = queue.map((q, i) => {
      const what = q.view.messages.map((m) => m.message?.kind ?? 'undecodable').join(', ') || contentTypeName(q.view.contentType ?? 0);
      return `<li>${badge(side)} #${q.record.seq} → ${side === 'client' ? 'server' : 'client'}: ${escapeHtml(what)}${q.view.protected ? ' (protected)' : ''}, ${q.record.bytes.length} bytes${
        q.edited ? ' <span class="tampered">tampered</span>' : ''
      }${tamperControls(side, i, q)}</li>`;
    });
    return items.join('');
  });
  const list = sides.join('');
  return list === '' ? '<p class="note">Nothing in flight.</p>' : `<ol class="inflight">${list}</ol>`;
}

function eventLine(event: TlsEvent): string {
  switch (event.type) {
    case 'state':
      return `state ${escapeHtml(event.from)} → <b>${escapeHtml(event.to)}</b>`;
    case 'decision':
      return `decides <b>${escapeHtml(event.topic)}</b>: ${escapeHtml(event.value)} <span class="why">(${escapeHtml(event.reason)})</span>`;
    case 'secret': {
      const line = keylogLine(event);
      return `derives <b>${escapeHtml(event.name)}</b> ("${escapeHtml(event.label)}")${line ? `<div class="keylog">${escapeHtml(line)}</div>` : ''}`;
    }
    case 'handshake-message':
      return `${event.direction === 'out' ? 'sends' : 'receives'} <b>${escapeHtml(event.message.kind)}</b>`;
    case 'record':
      return `${event.direction === 'out' ? 'sends' : 'receives'} a ${escapeHtml(contentTypeName(event.contentType))} record${event.protected ? ' (protected)' : ''}, ${event.raw.length} bytes`;
    case 'alert':
      return `<span class="alert-text">${event.direction === 'out' ? 'sends' : 'receives'} ${escapeHtml(event.level)} alert <b>${escapeHtml(event.description)}</b>${event.detail ? `: ${escapeHtml(event.detail)}` : ''}</span>`;
    case 'connected':
      return `<b>connected</b>: ${escapeHtml(describeNegotiated(event.info))}`;
    case 'data':
      return `receives ${event.data.length} bytes${event.early ? ' of 0-RTT data' : ''}: <code>${escapeHtml(JSON.stringify(new TextDecoder().decode(event.data)))}</code>`;
    case 'closed':
      return `closed by ${escapeHtml(event.by)}${event.error ? `: ${escapeHtml(event.error)}` : ''}`;
    case 'session-ticket':
      return `keeps a session ticket (lifetime ${event.ticket.lifetime} s)`;
    case 'post-handshake-auth':
      return `<b>post-handshake authentication done</b>: client ${escapeHtml(event.info.peer?.subject ?? 'sent no certificate')}`;
    case 'decision-needed':
      return `waits for a decision: ${escapeHtml(event.decision.kind)}`;
  }
  return '';
}

/** Everything both sides reported in this step, in order. */
export function eventsPanel(run: LabRun, step: LabStep): string {
  const items = run.pair.log.slice(step.logStart, step.logEnd).map(({ side, event }) => `<li class="ev ${event.type}">${badge(side)} ${eventLine(event)}</li>`);
  return items.length > 0 ? `<ol class="events">${items.join('')}</ol>` : '<p class="note">no events in this step</p>';
}

/** The first fatal alert up to this step, explained; or how the run ends, at its last step. */
export function outcomePanel(run: LabRun, step: LabStep, last: boolean): string {
  const fatal = eventsUpTo(run, step).find((e) => e.event.type === 'alert' && e.event.direction === 'out' && e.event.level === 'fatal');
  const parts: string[] = [];
  if (fatal && fatal.event.type === 'alert') {
    const { description, detail, reason } = fatal.event;
    const check = checkBehind(reason);
    parts.push(
      `<div class="alert-box" data-alert="${escapeHtml(description)}" data-sent-by="${fatal.side}"><p>${badge(fatal.side)} sends the fatal alert <b>${escapeHtml(description)}</b>: ${escapeHtml(alertMeaning(description))}.</p>` +
        `${detail ? `<p>Why: <span class="reason">${escapeHtml(detail)}</span></p>` : ''}${check ? `<p>Caught by: <code class="check">${escapeHtml(check)}</code></p>` : ''}</div>`,
    );
  }
  if (last) {
    const tampered = run.steps.some((s) => s.kind === 'tamper');
    const expected = run.expected ? ` ${tampered ? 'Untampered, the scenario ends' : 'Expected'}: ${escapeHtml(describeExpected(run.expected))}.` : '';
    parts.push(`<p class="final">The run ends: <b>${escapeHtml(describeActual(run.outcome))}</b>.${expected}</p>`);
  }
  return parts.join('');
}

/** The list of steps; the current one is marked for assistive technology too. */
export function stepList(run: LabRun, cursor: number): string {
  return run.steps
    .map(
      (s, i) =>
        `<li><button type="button" class="step ${s.kind}${i === cursor ? ' current' : ''}" data-step="${i}"${i === cursor ? ' aria-current="step"' : ''}>${i}. ${escapeHtml(s.title)}</button></li>`,
    )
    .join('');
}
