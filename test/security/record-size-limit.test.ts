// Attacker (and interop): RFC 8449 record_size_limit in TLS 1.3. "An endpoint MUST NOT generate a protected
// record with plaintext that is larger than the RecordSizeLimit value it receives from its peer" and "a TLS
// endpoint that receives a record larger than its advertised limit MUST generate a fatal record_overflow
// alert" (§4); the server answers in EncryptedExtensions, so from the records after it on, the limits hold.
// Our client installed its handshake keys at the ServerHello, before EncryptedExtensions told it either
// limit, and applied the limits only with the next keys: its Certificate and CertificateVerify went out in
// a record larger than the server's limit (our own server refused it: record_overflow), and a server that
// ignored the client's limit had its oversized protected handshake records read without complaint.
import { describe, expect, it } from 'vitest';
import { InMemoryPair } from '../../src/handshake/pair.js';
import type { TlsEvent } from '../../src/handshake/events.js';
import { splitHandshakeMessages } from '../../src/testing/tamper.js';
import { concat } from '../../src/wire/bytes.js';
import { alice, clientAbort, clientConfig, expectAbort, pinned, protectedRecordsEdit, serverConfig } from '../handshake/abort-harness.js';

const LIMIT = 64;
const TAG = 16; // TLS_AES_128_GCM_SHA256

/** TLSInnerPlaintext lengths (content, type byte, padding) of the protected records `side` sent. */
const protectedSizes = (events: TlsEvent[]) =>
  events.flatMap((e) => (e.type === 'record' && e.direction === 'out' && e.protected ? [e.raw.length - 5 - TAG] : []));

describe('the server announces a record_size_limit of 64', () => {
  it("the client's whole second flight (Certificate, CertificateVerify, Finished) respects it, and the handshake completes", () => {
    const pair = new InMemoryPair(
      clientConfig({ clientHello: { recordSizeLimit: 2 ** 14 + 1 }, certificate: alice, traceRecords: true }),
      serverConfig({ recordSizeLimit: LIMIT, clientAuth: 'require', trust: pinned(alice) }),
    ).run();
    expect(pair.events('server').filter((e) => e.type === 'alert')).toEqual([]);
    expect(pair.server.info.peer?.subject).toBe('CN=alice');
    const sizes = protectedSizes(pair.events('client'));
    // About 400 bytes of Certificate, CertificateVerify and Finished, then nothing more: seven records of at most 64.
    expect(sizes.length).toBeGreaterThan(5);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(LIMIT);
  });
});

describe('a server that ignores the client limit of 64', () => {
  it('sends one protected record of Certificate, CertificateVerify and Finished after EncryptedExtensions: record_overflow', () => {
    const result = clientAbort(
      protectedRecordsEdit((records) => {
        // The server kept to 64 bytes; the attacker puts EncryptedExtensions in a record of its own and the rest in one.
        const [encryptedExtensions, ...rest] = splitHandshakeMessages(concat(...records.map((r) => r.content)));
        return [
          { contentType: 22, content: encryptedExtensions! },
          { contentType: 22, content: concat(...rest) },
        ];
      }),
      { clientHello: { recordSizeLimit: LIMIT } },
    );
    expectAbort(result, 'record_overflow', { protectedFor: result.peer }, 'RecordOverflow');
  });

  it('sends EncryptedExtensions, Certificate, CertificateVerify and Finished in one record: record_overflow (the EncryptedExtensions record is held too)', () => {
    // The server knew the client's 64 from the ClientHello, so the record carrying its answer had to keep to it (RFC 8449 §4).
    const result = clientAbort(protectedRecordsEdit((records) => [{ contentType: 22, content: concat(...records.map((r) => r.content)) }]), { clientHello: { recordSizeLimit: LIMIT } });
    expectAbort(result, 'record_overflow', { protectedFor: result.peer }, 'RecordOverflow');
  });

  it('control: EncryptedExtensions alone in a record of at most 64 bytes passes', () => {
    const pair = new InMemoryPair(clientConfig({ clientHello: { recordSizeLimit: LIMIT } }), serverConfig()).run();
    expect(pair.client.isConnected).toBe(true);
  });
});

