// The lab page's script: reads the form (or the permalink), has the engine make the run, and puts the
// panels of the current step in place. Stepping: the buttons, the step list, or the keyboard (→/n next,
// ←/p previous, Home, End). Bundled with the engine by scripts/lab.ts into docs/lab.html.
import { CLIENT_AUTH_CHOICES, CREDENTIALS, CUSTOM, KEY_TYPES, TRUST_CHOICES, defaultCustomOptions, groupChoices, scenarioList, suiteChoices, type CustomOptions, type LabOptions } from '../options.js';
import { runLab, type LabRun } from '../run.js';
import { htmlDownload, jsonDownload, keylogDownload, parsePermalink, pcapDownload, permalinkFragment, type Download } from '../takeaway.js';
import type { Tamper, TamperOp } from '../tamper.js';
import { eventsPanel, inFlightPanel, outcomePanel, recordPanel, sidePanel, stepList, type Diagrams } from '../view.js';
import { escapeHtml } from '../../trace/html.js';

/** The Appendix A diagrams, read from the machine files by the build. */
declare const LAB_DIAGRAMS: Diagrams;

const element = <T extends HTMLElement = HTMLElement>(id: string): T => {
  const found = document.getElementById(id);
  if (!found) throw new Error(`the page has no #${id}`);
  return found as T;
};

let run: LabRun | undefined;
let cursor = 0;

function option(value: string, label: string, selected: boolean): string {
  return `<option value="${escapeHtml(value)}"${selected ? ' selected' : ''}>${escapeHtml(label)}</option>`;
}

function checkboxes(name: string, choices: Array<{ code: number; name: string }>, checked: number[]): string {
  return choices
    .map((c) => `<label class="check"><input type="checkbox" name="${name}" value="${c.code}"${checked.includes(c.code) ? ' checked' : ''}> ${escapeHtml(c.name)}</label>`)
    .join('');
}

function select(id: string, label: string, choices: readonly string[], value: string): string {
  return `<label>${escapeHtml(label)} <select id="${id}">${choices.map((c) => option(c, c, c === value)).join('')}</select></label>`;
}

/** The hand-set options, from the engine's tables. */
function fillCustomForm(custom: CustomOptions): void {
  element('custom-fields').innerHTML = [
    `<fieldset><legend>Cipher suites the client offers</legend>${checkboxes('suite', suiteChoices(), custom.suites)}</fieldset>`,
    `<fieldset><legend>Groups the client supports (a key share for the first)</legend>${checkboxes('group', groupChoices(), custom.groups)}</fieldset>`,
    select('key-type', 'Key type of made certificates', KEY_TYPES, custom.keyType),
    select('server-credential', 'Server authenticates with', CREDENTIALS.filter((c) => c !== 'none'), custom.serverCredential),
    select('client-credential', 'Client authenticates with', CREDENTIALS, custom.clientCredential),
    select('client-auth', 'Server asks for a client certificate', CLIENT_AUTH_CHOICES, custom.clientAuth),
    select('client-trust', 'Client trusts the server by', TRUST_CHOICES, custom.clientTrust),
    select('server-trust', 'Server trusts the client by', TRUST_CHOICES, custom.serverTrust),
  ].join('');
}

function readCustomForm(): CustomOptions {
  const checked = (name: string) => [...document.querySelectorAll<HTMLInputElement>(`input[name="${name}"]:checked`)].map((i) => Number(i.value));
  const value = <T extends string>(id: string) => element<HTMLSelectElement>(id).value as T;
  return {
    suites: checked('suite'),
    groups: checked('group'),
    keyType: value('key-type'),
    serverCredential: value('server-credential'),
    clientCredential: value('client-credential'),
    clientAuth: value('client-auth'),
    clientTrust: value('client-trust'),
    serverTrust: value('server-trust'),
  };
}

function readOptions(): LabOptions {
  const scenario = element<HTMLSelectElement>('scenario').value;
  const options: LabOptions = { scenario, seed: element<HTMLInputElement>('seed').value };
  if (scenario === CUSTOM) options.custom = readCustomForm();
  const certificatePem = element<HTMLTextAreaElement>('pem-certificate').value.trim();
  const keyPem = element<HTMLTextAreaElement>('pem-key').value.trim();
  if (certificatePem && keyPem) options.pasted = { certificatePem, keyPem };
  return options;
}

function showForm(options: LabOptions): void {
  element<HTMLSelectElement>('scenario').value = options.scenario;
  element<HTMLInputElement>('seed').value = options.seed;
  fillCustomForm(options.custom ?? defaultCustomOptions());
  showScenario();
}

