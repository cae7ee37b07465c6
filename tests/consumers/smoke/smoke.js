// The same smoke in every consumer of the packed package (bundlers, browsers,
// runtimes): what a first hour with edge-sso does. `sso` is the namespace the
// consumer imported (`import * as sso from 'edge-sso'`, or require'd) and
// `oauth` the OAuth-only entry's (`edge-sso/oauth`), so that every toolchain
// resolves both (`undefined` where a consumer takes one entry only: its
// `oauthEntry` step is left out); the answer is plain data the harness compares. Uses nothing but the package
// and the platform's atob/TextDecoder, so it runs wherever the package does.
import { fixture } from './fixture.js';

/**
 * Runs the smoke.
 * @param {object} sso the edge-sso module namespace
 * @param {object} [oauth] the edge-sso/oauth module namespace
 * @returns {{ ok: boolean, steps: Record<string, unknown>, failed?: string }}
 */
export function smoke(sso, oauth) {
  const steps = {};
  const step = (name, f) => {
    steps[name] = f();
  };
  try {
    step('pkce', () => {
      const { codeVerifier, codeChallenge, codeChallengeMethod } = sso.createPkce();
      return { verifierLength: codeVerifier.length, challengeLength: codeChallenge.length, codeChallengeMethod,
        rfc7636: sso.pkceChallenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk') };
    });
    step('authorize', () => {
      const client = new sso.OAuthClient({
        authorizationEndpoint: 'https://op.example/authorize',
        tokenEndpoint: 'https://op.example/token',
        clientId: 'consumer-app',
        redirectUri: 'https://app.example/callback',
        scope: 'openid',
      });
      const url = new URL(client.authorize({ nonce: true }).url);
      return { origin: url.origin + url.pathname, method: url.searchParams.get('code_challenge_method'),
        client: url.searchParams.get('client_id') };
    });
    if (oauth !== undefined) step('oauthEntry', () => {
      // The OAuth-only module: its own instance, no SAML, the same errors.
      const client = new oauth.OAuthClient({
        authorizationEndpoint: 'https://op.example/authorize',
        tokenEndpoint: 'https://op.example/token',
        clientId: 'consumer-app',
        redirectUri: 'https://app.example/callback',
      });
      const url = new URL(client.authorize().url);
      let refused;
      try {
        oauth.pkceChallenge('too-short');
      } catch (e) {
        refused = { edgeSsoError: e instanceof oauth.EdgeSsoError, code: e.code };
      }
      return { rfc7636: oauth.pkceChallenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk'),
        method: url.searchParams.get('code_challenge_method'), saml: 'SamlServiceProvider' in oauth, refused };
    });
    const sp = new sso.SamlServiceProvider({
      entityId: fixture.sp.entityId,
      acsUrl: fixture.sp.acsUrl,
      idp: { entityId: fixture.idpEntityId, ssoRedirectUrl: 'https://idp.example/sso', certificates: [fixture.certificate] },
    });
    step('authnRequest', () => {
      const url = new URL(sp.authnRequest().url);
      const xml = sso.decodeRedirect(url.searchParams.get('SAMLRequest'));
      return { origin: url.origin + url.pathname, acs: /AssertionConsumerServiceURL="([^"]*)"/.exec(xml)?.[1] };
    });
    const options = { now: fixture.now, expectedRequestId: fixture.expectedRequestId };
    step('validated', () => {
      const v = sp.validateResponse(fixture.responseBase64, options);
      return { nameId: v.nameId, issuer: v.issuer };
    });
    step('tampered', () => {
      // One character of the signed NameID changed: the digest no longer matches.
      const xml = new TextDecoder().decode(Uint8Array.from(atob(fixture.responseBase64), (ch) => ch.charCodeAt(0)));
      const forged = xml.replace(fixture.nameId, `X${fixture.nameId.slice(1)}`);
      if (forged === xml) return { thrown: 'the fixture lost its NameID' };
      const bytes = new TextEncoder().encode(forged);
      const b64 = btoa(Array.from(bytes, (b) => String.fromCharCode(b)).join(''));
      try {
        sp.validateResponse(b64, options);
        return { thrown: false };
      } catch (e) {
        return { thrown: true, edgeSsoError: e instanceof sso.EdgeSsoError, name: e.name, code: e.code };
      }
    });
    return { ok: true, steps };
  } catch (e) {
    return { ok: false, steps, failed: `${e?.code ?? e?.name}: ${e?.message}` };
  }
}

/** What every consumer must answer; the harness compares `smoke(sso, oauth)` with it (less `oauthEntry` for `smoke(sso)`). */
export const expected = {
  pkce: { verifierLength: 64, challengeLength: 43, codeChallengeMethod: 'S256', rfc7636: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM' },
  authorize: { origin: 'https://op.example/authorize', method: 'S256', client: 'consumer-app' },
  oauthEntry: { rfc7636: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', method: 'S256', saml: false,
    refused: { edgeSsoError: true, code: 'pkce.verifier_invalid' } },
  authnRequest: { origin: 'https://idp.example/sso', acs: fixture.sp.acsUrl },
  validated: { nameId: fixture.nameId, issuer: fixture.idpEntityId },
  tampered: { thrown: true, edgeSsoError: true, name: 'EdgeSsoError', code: 'saml.signature.digest_mismatch' },
};
