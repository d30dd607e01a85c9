// Every byte of every handshake message is explained: no "(not annotated)" run in the text trace of any
// demo scenario or walkthrough (vector length prefixes and DER headers included), and an empty field (an
// extension with no body) is shown where it is, not inside the field that follows it.
import { describe, expect, it } from 'vitest';
import { SCENARIOS } from '../../src/scenarios/catalog.js';
import type { Span } from '../../src/wire/bytes.js';
import { encodeHandshake } from '../../src/wire/messages.js';
import { messageSpans } from '../../src/handshake/annotate.js';
import { renderHtml } from '../../src/trace/html.js';
import { hexDump } from '../../src/trace/text.js';
import { generateWalkthroughs } from '../../src/trace/walkthrough.js';
import { ExtensionType } from '../../src/wire/enums.js';
import { runCli } from '../cli/helpers.js';

describe('every byte is annotated', () => {
  for (const name of Object.keys(SCENARIOS)) {
    it(`tls13 demo --scenario ${name} --trace text`, async () => {
      const { stdout } = await runCli(['demo', '--scenario', name, '--trace', 'text', '--no-secrets']);
      expect(stdout).toContain('handshake.msg_type');
      const unannotated = stdout.split('\n').filter((line) => line.includes('(not annotated)'));
      expect(unannotated).toEqual([]);
    });
  }

  it('every walkthrough page', () => {
    for (const { file, markdown } of generateWalkthroughs()) {
      expect(markdown, file).toContain('handshake.msg_type');
      expect(markdown.split('\n').filter((line) => line.includes('(not annotated)')), file).toEqual([]);
    }
  });
});

describe('an empty extension stays where it is', () => {
  // EncryptedExtensions: server_name with an empty body (RFC 6066 §3), then ALPN.
  const raw = encodeHandshake({
    kind: 'encrypted_extensions',
    extensions: [
      { type: ExtensionType.server_name, data: new Uint8Array(0) },
      { type: ExtensionType.application_layer_protocol_negotiation, data: Uint8Array.of(0, 3, 2, 0x68, 0x32) },
    ],
  });
  const spans: Span[] = messageSpans({ kind: 'encrypted_extensions', extensions: [] }, raw);

  it('in the text trace: after its own length, before the next extension, which keeps its bytes', () => {
    const lines = hexDump(raw, spans);
    const at = (path: string) => lines.findIndex((line) => line.includes(` ${path}`) && !line.includes(`${path}.`));
    expect(at('encrypted_extensions.extensions[0].server_name')).toBeGreaterThan(at('encrypted_extensions.extensions[0].server_name.length'));
    expect(at('encrypted_extensions.extensions[0].server_name')).toBeLessThan(at('encrypted_extensions.extensions[1].type'));
    expect(lines[at('encrypted_extensions.extensions[1].type')]).toMatch(/^000a {2}00 10 +encrypted_extensions\.extensions\[1\]\.type = 16/);
    expect(lines.join('\n')).not.toContain('(not annotated)');
  });

  it('in the HTML page: a sibling of the next extension, not its child', () => {
    const page = renderHtml([{ side: 'server', event: { type: 'handshake-message', direction: 'out', message: { kind: 'encrypted_extensions', extensions: [] }, raw, spans } }]);
    const item = (path: string) => new RegExp(`<li class="f" data-s="\\d+" data-e="\\d+"><div class="row"><span class="name" title="${path.replace(/[[\].]/g, '\\$&')}">.*?</div>(<details|</li>)`).exec(page);
    // The next extension's type is a leaf: nothing is nested under it.
    expect(item('encrypted_extensions.extensions[1].type')?.[1]).toBe('</li>');
    expect(item('encrypted_extensions.extensions[0].server_name')).not.toBeNull();
  });
});