function showScenario(): void {
  const name = element<HTMLSelectElement>('scenario').value;
  element('custom').hidden = name !== CUSTOM;
  element('scenario-summary').textContent = scenarioList().find((s) => s.name === name)?.summary ?? '';
}

function showError(message: string): void {
  const box = element('error');
  box.textContent = message;
  box.hidden = message === '';
}

/** Makes the run (the engine runs here, now) and shows `step` of it. */
function start(options: LabOptions, tampers: Tamper[], step: number): void {
  try {
    run = runLab(options, tampers);
  } catch (e) {
    showError(`cannot run: ${e instanceof Error ? e.message : String(e)}`);
    return;
  }
  showError(run.tamperError ? `cannot tamper: ${run.tamperError}` : '');
  element('story').innerHTML = run.setup.story.map((line) => escapeHtml(line)).join(' ');
  cursor = Math.min(step, run.steps.length - 1);
  if (document.body.dataset['firstHandshakeMs'] === undefined && run.outcome.kind === 'connected') {
    document.body.dataset['firstHandshakeMs'] = String(Math.round(performance.now()));
  }
  render();
}

function render(): void {
  if (!run) return;
  const step = run.steps[cursor]!;
  const last = cursor === run.steps.length - 1;
  element('steps').innerHTML = stepList(run, cursor);
  element('position').textContent = `step ${cursor} of ${run.steps.length - 1}`;
  element<HTMLButtonElement>('prev').disabled = cursor === 0;
  element<HTMLButtonElement>('first').disabled = cursor === 0;
  element<HTMLButtonElement>('next').disabled = last;
  element<HTMLButtonElement>('last').disabled = last;
  element('client-side').innerHTML = sidePanel(run, step, 'client', LAB_DIAGRAMS);
  element('server-side').innerHTML = sidePanel(run, step, 'server', LAB_DIAGRAMS);
  element('record').innerHTML = recordPanel(step);
  element('inflight').innerHTML = inFlightPanel(step);
  element('events').innerHTML = eventsPanel(run, step);
  element('outcome').innerHTML = outcomePanel(run, step, last);
  const fragment = permalinkFragment(run.options, tampersUpTo(cursor), cursor);
  element<HTMLAnchorElement>('permalink').href = `#${fragment}`;
  history.replaceState(null, '', `#${fragment}`);
  document.querySelector('#steps .current')?.scrollIntoView({ block: 'nearest' });
  document.body.dataset['step'] = String(cursor);
}

/** The tampers made at or before step `upTo`, with where they happened. */
function tampersUpTo(upTo: number): Tamper[] {
  return (run?.steps ?? []).slice(0, upTo + 1).flatMap((s) => (s.tamper ? [{ at: s.deliveries, op: s.tamper }] : []));
}

function go(to: number): void {
  if (!run) return;
  cursor = Math.max(0, Math.min(to, run.steps.length - 1));
  render();
}

/** The tamper a control stands for, with the offset and value typed beside it. */
function tamperFrom(button: HTMLElement): TamperOp {
  const data = button.dataset;
  const side = data['side'] === 'server' ? 'server' : 'client';
  const input = (field: string) => button.parentElement?.querySelector<HTMLInputElement>(`[data-field="${field}"]`)?.value ?? '';
  const offset = Number(input('offset'));
  const value = parseInt(input('value'), 16);
  if ((data['op'] === 'edit-record-byte' || data['op'] === 'edit-message-byte') && (!Number.isInteger(offset) || !(value >= 0 && value <= 255))) {
    throw new TypeError('give the byte offset as a whole number and the new value as two hex digits');
  }
  const record = Number(data['record']);
  const message = data['message'] as Extract<TamperOp, { kind: 'edit-message-byte' }>['message'];
  switch (data['op']) {
    case 'drop':
    case 'duplicate':
    case 'reorder':
      return { kind: data['op'], side, record };
    case 'edit-record-byte':
      return { kind: 'edit-record-byte', side, record, offset, value };
    case 'edit-message-byte':
      return { kind: 'edit-message-byte', side, message, offset, value };
    case 'replace-certificate':
    case 'replay-certificate-verify':
      return { kind: data['op'], side };
    default:
      throw new TypeError(`unknown tamper ${data['op']}`);
  }
}

