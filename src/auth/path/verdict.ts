// The verdict of path validation, shared by the pieces in this folder: a path (leaf first, anchor last)
// or a failure with the RFC 8446 §6.2 reason that decides the alert.
import type { Reason } from '../../wire/errors.js';
import type { Certificate } from '../x509.js';

export type Failure = { ok: false; reason: Reason; detail: string };

/** `signaturesLeft`: what remains of the validation's signature budget, for checks that share it (OCSP staples). */
export type ChainVerdict = { ok: true; path: Certificate[]; signaturesLeft: number } | Failure;

export const fail = (reason: Reason, detail: string): Failure => ({ ok: false, reason, detail });

/** A certificate as people name it in a failure detail. */
export function describe(cert: Certificate): string {
  return `"${cert.subject.text || '(empty subject)'}"`;
}
