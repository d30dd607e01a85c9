// What `connect` sends once connected, as openssl s_client does: standard input, typed or piped, or one
// request given on the command line (`--send TEXT`, or GET / when stdin has nothing to say).
import type { Tls13Socket } from '../node/adapter.js';
import type { Input, Io } from './io.js';

export type RequestSource =
  /** `--send TEXT`, the default request, or the 0-RTT data already sent: written once. */
  | { kind: 'text'; text: string }
  /**
   * Standard input, forwarded as it arrives. At its end the write side is half-closed (close_notify, RFC
   * 8446 §6.1) and the reply is read until the server closes. Piped input that ends before its first byte
   * (`< /dev/null`, a script) sends `fallback` instead, as if there were no stdin.
   */
  | { kind: 'stdin'; input: Input; crlf: boolean; fallback: string };

/** Standard input when it can carry the request (not with --send or --resume), else the text. */
export function requestSource(io: Io, text: string, useStdin: boolean, crlf: boolean): RequestSource {
  return io.stdin && useStdin ? { kind: 'stdin', input: io.stdin, crlf, fallback: text } : { kind: 'text', text };
}

/**
 * Starts sending `source` on the connected `socket`. `sent(halfClosed)` is called once the whole request
 * is out: the caller then waits for the reply (a bounded wait). Returns a function that stops reading input.
 */
export function sendRequest(socket: Tls13Socket, source: RequestSource, io: Io, sent: (halfClosed: boolean) => void): () => void {
  if (source.kind === 'text') {
    socket.write(source.text);
    sent(false);
    return () => {};
  }
  const { input, crlf, fallback } = source;
  const interactive = input.isTTY === true;
  if (interactive) io.stderr.write('tls13: connected; each line you type is sent, Ctrl-D ends the input (half-close)\n');
  let forwarded = 0;
  const onData = (chunk: Buffer | string) => {
    const text = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    forwarded += text.length;
    // s_client's -crlf: a terminal ends lines with LF, an HTTP request wants CRLF (RFC 9112 §2.2).
    socket.write(crlf ? Buffer.from(text.toString('latin1').replace(/\r?\n/g, '\r\n'), 'latin1') : text);
  };
  const onEnd = () => {
    stop();
    if (forwarded === 0 && !interactive) {
      socket.write(fallback);
      sent(false);
      return;
    }
    socket.end();
    sent(true);
  };
  const stop = () => {
    input.off('data', onData);
    input.off('end', onEnd);
    input.pause();
  };
  input.on('data', onData);
  input.on('end', onEnd);
  return stop;
}
