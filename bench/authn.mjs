// Benchmark 2: build an AuthnRequest and encode it for the HTTP-Redirect
// binding (raw DEFLATE + base64 + percent-encoding, with RelayState).
//   edge-sso      sp.authnRequest(): also remembers the request ID (one-time,
//                 at most 128 pending), so a fresh SP per batch of 100.
//   node-saml     getAuthorizeUrlAsync(), unsigned (no privateKey), with
//                 validateInResponseTo 'always' so it too stores the ID; no
//                 NameIDPolicy / RequestedAuthnContext, to build the same
//                 element set as edge-sso's default request.
//   baseline      a template string + zlib.deflateRawSync + base64 +
//                 encodeURIComponent: the floor, remembering nothing.
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { SamlServiceProvider } from 'edge-sso';
import { SAML } from '@node-saml/node-saml';
import { ACS_URL, IDP_ENTITY_ID, IDP_SSO_URL, SP_ENTITY_ID } from './saml-inputs.mjs';
import { timeBatches } from './timing.mjs';

const require = createRequire(import.meta.url);
const BATCH = 100; // below edge-sso's cap of 128 pending requests per SP
const RELAY_STATE = '/cart?item=42';
const SP_HOST = new URL(ACS_URL).host;

const instant = (ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** The same AuthnRequest edge-sso builds by default, by hand. */
function baselineRedirectUrl(relayState) {
  const xml = '<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion"'
    + ` ID="_${randomBytes(32).toString('hex')}" Version="2.0" IssueInstant="${instant(Date.now())}" Destination="${IDP_SSO_URL}"`
    + ` ProtocolBinding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" AssertionConsumerServiceURL="${ACS_URL}">`
    + `<saml:Issuer>${SP_ENTITY_ID}</saml:Issuer></samlp:AuthnRequest>`;
  const samlRequest = deflateRawSync(xml).toString('base64');
  return `${IDP_SSO_URL}?SAMLRequest=${encodeURIComponent(samlRequest)}&RelayState=${encodeURIComponent(relayState)}`;
}

const newEdgeSp = () => new SamlServiceProvider({
  entityId: SP_ENTITY_ID, acsUrl: ACS_URL, idp: { entityId: IDP_ENTITY_ID, ssoRedirectUrl: IDP_SSO_URL },
});

const newNodeSaml = () => new SAML({
  idpCert: 'unused: nothing is verified here',
  issuer: SP_ENTITY_ID,
  callbackUrl: ACS_URL,
  entryPoint: IDP_SSO_URL,
  validateInResponseTo: 'always',
  identifierFormat: null,
  disableRequestedAuthnContext: true,
});

const BUILDERS = [
  {
    id: 'edge-sso',
    name: 'edge-sso (wasm)',
    prepare: newEdgeSp,
    run: (sp) => { for (let i = 0; i < BATCH; i++) sp.authnRequest({ relayState: RELAY_STATE }); },
    one: async () => newEdgeSp().authnRequest({ relayState: RELAY_STATE }).url,
  },
  {
    id: 'node-saml',
    name: `@node-saml/node-saml ${require('@node-saml/node-saml/package.json').version}`,
    prepare: newNodeSaml,
    run: async (saml) => { for (let i = 0; i < BATCH; i++) await saml.getAuthorizeUrlAsync(RELAY_STATE, SP_HOST, {}); },
    one: () => newNodeSaml().getAuthorizeUrlAsync(RELAY_STATE, SP_HOST, {}),
  },
  {
    id: 'baseline',
    name: 'baseline (template + zlib)',
    prepare: () => null,
    run: () => { for (let i = 0; i < BATCH; i++) baselineRedirectUrl(RELAY_STATE); },
    one: async () => baselineRedirectUrl(RELAY_STATE),
  },
];

/** Decodes a redirect URL and checks it carries our AuthnRequest; returns its XML size. */
function checkRedirectUrl(name, url) {
  const u = new URL(url);
  const xml = inflateRawSync(Buffer.from(u.searchParams.get('SAMLRequest'), 'base64')).toString('utf8');
  const ok = u.origin + u.pathname === IDP_SSO_URL && u.searchParams.get('RelayState') === RELAY_STATE
    && xml.includes('AuthnRequest') && xml.includes(`AssertionConsumerServiceURL="${ACS_URL}"`) && xml.includes(SP_ENTITY_ID);
  if (!ok) throw new Error(`${name}: unexpected redirect URL ${url}`);
  return Buffer.byteLength(xml);
}

/** Timings and decoded XML sizes, keyed by implementation id (edge-sso first). */
export async function benchAuthn({ budget }) {
  const timings = {};
  const xmlBytes = {};
  for (const b of BUILDERS) {
    console.error(`[bench] AuthnRequest: ${b.name}`);
    xmlBytes[b.id] = checkRedirectUrl(b.name, await b.one());
    const timing = await timeBatches({ prepare: b.prepare, run: b.run, opsPerBatch: BATCH, ...budget.fast });
    timings[b.id] = { implementation: b.name, ...timing };
  }
  return { timings, xmlBytes };
}
