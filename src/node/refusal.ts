// A connection the server refuses before its handshake began (server.ts: its config no longer passes the check
// of the objects it holds as given). The client is told, as it would be by an engine that failed in the middle
// of its handshake: a fatal internal_error alert ("an internal error unrelated to the peer", RFC 8446 §6.2), in
// a plaintext record since no keys exist yet (§5.1), then the transport is closed.
import type * as net from 'node:net';
import { LEGACY_RECORD_VERSION } from '../record/index.js';
import { plaintextRecord } from '../record/header.js';
import { AlertDescription, AlertLevel, ContentType } from '../wire/enums.js';

const INTERNAL_ERROR_RECORD = plaintextRecord(ContentType.alert, LEGACY_RECORD_VERSION, Uint8Array.of(AlertLevel.fatal, AlertDescription.internal_error));

/** How long a refused client has to close its side after the alert (as for a socket that sent a fatal alert, adapter.ts). */
const CLOSE_WAIT_MS = 1000;

/** Sends internal_error on `raw` and closes it; nothing of what the client sent is read. */
export function refuseBeforeHandshake(raw: net.Socket): void {
  raw.on('error', () => {}); // a reset from the peer now changes nothing
  // Its ClientHello is drained unread: closing with unread input would answer with a reset, which can destroy the alert.
  raw.resume();
  raw.end(Buffer.from(INTERNAL_ERROR_RECORD));
  setTimeout(() => raw.destroy(), CLOSE_WAIT_MS).unref();
}
