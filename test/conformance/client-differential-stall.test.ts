// Attacker: a loaded CI machine (2 cores, a dozen processes), as differential-stall.test.ts for servers. The
// client-side harness takes a client's silence as its answer; here each real client is stopped for 2 s as each server
// step starts (SIGSTOP, as a scheduler that runs it late), longer than the 1.5 s fixed wait the harness used before it
// asked /proc whether the client is idle. The outcomes must be those of the unstalled runs (client-differential-flight
// and -hello): a late answer is an answer, not a silence, and a late close is a close.
import { ContentType } from '../../src/wire/enums.js';
import { type ClientCase, clientDifferential, type ClientRun } from './client-differential-harness.js';

const STALL_MS = 2000;
const HANDSHAKE = ContentType.handshake;
const handshake = (run: ClientRun) => run.step((s) => [s.serverHello(), s.protect(...s.authentication())]);

const cases: ClientCase[] = [
  { name: 'stalled: a whole handshake (the Finished comes late)', script: handshake, ours: 'finished, open', stallClientMs: STALL_MS },
  {
    name: 'stalled: a KeyUpdate of 2 after the handshake (an alert, then the close, both late)',
    script: async (run) => {
      await handshake(run);
      await run.step((s) => {
        s.application();
        return [s.seal(HANDSHAKE, Uint8Array.of(24, 0, 0, 1, 2))];
      });
    },
    ours: 'illegal_parameter, closed',
    gnutls: 'finished, closed',
    verdict: 'as in client-differential-flight',
    stallClientMs: STALL_MS,
  },
];

clientDifferential('outcomes of clients run late (stopped 2 s as each server step starts)', cases);
