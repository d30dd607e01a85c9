// V8 startup snapshots (`node --build-snapshot`, RFC-free but security-relevant): the heap is written to
// the blob as it is and every process started from it begins with that heap. Random bytes pooled at that
// moment (src/crypto/random.ts) would sit in the blob and be handed out again, the same, by every such
// process: hello randoms, key shares, ticket nonces. The pool is emptied when the snapshot is written and
// again when a process starts from it (a serialize callback registered after ours may still draw).
import { startupSnapshot } from 'node:v8';
import { discardPooledRandom } from '../crypto/random.js';

if (startupSnapshot.isBuildingSnapshot()) {
  startupSnapshot.addSerializeCallback(discardPooledRandom);
  startupSnapshot.addDeserializeCallback(discardPooledRandom);
}
