// Attacker's scripts for the memo of the last DNS name parsed (src/auth/hostname.ts parseReferenceIdentity): a
// client's serverName and a server's received SNI are parsed through it, handshake after handshake. A memo that
// answers for another text would check a server's certificate against the wrong name, or report (and bind
// tickets to) a name the client never sent; one whose answer a holder could change would do the same for
// every handshake after.
import { describe, expect, it } from 'vitest';
import { parseOfferedHostName, parseReferenceIdentity } from '../../src/auth/hostname.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import type { TlsEvent } from '../../src/handshake/events.js';
import { ca, clientConfig, serverConfig, serverLeaf } from '../handshake/abort-harness.js';

const alerts = (events: TlsEvent[]) => events.flatMap((e) => (e.type === 'alert' ? [`${e.direction} ${e.description}`] : []));

describe('the last DNS name parsed, memoised', () => {
  it('answers for its own text only: another name, another spelling, an IP literal, a bad name each parse as such', () => {
    expect(parseReferenceIdentity('a.example')).toEqual({ kind: 'dns', text: 'a.example' });
    expect(parseReferenceIdentity('b.example')).toEqual({ kind: 'dns', text: 'b.example' });
    expect(parseReferenceIdentity('B.Example.')).toEqual({ kind: 'dns', text: 'b.example' });
    expect(parseReferenceIdentity('b.example')).toEqual({ kind: 'dns', text: 'b.example' });
    expect(parseReferenceIdentity('127.0.0.1')).toMatchObject({ kind: 'ip', text: '127.0.0.1' });
    expect(parseReferenceIdentity('b.example.127')).toMatch(/ends in a number/);
    expect(parseOfferedHostName('b.example.')).toMatch(/ends in a dot/);
    expect(parseReferenceIdentity('b.example')).toEqual({ kind: 'dns', text: 'b.example' });
  });

  it('cannot be changed by whoever holds it', () => {
    const held = parseReferenceIdentity('a.example') as { text: string };
    expect(() => (held.text = 'evil.example')).toThrow(TypeError);
    expect(parseReferenceIdentity('a.example')).toEqual({ kind: 'dns', text: 'a.example' });
  });

  it('a client checks each handshake against its own serverName: the name parsed before does not vouch for the next', () => {
    const server = serverConfig();
    const policy = { kind: 'ca' as const, anchors: [ca.der] };
    expect(new InMemoryPair(clientConfig({ trust: policy, serverName: 'example.test' }), server).run().client.isConnected).toBe(true);
    const other = new InMemoryPair(clientConfig({ trust: policy, serverName: 'other.test' }), server).run();
    expect(other.client.isConnected).toBe(false);
    expect(alerts(other.events('client'))).toEqual(['out bad_certificate']);
  });

  it('a server reports the SNI each client sent, one after the other', () => {
    const server = serverConfig({ certificate: serverLeaf({ sans: { dns: ['a.example', 'b.example'] } }) });
    const policy = { kind: 'ca' as const, anchors: [ca.der] };
    for (const name of ['a.example', 'b.example', 'a.example']) {
      const pair = new InMemoryPair(clientConfig({ trust: policy, serverName: name }), server).run();
      expect(pair.server.info.serverName).toBe(name);
      expect(pair.client.isConnected).toBe(true);
    }
  });
});
