// Attacker: a loaded CI machine (2 cores, a dozen processes). The differential harness takes a server's silence
// as its answer; here each real server is stopped for 1.2 s after each of our sends (SIGSTOP, as a scheduler that
// runs it late), longer than any fixed wait for a first byte. The outcomes must be those of the unstalled runs
// (differential-hello and -records): a late answer is an answer, not a silence, and a late close is a close.
import { concat } from '../../src/wire/bytes.js';
import { CipherSuite, ContentType } from '../../src/wire/enums.js';
import { type DifferentialCase, differential, helloExtensions, type Run } from './differential-harness.js';
import type { Answer, ScriptedClient } from './scripted-client.js';

const AES_128_GCM = CipherSuite.TLS_AES_128_GCM_SHA256;
const STALL_MS = 1200;
const hello = (run: Run) => run.step((c) => c.hello([AES_128_GCM], helloExtensions(c)));
const afterFinished = (then: (c: ScriptedClient) => Answer) => async (run: Run) => {
  await hello(run);
  await run.step((c) => c.finish());
  await run.step(then);
};

const cases: DifferentialCase[] = [
  { name: 'stalled: a plain ClientHello and our Finished', script: async (run) => (await hello(run), run.step((c) => c.finish())), ours: 'finished, open', stallServerMs: STALL_MS },
  {
    name: 'stalled: a ClientHello after the handshake (an alert, then the close)',
    script: afterFinished((c) => c.sendSealed(ContentType.handshake, c.encodeHello(0x0303, [AES_128_GCM], helloExtensions(c)))),
    ours: 'unexpected_message, closed',
    stallServerMs: STALL_MS,
  },
  {
    name: 'stalled: a warning alert of an unknown description after the handshake (a close without an alert)',
    script: afterFinished((c) => c.sendSealed(ContentType.alert, Uint8Array.of(1, 0xfe))),
    ours: 'finished, closed',
    openssl35: 'finished, open',
    verdict: 'as in differential-records',
    stallServerMs: STALL_MS,
  },
  { name: 'stalled: the ClientHello split across two records', script: (run) => run.step((c) => { const h = c.encodeHello(0x0303, [AES_128_GCM], helloExtensions(c)); return c.sendHelloRecords(h, concat(rec(h.subarray(0, 40)), rec(h.subarray(40)))); }), ours: 'finished, open', stallServerMs: STALL_MS },
];

function rec(body: Uint8Array): Uint8Array {
  return concat(Uint8Array.of(ContentType.handshake, 3, 3, body.length >> 8, body.length & 0xff), body);
}

differential('outcomes of servers run late (stopped 1.2 s after each send)', cases);
