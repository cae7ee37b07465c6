// Generates the SAML Responses the bench validates: a throwaway RSA-2048 IdP
// key and certificate from the openssl CLI, then N distinct Responses per
// variant, signed by xml-crypto (an independent signer, not edge-sso), with
// timestamps around "now" so every validator sees them as current.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import xmlCrypto from 'xml-crypto';

export const SP_ENTITY_ID = 'https://sp.bench.example/metadata';
export const ACS_URL = 'https://sp.bench.example/acs';
export const IDP_ENTITY_ID = 'https://idp.bench.example/metadata';
export const IDP_SSO_URL = 'https://idp.bench.example/sso';

/** The two variants: which element carries the enveloped signature. */
export const VARIANTS = [
  { key: 'assertionSigned', label: 'Assertion signed', signed: 'Assertion', file: 'assertion-signed.txt' },
  { key: 'responseSigned', label: 'Response signed', signed: 'Response', file: 'response-signed.txt' },
];

const RSA_SHA256 = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256';
const SHA256 = 'http://www.w3.org/2001/04/xmlenc#sha256';
const EXC_C14N = 'http://www.w3.org/2001/10/xml-exc-c14n#';
const ENVELOPED = 'http://www.w3.org/2000/09/xmldsig#enveloped-signature';

// An Orange-style OrangeAPIToken: long, with the "|key=value" tail and the
// line breaks IdPs put into it (edge-sso strips whitespace from this one).
const ORANGE_API_TOKEN = [
  'B64W7ElXGlIgvEdGOqlH9zuQQoSu1CS4QOSv9/NoPtNva4psRc+c5BFR3z0xc3DkZrelwNonn+fVG41RDBWZfdYovGxJv',
  'XZ9NTSLkMZeQwmN08Kq3l1zQ0a6r8Yc2HfJx1d9VbN4mT7pW2sE5uR0oI8yA3gD6hL9kZ1xC4vB7nM0qP2wS5tY8uJ1',
  'eR4iO7pA0sD3fG6hJ9kL2zX5cV8bN1mQ4wE7rT0yU3iO6pA9sD2fG5hJ8kL1zX4cV7bN0mQ3wE6rT9yU2iO5pA8sD1c=',
  '|sau=UNAVAILABLE|ted=1200503587|oJkued8sD2qnZiMj2HIDyLrpkhM=',
].join('\n                   ');

const GROUPS = ['staff', 'engineering', 'vpn-users', 'paris-office', 'on-call'];

