// The three SAML Response validators under test, behind one shape:
//   id (stable, for JSON), name (shown, with the version)
//   prepare({ variant, cert, count }) -> validator (untimed: a fresh instance
//     that has "sent" requests _req0.._req<count-1>)
//   validator.validate(base64, i) -> NameID (a promise for the async peers)
//
// Each is configured to do the same checks as edge-sso as far as it allows.
// What the peers do NOT check (read from their 5.1.0 / 2.13.1 sources, and
// re-probed at every run by bench/saml.mjs with re-signed wrong responses):
//   @node-saml/node-saml: Destination, Issuer (its `idpIssuer` is only used
//     for logout and redirect messages), SubjectConfirmation Method bearer
//     and Recipient, Status when an assertion is present, SessionNotOnOrAfter,
//     assertion-ID replay (a solicited response is still one-time, because
//     the InResponseTo cache entry is removed once used).
//   samlify: Audience, Destination, Recipient, InResponseTo (it has no request
//     store), SubjectConfirmationData NotOnOrAfter, SubjectConfirmation Method,
//     replay; `wantAssertionsSigned` only goes into SP metadata, either
//     signature is accepted. Its schema validator is stubbed to resolve at
//     once (edge-sso does no XSD validation either).
import { createRequire } from 'node:module';
import { SamlServiceProvider } from 'edge-sso';
import { SAML } from '@node-saml/node-saml';
import * as samlify from 'samlify';
import { ACS_URL, IDP_ENTITY_ID, IDP_SSO_URL, SP_ENTITY_ID } from './saml-inputs.mjs';

const require = createRequire(import.meta.url);
const versionOf = (name) => require(`${name}/package.json`).version;

/** edge-sso's default clock skew, given to the peers too. */
const CLOCK_SKEW_MS = 180_000;
const POST = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST';
const REDIRECT = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect';
const requestId = (i) => `_req${i}`;

samlify.setSchemaValidator({ validate: async () => 'skipped' });

const edgeSso = {
  id: 'edge-sso',
  name: 'edge-sso (wasm)',
  sync: true,
  prepare({ cert }) {
    const sp = new SamlServiceProvider({
      entityId: SP_ENTITY_ID, acsUrl: ACS_URL,
      idp: { entityId: IDP_ENTITY_ID, ssoRedirectUrl: IDP_SSO_URL, certificates: [cert] },
    });
    return { validate: (b64, i) => sp.validateResponse(b64, { expectedRequestId: requestId(i) }).nameId };
  },
};

const nodeSaml = {
  id: 'node-saml',
  name: `@node-saml/node-saml ${versionOf('@node-saml/node-saml')}`,
  sync: false,
  async prepare({ variant, cert, count }) {
    const saml = new SAML({
      idpCert: cert,
      issuer: SP_ENTITY_ID,
      callbackUrl: ACS_URL,
      audience: SP_ENTITY_ID,
      idpIssuer: IDP_ENTITY_ID,
      acceptedClockSkewMs: CLOCK_SKEW_MS,
      validateInResponseTo: 'always',
      // Require exactly the signature the variant carries (its default
      // demands a signed Response, which would refuse the assertion variant).
      wantAssertionsSigned: variant.signed === 'Assertion',
      wantAuthnResponseSigned: variant.signed === 'Response',
    });
    // What getAuthorizeUrlAsync would have stored for each request it sent.
    const sentAt = new Date().toISOString();
    for (let i = 0; i < count; i++) await saml.cacheProvider.saveAsync(requestId(i), sentAt);
    return { validate: async (b64) => (await saml.validatePostResponseAsync({ SAMLResponse: b64 })).profile.nameID };
  },
};

const samlifyPeer = {
  id: 'samlify',
  name: `samlify ${versionOf('samlify')}`,
  sync: false,
  prepare({ variant, cert }) {
    const idp = samlify.IdentityProvider({
      entityID: IDP_ENTITY_ID,
      signingCert: cert,
      singleSignOnService: [{ Binding: REDIRECT, Location: IDP_SSO_URL }],
      // Not used here; without one samlify warns on every construction.
      singleLogoutService: [{ Binding: REDIRECT, Location: `${IDP_SSO_URL}/slo` }],
    });
    const sp = samlify.ServiceProvider({
      entityID: SP_ENTITY_ID,
      assertionConsumerService: [{ Binding: POST, Location: ACS_URL }],
      wantAssertionsSigned: variant.signed === 'Assertion',
      clockDrifts: [-CLOCK_SKEW_MS, CLOCK_SKEW_MS],
    });
    return {
      validate: async (b64) => (await sp.parseLoginResponse(idp, 'post', { body: { SAMLResponse: b64 } })).extract.nameID,
    };
  },
};

/** edge-sso first: the peers' ratios are against it. */
export const VALIDATORS = [edgeSso, nodeSaml, samlifyPeer];
