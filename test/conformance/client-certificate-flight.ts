// The client's side of client authentication as tlsfuzzer's CertificateGenerator, CertificateVerifyGenerator
// and FinishedGenerator write it (RFC 8446 §4.4.2-§4.4.4), for a scripted client (scripted-client.ts) that has
// read the server's flight: the scripts' probes forge the CertificateVerify, the rest stays honest.
import { expect } from 'vitest';
import { certificateVerifyContent } from '../../src/handshake/signatures.js';
import { encodeHandshake } from '../../src/wire/messages.js';
import type { ScriptedClient, Answer } from './scripted-client.js';

const GET = new TextEncoder().encode('GET / HTTP/1.0\r\n\r\n');

/** A Certificate message (§4.4.2) of `chain`, no entry extensions. */
export const certificateMessage = (context: Uint8Array, ...chain: Uint8Array[]) =>
  encodeHandshake({ kind: 'certificate', context, entries: chain.map((data) => ({ data, extensions: [] })) });

/** What the client's CertificateVerify sent next signs (§4.4.3). */
export const signedContent = (client: ScriptedClient) => certificateVerifyContent('client', client.transcriptHashNow());

export type Forge = (content: Uint8Array) => { scheme: number; signature: Uint8Array };

/**
 * The client's second flight: a Certificate of `der`, a CertificateVerify made by `forge`, and (unless the
 * server already refused) the Finished; everything the server answered.
 */
export function answerWithCertificate(client: ScriptedClient, der: Uint8Array, forge: Forge): Answer {
  const answers = [client.sendHandshake(certificateMessage(new Uint8Array(0), der))];
  answers.push(client.sendHandshake(encodeHandshake({ kind: 'certificate_verify', ...forge(signedContent(client)) })));
  if (answers.every((a) => a.alerts.length === 0)) answers.push(client.finish());
  return { messages: answers.flatMap((a) => a.messages), alerts: answers.flatMap((a) => a.alerts), applicationData: [], records: answers.flatMap((a) => a.records) };
}

/** After the client's Finished: the scripts' GET is delivered. */
export function expectConversation(client: ScriptedClient): void {
  client.server.takeEvents();
  expect(client.send(GET).alerts).toEqual([]);
  expect(client.server.takeEvents().filter((e) => e.type === 'data')).toHaveLength(1);
}
