// A signing key and its self-signed X.509 certificate, made in process when an IdP starts: SAML
// metadata and service providers name the IdP's key by certificate, never by a bare public key.
// The key pair comes from node:crypto (native, off the event loop); node-forge only assembles and
// signs the certificate, so no openssl binary is ever needed.
import { generateKeyPair, randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import forge from 'node-forge';

export interface SigningCredential {
  /** PKCS#8 PEM. */
  privateKeyPem: string;
  certificatePem: string;
}

export interface CertificateOptions {
  commonName?: string;
  /** Default 365. */
  validDays?: number;
}

const generateRsaKeyPair = promisify(generateKeyPair);

export async function createSigningCredential(options: CertificateOptions = {}): Promise<SigningCredential> {
  const { privateKey, publicKey } = await generateRsaKeyPair('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey);
  // A positive serial (high bit clear): a negative one is a DER error some parsers refuse.
  const serial = randomBytes(16);
  serial[0]! &= 0x7f;
  cert.serialNumber = serial.toString('hex');
  // A minute back: a service provider whose clock is a little behind still sees it valid.
  const now = Date.now();
  cert.validity.notBefore = new Date(now - 60_000);
  cert.validity.notAfter = new Date(now + (options.validDays ?? 365) * 86_400_000);
  const name = [
    { name: 'commonName', value: options.commonName ?? 'provspec test identity provider' },
    { name: 'organizationName', value: 'provspec' },
  ];
  cert.setSubject(name);
  cert.setIssuer(name);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, nonRepudiation: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(forge.pki.privateKeyFromPem(privateKey), forge.md.sha256.create());
  return { privateKeyPem: privateKey, certificatePem: forge.pki.certificateToPem(cert) };
}

/** The base64 DER body of a PEM certificate, as ds:X509Certificate carries it. */
export function certificateBase64(pem: string): string {
  return pem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '');
}
