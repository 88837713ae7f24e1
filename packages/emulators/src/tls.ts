import { generateKeyPairSync, randomBytes } from 'node:crypto';
import forge from 'node-forge';

/** A throw-away CA and the server certificate it signed; clients trust only the CA. */
export interface LoopbackTls {
  caPem: string;
  certPem: string;
  keyPem: string;
}

/** RSA keys come from Node's native generator (forge's pure-JS one takes seconds). */
function keyPair() {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
  });
  return {
    publicKey: forge.pki.publicKeyFromPem(
      publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    ),
    privateKey: forge.pki.privateKeyFromPem(
      privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(),
    ),
  };
}

function serial() {
  // Positive serial: clear the sign bit of the first byte.
  const bytes = randomBytes(16);
  bytes[0] &= 0x7f;
  return bytes.toString('hex');
}

/**
 * A fresh CA and a server certificate for loopback (SANs 127.0.0.1, ::1, localhost and the
 * in-cluster names of the Kubernetes API), SHA-256 signed, so the real clients verify TLS
 * against the emulators without any change to the system trust store.
 */
export function createLoopbackTls(hosts: string[] = []): LoopbackTls {
  const now = new Date();
  const notAfter = new Date(now.getTime() + 365 * 24 * 3600 * 1000);
  const notBefore = new Date(now.getTime() - 60 * 60 * 1000);

  const caKeys = keyPair();
  const ca = forge.pki.createCertificate();
  ca.publicKey = caKeys.publicKey;
  ca.serialNumber = serial();
  ca.validity.notBefore = notBefore;
  ca.validity.notAfter = notAfter;
  const caSubject = [{ name: 'commonName', value: 'gpu-platform-emulator-ca' }];
  ca.setSubject(caSubject);
  ca.setIssuer(caSubject);
  ca.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    {
      name: 'keyUsage',
      keyCertSign: true,
      cRLSign: true,
      digitalSignature: true,
      critical: true,
    },
    { name: 'subjectKeyIdentifier' },
  ]);
  ca.sign(caKeys.privateKey, forge.md.sha256.create());

  const serverKeys = keyPair();
  const cert = forge.pki.createCertificate();
  cert.publicKey = serverKeys.publicKey;
  cert.serialNumber = serial();
  cert.validity.notBefore = notBefore;
  cert.validity.notAfter = notAfter;
  cert.setSubject([{ name: 'commonName', value: 'gpu-platform-emulator' }]);
  cert.setIssuer(caSubject);
  const ips = new Set(['127.0.0.1', '::1']);
  const dns = new Set([
    'localhost',
    'kubernetes',
    'kubernetes.default',
    'kubernetes.default.svc',
  ]);
  for (const host of hosts) {
    if (/^[\d.]+$/.test(host) || host.includes(':')) ips.add(host);
    else dns.add(host);
  }
  cert.setExtensions([
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
      altNames: [
        ...[...dns].map(value => ({ type: 2, value })),
        ...[...ips].map(ip => ({ type: 7, ip })),
      ],
    },
    {
      name: 'authorityKeyIdentifier',
      keyIdentifier: ca.generateSubjectKeyIdentifier().getBytes(),
    },
  ]);
  cert.sign(caKeys.privateKey, forge.md.sha256.create());

  return {
    caPem: forge.pki.certificateToPem(ca),
    certPem: forge.pki.certificateToPem(cert),
    keyPem: forge.pki.privateKeyToPem(serverKeys.privateKey),
  };
}

let shared: LoopbackTls | undefined;

/**
 * One loopback CA and certificate per process: key generation dominates start-up, and every
 * emulator in a test run may present the same throw-away certificate.
 */
export function sharedLoopbackTls(): LoopbackTls {
  shared ??= createLoopbackTls();
  return shared;
}