/** xsd:dateTime without milliseconds, as IdPs write it. */
const instant = (ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

function attribute(name, values) {
  const vals = values.map((v) => `<saml:AttributeValue xsi:type="xs:string">${v}</saml:AttributeValue>`).join('');
  return `<saml:Attribute Name="${name}">${vals}</saml:Attribute>`;
}

/** The unsigned Response answering `_req<i>`: every element the Web Browser SSO profile checks. */
function responseXml(i, nowMs) {
  const now = instant(nowMs);
  const notBefore = instant(nowMs - 60_000);
  const notOnOrAfter = instant(nowMs + 5 * 60_000);
  const sessionEnd = instant(nowMs + 8 * 3600_000);
  const requestId = `_req${i}`;
  const attributes = [
    attribute('OrangeAPIToken', [ORANGE_API_TOKEN]),
    attribute('mail', [`alice.${i}@bench.example`]),
    attribute('givenName', ['Alice']),
    attribute('surname', ['Liddell']),
    attribute('employeeType', ['internet', 'mobile']),
    attribute('groups', GROUPS),
  ].join('');
  return `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_resp${i}" Version="2.0" IssueInstant="${now}" Destination="${ACS_URL}" InResponseTo="${requestId}">`
    + `<saml:Issuer>${IDP_ENTITY_ID}</saml:Issuer>`
    + '<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>'
    + `<saml:Assertion xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" ID="_assert${i}" Version="2.0" IssueInstant="${now}">`
    + `<saml:Issuer>${IDP_ENTITY_ID}</saml:Issuer>`
    + `<saml:Subject><saml:NameID Format="urn:oasis:names:tc:SAML:2.0:nameid-format:persistent">4b124ae2-0126-102b-8852-${String(i).padStart(12, '0')}</saml:NameID>`
    + '<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer">'
    + `<saml:SubjectConfirmationData Recipient="${ACS_URL}" InResponseTo="${requestId}" NotOnOrAfter="${notOnOrAfter}"/>`
    + '</saml:SubjectConfirmation></saml:Subject>'
    + `<saml:Conditions NotBefore="${notBefore}" NotOnOrAfter="${notOnOrAfter}"><saml:AudienceRestriction><saml:Audience>${SP_ENTITY_ID}</saml:Audience></saml:AudienceRestriction></saml:Conditions>`
    + `<saml:AuthnStatement AuthnInstant="${now}" SessionIndex="_session${i}" SessionNotOnOrAfter="${sessionEnd}">`
    + '<saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef></saml:AuthnContext>'
    + '</saml:AuthnStatement>'
    + `<saml:AttributeStatement>${attributes}</saml:AttributeStatement>`
    + '</saml:Assertion></samlp:Response>';
}

/** Base64 DER body of a PEM certificate, for KeyInfo (samlify compares it with the configured one). */
const certBody = (pem) => pem.replace(/-----[^-]+-----|\s/g, '');

/**
 * Signs `signed` ("Assertion" or "Response") with an enveloped signature placed
 * right after that element's Issuer, as SAML requires.
 * The top-level xml-crypto is 2.x (pulled in by samlp): its API is
 * `signingKey` + `addReference(xpath, transforms, digest, uri, value, prefixList)`.
 */
function sign(xml, signed, { key, cert }) {
  const sig = new xmlCrypto.SignedXml();
  sig.signingKey = key;
  sig.signatureAlgorithm = RSA_SHA256;
  sig.canonicalizationAlgorithm = EXC_C14N;
  sig.keyInfoProvider = {
    getKeyInfo: (_key, prefix) => `<${prefix}:X509Data><${prefix}:X509Certificate>${certBody(cert)}</${prefix}:X509Certificate></${prefix}:X509Data>`,
  };
  const element = `//*[local-name(.)='${signed}']`;
  // No InclusiveNamespaces PrefixList: xml-crypto 2.x digests with one but
  // does not write it into the Transform, so no verifier could match it.
  sig.addReference(element, [ENVELOPED, EXC_C14N], SHA256);
  sig.computeSignature(xml, {
    prefix: 'ds',
    location: { reference: `${element}/*[local-name(.)='Issuer']`, action: 'after' },
  });
  return sig.getSignedXml();
}

/** A throwaway self-signed RSA IdP certificate in `dir` (2048 bits unless `bits` says otherwise). */
export function createIdpKey(dir, bits = 2048) {
  mkdirSync(dir, { recursive: true });
  const keyPath = join(dir, 'idp-key.pem');
  const certPath = join(dir, 'idp-cert.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', `rsa:${bits}`, '-nodes', '-sha256', '-days', '2',
    '-subj', '/CN=edge-sso bench IdP', '-keyout', keyPath, '-out', certPath], { stdio: 'ignore' });
  const idp = { key: readFileSync(keyPath, 'utf8'), cert: readFileSync(certPath, 'utf8') };
  rmSync(keyPath); // only this process needs the private key
  return idp;
}

/**
 * Response `i` of a variant, signed, base64 as posted to the ACS. `mutate`
 * edits the XML before signing (the check probes make one field wrong).
 */
export function signedResponse(i, nowMs, variant, idp, mutate = (xml) => xml) {
  return Buffer.from(sign(mutate(responseXml(i, nowMs)), variant.signed, idp)).toString('base64');
}

/**
 * `count` signed Responses per variant; the one at index i answers request `_req<i>`.
 * @returns {{ nowMs: number, count: number, cert: string, responses: Record<string, string[]>, xmlBytes: number }}
 */
export function generateResponses(idp, count) {
  const nowMs = Date.now();
  const responses = Object.fromEntries(VARIANTS.map((v) => [v.key,
    Array.from({ length: count }, (_, i) => signedResponse(i, nowMs, v, idp))]));
  const xmlBytes = Buffer.from(responses[VARIANTS[0].key][0], 'base64').length;
  return { nowMs, count, cert: idp.cert, responses, xmlBytes };
}

/** A copy of a response whose signed content was changed after signing. */
export function tamper(base64) {
  const xml = Buffer.from(base64, 'base64').toString('utf8');
  const changed = xml.replace('<saml:AttributeValue xsi:type="xs:string">Alice</saml:AttributeValue>',
    '<saml:AttributeValue xsi:type="xs:string">Mallory</saml:AttributeValue>');
  if (changed === xml) throw new Error('tamper: the givenName value was not found');
  return Buffer.from(changed).toString('base64');
}

/** The inputs for the native Rust harness (examples/bench_native.rs), in `dir`. */
export function exportInputs(dir, inputs) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'cert.pem'), inputs.cert);
  writeFileSync(join(dir, 'config.json'), `${JSON.stringify({
    spEntityId: SP_ENTITY_ID, acsUrl: ACS_URL, idpEntityId: IDP_ENTITY_ID, nowMs: inputs.nowMs, count: inputs.count,
  }, null, 2)}\n`);
  for (const v of VARIANTS) writeFileSync(join(dir, v.file), `${inputs.responses[v.key].join('\n')}\n`);
}
