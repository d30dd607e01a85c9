// Object identifiers we act on, with the names traces show for them.

export const OID = {
  // Public key algorithms (RFC 3279 §2.3, RFC 5480 §2.1.1, RFC 8410 §3).
  rsaEncryption: '1.2.840.113549.1.1.1',
  rsassaPss: '1.2.840.113549.1.1.10',
  ecPublicKey: '1.2.840.10045.2.1',
  prime256v1: '1.2.840.10045.3.1.7',
  secp384r1: '1.3.132.0.34',
  secp521r1: '1.3.132.0.35',
  ed25519: '1.3.101.112',
  ed448: '1.3.101.113',
  x25519: '1.3.101.110',
  // ML-DSA keys and signatures: one OID names both (RFC 9881 §2, FIPS 204).
  idMlDsa44: '2.16.840.1.101.3.4.3.17',
  idMlDsa65: '2.16.840.1.101.3.4.3.18',
  idMlDsa87: '2.16.840.1.101.3.4.3.19',
  // Signature algorithms (RFC 4055, RFC 5758, RFC 8410).
  sha1WithRSAEncryption: '1.2.840.113549.1.1.5',
  sha256WithRSAEncryption: '1.2.840.113549.1.1.11',
  sha384WithRSAEncryption: '1.2.840.113549.1.1.12',
  sha512WithRSAEncryption: '1.2.840.113549.1.1.13',
  ecdsaWithSHA256: '1.2.840.10045.4.3.2',
  ecdsaWithSHA384: '1.2.840.10045.4.3.3',
  ecdsaWithSHA512: '1.2.840.10045.4.3.4',
  mgf1: '1.2.840.113549.1.1.8',
  sha1: '1.3.14.3.2.26',
  sha256: '2.16.840.1.101.3.4.2.1',
  sha384: '2.16.840.1.101.3.4.2.2',
  sha512: '2.16.840.1.101.3.4.2.3',
  // Password-based encryption wrapper of PKCS#8 (RFC 8018 §A.4), recognised only to refuse it.
  pbes2: '1.2.840.113549.1.5.13',
  // Name attributes (RFC 5280 §4.1.2.4, Appendix A).
  commonName: '2.5.4.3',
  surname: '2.5.4.4',
  serialNumber: '2.5.4.5',
  countryName: '2.5.4.6',
  localityName: '2.5.4.7',
  stateOrProvinceName: '2.5.4.8',
  streetAddress: '2.5.4.9',
  organizationName: '2.5.4.10',
  organizationalUnitName: '2.5.4.11',
  title: '2.5.4.12',
  givenName: '2.5.4.42',
  domainComponent: '0.9.2342.19200300.100.1.25',
  userId: '0.9.2342.19200300.100.1.1',
  emailAddress: '1.2.840.113549.1.9.1',
  // Certificate extensions (RFC 5280 §4.2).
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  issuerAltName: '2.5.29.18',
  basicConstraints: '2.5.29.19',
  nameConstraints: '2.5.29.30',
  crlDistributionPoints: '2.5.29.31',
  certificatePolicies: '2.5.29.32',
  policyConstraints: '2.5.29.36',
  authorityKeyIdentifier: '2.5.29.35',
  extKeyUsage: '2.5.29.37',
  inhibitAnyPolicy: '2.5.29.54',
  // CRL and CRL entry extensions (RFC 5280 §5.2, §5.3).
  cRLNumber: '2.5.29.20',
  reasonCode: '2.5.29.21',
  invalidityDate: '2.5.29.24',
  deltaCRLIndicator: '2.5.29.27',
  issuingDistributionPoint: '2.5.29.28',
  authorityInfoAccess: '1.3.6.1.5.5.7.1.1',
  ctPrecertificateScts: '1.3.6.1.4.1.11129.2.4.2',
  // Extended key purposes (RFC 5280 §4.2.1.12).
  anyExtendedKeyUsage: '2.5.29.37.0',
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
  codeSigning: '1.3.6.1.5.5.7.3.3',
  emailProtection: '1.3.6.1.5.5.7.3.4',
  timeStamping: '1.3.6.1.5.5.7.3.8',
  ocspSigning: '1.3.6.1.5.5.7.3.9',
  // OCSP (RFC 6960 §4.2.1, §4.4.1, §4.2.2.2.1).
  ocspBasic: '1.3.6.1.5.5.7.48.1.1',
  ocspNonce: '1.3.6.1.5.5.7.48.1.2',
  ocspNoCheck: '1.3.6.1.5.5.7.48.1.5',
} as const;

export type OidName = keyof typeof OID;

const NAMES: ReadonlyMap<string, OidName> = new Map(Object.entries(OID).map(([name, oid]) => [oid, name as OidName]));

/** The name of a known OID, or undefined. */
export function oidName(oid: string): OidName | undefined {
  return NAMES.get(oid);
}

/** Short attribute labels for distinguished names (RFC 4514 §3, plus the common extras). */
export const NAME_ATTRIBUTE_LABELS: Readonly<Record<string, string>> = {
  [OID.commonName]: 'CN',
  [OID.surname]: 'SN',
  [OID.serialNumber]: 'serialNumber',
  [OID.countryName]: 'C',
  [OID.localityName]: 'L',
  [OID.stateOrProvinceName]: 'ST',
  [OID.streetAddress]: 'STREET',
  [OID.organizationName]: 'O',
  [OID.organizationalUnitName]: 'OU',
  [OID.title]: 'title',
  [OID.givenName]: 'GN',
  [OID.domainComponent]: 'DC',
  [OID.userId]: 'UID',
  [OID.emailAddress]: 'emailAddress',
};