function tamper(button: HTMLElement): void {
  if (!run) return;
  let op: TamperOp;
  try {
    op = tamperFrom(button);
  } catch (e) {
    showError(e instanceof Error ? e.message : String(e));
    return;
  }
  const here = run.steps[cursor]!;
  const at = cursor;
  start(run.options, [...tampersUpTo(cursor), { at: here.deliveries, op }], cursor + 1);
  if (run.tamperError) go(at);
}

function download(file: Download): void {
  const url = URL.createObjectURL(new Blob([file.data as BlobPart], { type: file.type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = file.name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Field rows light up their bytes and bytes their innermost field, within one box; a click pins. */
function highlight(target: HTMLElement, click: boolean): void {
  const box = target.closest<HTMLElement>('.box');
  if (!box || (!click && box.classList.contains('pinned'))) return;
  const fields = [...box.querySelectorAll<HTMLElement>('li.f')];
  const bytes = [...box.querySelectorAll<HTMLElement>('.hex [data-i]')];
  let field: HTMLElement | undefined;
  if (target.matches('.row')) field = target.parentElement ?? undefined;
  else {
    const i = Number(target.dataset['i']);
    for (const f of fields) {
      const s = Number(f.dataset['s']);
      const e = Number(f.dataset['e']);
      if (s <= i && i < e && (!field || e - s <= Number(field.dataset['e']) - Number(field.dataset['s']))) field = f;
    }
  }
  for (const lit of box.querySelectorAll('.hl')) lit.classList.remove('hl');
  if (click) box.classList.toggle('pinned', !(box.classList.contains('pinned') && box.dataset['selected'] === String(fields.indexOf(field!))));
  box.dataset['selected'] = String(field ? fields.indexOf(field) : -1);
  if (!field) return;
  field.querySelector(':scope > .row')?.classList.add('hl');
  for (let i = Number(field.dataset['s']); i < Number(field.dataset['e']); i++) bytes[i]?.classList.add('hl');
}

function wire(): void {
  element('scenario').addEventListener('change', showScenario);
  element('setup').addEventListener('submit', (e) => {
    e.preventDefault();
    start(readOptions(), [], 0);
  });
  element('random-seed').addEventListener('click', () => {
    const bytes = crypto.getRandomValues(new Uint8Array(6));
    element<HTMLInputElement>('seed').value = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
    start(readOptions(), [], 0);
  });
  element('first').addEventListener('click', () => go(0));
  element('prev').addEventListener('click', () => go(cursor - 1));
  element('next').addEventListener('click', () => go(cursor + 1));
  element('last').addEventListener('click', () => go(Infinity));
  element('steps').addEventListener('click', (e) => {
    const button = (e.target as HTMLElement).closest<HTMLElement>('[data-step]');
    if (button) go(Number(button.dataset['step']));
  });
  element('inflight').addEventListener('click', (e) => {
    const button = (e.target as HTMLElement).closest<HTMLElement>('button[data-op]');
    if (button) tamper(button);
  });
  const downloads: Record<string, (run: LabRun) => Download> = { pcap: pcapDownload, keylog: keylogDownload, json: jsonDownload, html: htmlDownload };
  element('downloads').addEventListener('click', (e) => {
    const kind = (e.target as HTMLElement).closest<HTMLElement>('[data-download]')?.dataset['download'];
    if (run && kind && downloads[kind]) download(downloads[kind](run));
  });
  for (const type of ['mouseover', 'click'] as const) {
    document.addEventListener(type, (e) => {
      const target = (e.target as HTMLElement).closest<HTMLElement>('li.f > .row, .hex [data-i]');
      if (target) highlight(target, type === 'click');
    });
  }
  document.addEventListener('keydown', (e) => {
    if (e.target instanceof HTMLInputElement || e.target instanceof HTMLTextAreaElement || e.target instanceof HTMLSelectElement) return;
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    const moves: Record<string, () => void> = {
      ArrowRight: () => go(cursor + 1),
      n: () => go(cursor + 1),
      ArrowLeft: () => go(cursor - 1),
      p: () => go(cursor - 1),
      Home: () => go(0),
      End: () => go(Infinity),
    };
    const move = moves[e.key];
    if (move) {
      e.preventDefault();
      move();
    }
  });
}

function main(): void {
  element('scenario').innerHTML = scenarioList()
    .map((s) => option(s.name, s.name, false))
    .join('');
  wire();
  const link = parsePermalink(location.hash);
  showForm(link.options);
  start(link.options, link.tampers, link.step);
  document.body.dataset['ready'] = 'true';
}

main();
