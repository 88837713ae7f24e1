'use strict';

/*
 * The server identity for go-plugin's automatic mTLS. go-plugin trusts exactly the certificate
 * printed in the handshake (as root CA and as client CA) and verifies it as "localhost", so the
 * certificate is a self-signed CA with SAN localhost, server+client auth and a SHA-256 signature
 * (Go rejects SHA-1, node-forge's default).
 */

const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const forge = require('node-forge');

function createTlsIdentity() {
  const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', {
    modulusLength: 2048,
  });
  const keyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const publicPem = publicKey
    .export({ type: 'spki', format: 'pem' })
    .toString();

  const certificate = forge.pki.createCertificate();
  certificate.publicKey = forge.pki.publicKeyFromPem(publicPem);
  // A positive serial: a leading 0x01 byte keeps the DER integer from reading as negative.
  certificate.serialNumber = `01${crypto.randomBytes(15).toString('hex')}`;
  const now = Date.now();
  certificate.validity.notBefore = new Date(now - 5 * 60 * 1000);
  certificate.validity.notAfter = new Date(now + 365 * 24 * 60 * 60 * 1000);
  const subject = [
    { name: 'organizationName', value: 'HashiCorp' },
    { name: 'commonName', value: 'localhost' },
  ];
  certificate.setSubject(subject);
  certificate.setIssuer(subject);
  certificate.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    {
      name: 'keyUsage',
      critical: true,
      digitalSignature: true,
      keyEncipherment: true,
      keyAgreement: true,
      keyCertSign: true,
    },
    { name: 'extKeyUsage', serverAuth: true, clientAuth: true },
    { name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }] },
  ]);
  certificate.sign(
    forge.pki.privateKeyFromPem(keyPem),
    forge.md.sha256.create(),
  );
  const certPem = forge.pki.certificateToPem(certificate);
  return { keyPem, certPem };
}

function withDer(identity) {
  const der = forge.asn1.toDer(
    forge.pki.certificateToAsn1(forge.pki.certificateFromPem(identity.certPem)),
  );
  return { ...identity, certDer: Buffer.from(der.getBytes(), 'binary') };
}

/**
 * Reuses the identity stored in cacheDir (created by an earlier plugin start) or makes one.
 * RSA key generation is the largest share of a plugin start, and Terraform starts the plugin
 * several times per command.
 */
function loadOrCreateTlsIdentity(cacheDir) {
  const file = cacheDir && path.join(cacheDir, 'plugin-tls.json');
  if (file && fs.existsSync(file)) {
    const stored = JSON.parse(fs.readFileSync(file, 'utf8'));
    const certificate = new crypto.X509Certificate(stored.certPem);
    if (new Date(certificate.validTo).getTime() > Date.now() + 60 * 60 * 1000) {
      return withDer(stored);
    }
  }
  const identity = createTlsIdentity();
  if (file) {
    const temporary = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(temporary, JSON.stringify(identity), { mode: 0o600 });
    fs.renameSync(temporary, file);
  }
  return withDer(identity);
}

module.exports = { createTlsIdentity, loadOrCreateTlsIdentity };
