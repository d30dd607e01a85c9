// Typed views of extension bodies (RFC 8446 §4.2 and the RFCs it names). Messages keep extensions as raw
// (type, data) pairs; the handshake layer reads and writes their bodies through the codecs here.
//
// Every codec has `encode(value)` (the body only, no type or length), `decode(r)` (reads the whole reader,
// recording spans when the reader carries them) and `parse(body)` (decode over a standalone body). The handshake
// layer reads a received body through `bodyOf(codec, extension)`, which returns the value decoded with the message.
// Which extension may appear in which message, and with which decoder, is extension-table.ts.
//
// One module to import (`import * as X from '../wire/extensions.js'`), in three by concern: extension-body.ts (the
// codec shape, DecodedExtension, bodyOf, ext, findExtension), extensions-rfc8446.ts, extensions-other-rfcs.ts.
export * from './extension-body.js';
export * from './extensions-rfc8446.js';
export * from './extensions-other-rfcs.js';
