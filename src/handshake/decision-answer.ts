// The caller's answer to a `decision-needed` event: read once and checked before the decision is taken,
// then turned into the step that resumes the state machine.
import type { TrustVerdict } from '../auth/trust.js';
import { readOnce } from './caller-input.js';
import { ClientHandshake } from './client/machine.js';
import { snapshotConfig } from './config-snapshot.js';
import { validateCertificateAnswer, validateTrustAnswer } from './config-validation.js';
import type { CertifiedKey } from './config.js';
import type { PendingDecision } from './events.js';
import type { ServerHandshake } from './server/machine.js';

type CallerVerdict = Pick<TrustVerdict, 'trusted'> & Partial<TrustVerdict>;

/** The answer to a `decision-needed` event. */
export type DecisionAnswer =
  | { kind: 'verify-peer'; verdict: CallerVerdict }
  /** Our certificate for the server's CertificateRequest, or none (an empty Certificate). */
  | { kind: 'client-certificate'; certificate?: CertifiedKey };

/** An answer as read once and checked: what the decision is taken with. */
type CheckedAnswer = { kind: 'verify-peer'; verdict: CallerVerdict } | { kind: 'client-certificate'; certificate: CertifiedKey | undefined };

/**
 * Reads the answer once, then checks it before the decision is taken (a misshaped answer throws and leaves it
 * pending): a getter could answer the check with false and the verdict with a Promise
 * (test/security/trust-answer-read-once), or the pending-decision check with one kind and the decision with
 * the other. A certificate is read and checked as a config's is: a snapshot (bytes copied, frozen) whose key
 * must be its leaf's.
 */
export function checkDecisionAnswer(answer: DecisionAnswer, pending: PendingDecision | undefined, machine: ClientHandshake | ServerHandshake): CheckedAnswer {
  const given = readOnce(answer) as DecisionAnswer;
  if (!pending || pending.kind !== given.kind) throw new Error(`no ${given.kind} decision is pending`);
  const verdict = given.kind === 'verify-peer' ? readOnce(given.verdict) : undefined;
  const certificate = given.kind === 'client-certificate' && given.certificate ? snapshotConfig(given.certificate) : undefined;
  if (given.kind === 'verify-peer') validateTrustAnswer(verdict);
  if (certificate) validateCertificateAnswer(certificate, machine.ctx.provider);
  if (certificate && machine instanceof ClientHandshake) machine.checkClientCertificateType(certificate);
  return given.kind === 'verify-peer' ? { kind: 'verify-peer', verdict: verdict as CallerVerdict } : { kind: 'client-certificate', certificate };
}

/** The step that takes the decision: the client's certificate (or none), or the caller's trust verdict. */
export function decisionStep(answer: CheckedAnswer, machine: ClientHandshake | ServerHandshake): () => void {
  if (answer.kind === 'client-certificate') {
    if (!(machine instanceof ClientHandshake)) throw new Error('only a client chooses a client certificate');
    return () => machine.resolveClientCertificate(answer.certificate);
  }
  const checked = answer.verdict;
  const taken: TrustVerdict = { rule: 'caller', detail: checked.trusted ? 'accepted by the caller' : 'rejected by the caller', ...checked };
  if (!taken.trusted && !taken.reason) taken.reason = 'BadCertificate';
  return () => machine.resolveTrust(taken);
}
