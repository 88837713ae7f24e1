import { generateKeyPairSync, randomBytes } from 'node:crypto';
import forge from 'node-forge';

export interface EmulatorTlsMaterial {
  /** PEM of the CA that signed the server certificate; clients trust only this. */
  caCertPem: string;
  serverCertPem: string;
  serverKeyPem: string;
}

function newKeyPair() {
  // Native key generation: node-forge's pure-JS RSA takes seconds on a busy machine.
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return {
    privateKeyPem: privateKey,
    privateKey: forge.pki.privateKeyFromPem(privateKey),
    publicKey: forge.pki.publicKeyFromPem(publicKey),
  };
}

function baseCertificate(publicKey: forge.pki.PublicKey, days: number) {
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  // Positive serial: a leading 0x00..0x7f byte keeps the DER integer non-negative.
  cert.serialNumber = `01${randomBytes(15).toString('hex')}`;
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + days * 86_400_000);
  return cert;
}

/**
 * A throw-away CA and a server certificate for the loopback addresses, so the real gRPC
 * client can use TLS (and therefore send per-call bearer credentials) without any system
 * trust store change.
 */
export function createLoopbackTls(
  hosts: string[] = ['127.0.0.1', '::1', 'localhost'],
): EmulatorTlsMaterial {
  const caKeys = newKeyPair();
  const ca = baseCertificate(caKeys.publicKey, 30);
  const caName = [{ name: 'commonName', value: 'GKE emulator test CA' }];
  ca.setSubject(caName);
  ca.setIssuer(caName);
  ca.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
  ]);
  ca.sign(caKeys.privateKey, forge.md.sha256.create());

  const serverKeys = newKeyPair();
  const server = baseCertificate(serverKeys.publicKey, 30);
  server.setSubject([
    { name: 'commonName', value: 'container.googleapis.com emulator' },
  ]);
  server.setIssuer(caName);
  server.setExtensions([
    { name: 'basicConstraints', cA: false },
    {
      name: 'keyUsage',
      digitalSignature: true,
      keyEncipherment: true,
      critical: true,
    },
    { name: 'extKeyUsage', serverAuth: true },
    {
      name: 'subjectAltName',
      altNames: hosts.map(host =>
        /^[\d.]+$/.test(host) || host.includes(':')
          ? { type: 7, ip: host }
          : { type: 2, value: host },
      ),
    },
  ]);
  server.sign(caKeys.privateKey, forge.md.sha256.create());

  return {
    caCertPem: forge.pki.certificateToPem(ca),
    serverCertPem: forge.pki.certificateToPem(server),
    serverKeyPem: serverKeys.privateKeyPem,
  };
}

let shared: EmulatorTlsMaterial | undefined;

/**
 * One loopback CA and certificate per process: key generation dominates start-up, and every
 * emulator in a test run can present the same throw-away certificate.
 */
export function sharedLoopbackTls(): EmulatorTlsMaterial {
  shared ??= createLoopbackTls();
  return shared;
}
