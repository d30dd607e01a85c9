import { describe, expect, it } from 'vitest';
import { jsonTraceLine, TRACE_JSON_VERSION } from '../../src/trace/json.js';

describe('JSON trace lines', () => {
  it('carries the schema version, the side and the event fields, with bytes as hex', () => {
    const line = jsonTraceLine('server', { type: 'data', data: Uint8Array.of(0, 1, 0xab) });
    expect(line).not.toContain('\n');
    expect(JSON.parse(line)).toEqual({ v: 1, side: 'server', type: 'data', data: '0001ab' });
    expect(TRACE_JSON_VERSION).toBe(1);
  });

  it('turns nested byte strings into hex too', () => {
    const line = jsonTraceLine('client', {
      type: 'handshake-message',
      direction: 'in',
      message: { kind: 'finished', verifyData: Uint8Array.of(0xde, 0xad) },
      raw: Uint8Array.of(20, 0, 0, 2, 0xde, 0xad),
    });
    expect(JSON.parse(line)).toMatchObject({ message: { kind: 'finished', verifyData: 'dead' }, raw: '14000002dead' });
  });

  it('drops only the secret value unless secrets are asked for', () => {
    const event = { type: 'secret', name: 'exporter_master_secret', label: 'exp master', keylog: 'EXPORTER_SECRET', clientRandom: Uint8Array.of(1), secret: Uint8Array.of(2) } as const;
    expect(JSON.parse(jsonTraceLine('client', event, { secrets: false }))).toEqual({
      v: 1, side: 'client', type: 'secret', name: 'exporter_master_secret', label: 'exp master', keylog: 'EXPORTER_SECRET', clientRandom: '01',
    });
    expect(JSON.parse(jsonTraceLine('client', event)).secret).toBeUndefined();
    expect(JSON.parse(jsonTraceLine('client', event, { secrets: true })).secret).toBe('02');
  });

  it('leaves out the PSK of a session ticket unless secrets are asked for', () => {
    const ticket = { lifetime: 7200, ageAdd: 1, nonce: Uint8Array.of(0), ticket: Uint8Array.of(9, 9), psk: Uint8Array.of(0xaa, 0xbb), cipherSuite: 0x1301 };
    const hidden = JSON.parse(jsonTraceLine('client', { type: 'session-ticket', ticket }));
    expect(hidden.ticket).toEqual({ lifetime: 7200, ageAdd: 1, nonce: '00', ticket: '0909', cipherSuite: 0x1301 });
    expect(JSON.parse(jsonTraceLine('client', { type: 'session-ticket', ticket }, { secrets: true })).ticket.psk).toBe('aabb');
  });
});
