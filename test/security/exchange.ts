// Two in-memory Connections talking directly, for attacks that step a handshake by hand.
import type { Connection } from '../../src/handshake/connection.js';

/** Passes output back and forth until neither side has anything to say (at most 20 rounds). */
export function exchange(a: Connection, b: Connection): void {
  for (let i = 0; i < 20; i++) {
    const ab = a.takeOutput();
    if (ab.length > 0) b.receive(ab);
    const ba = b.takeOutput();
    if (ba.length > 0) a.receive(ba);
    if (ab.length === 0 && ba.length === 0) return;
  }
}
