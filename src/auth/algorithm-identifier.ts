// AlgorithmIdentifier (RFC 5280 §4.1.1.2), the OID-and-parameters pair that names every key and signature
// algorithm in certificates and key files.
import { DerReader } from './der.js';
import { oidName } from './oids.js';

/** The OID and the raw parameters element, if any. */
export function readAlgorithmIdentifier(r: DerReader, field: string): { oid: string; params?: DerReader } {
  const seq = r.sequence(field);
  const oid = seq.oid('algorithm', oidName);
  if (seq.atEnd) return { oid };
  const element = seq.any('parameters');
  seq.end();
  const params = new DerReader(element.raw, undefined, seq.join('parameters'));
  return { oid, params };
}
