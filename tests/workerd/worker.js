// A small edge worker: starts an OAuth login and checks the callback with
// edge-sso, keeping the flow in an HttpOnly cookie so any isolate can finish it.
import { OAuthClient, SamlServiceProvider, createPkce, decodePost, decodeRedirect, parseIdpMetadata, pkceChallenge, version } from 'edge-sso';

const COOKIE = '__Host-edge-sso-flow';
const CLEAR = `${COOKIE}=; Path=/; HttpOnly; Secure; SameSite=Lax; Max-Age=0`;

function client(origin) {
  return new OAuthClient({
    authorizationEndpoint: 'https://op.example/authorize',
    tokenEndpoint: 'https://op.example/token',
    clientId: 'edge-worker',
    redirectUri: `${origin}/callback`,
    issuer: 'https://op.example',
    issParameterSupported: true,
    scope: 'openid',
  });
}

// Stands in for the OP's token response (this test has no OP): an ID token
// with the nonce that was sent, unsigned as far as edge-sso cares (it checks
// the claims of ID tokens fetched from the token endpoint, not signatures).
function fakeIdToken(nonce) {
  const b64u = (o) => btoa(JSON.stringify(o)).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
  const now = Math.floor(Date.now() / 1000);
  return `${b64u({ alg: 'RS256' })}.${b64u({ iss: 'https://op.example', sub: 'alice', aud: 'edge-worker', exp: now + 300, iat: now, nonce })}.sig`;
}

function json(status, body, headers = {}) {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
}

function readCookie(request) {
  const header = request.headers.get('cookie') ?? '';
  for (const part of header.split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === COOKIE) return JSON.parse(decodeURIComponent(v.join('=')));
  }
  return null;
}

export default {
  async fetch(request) {
    const url = new URL(request.url);
    try {
      if (url.pathname === '/pkce') {
        const p = createPkce();
        return json(200, { ...p, recomputed: pkceChallenge(p.codeVerifier), version: version() });
      }
      if (url.pathname === '/saml/authn') {
        // The Orange flow's first step: an AuthnRequest for the redirect binding.
        const sp = new SamlServiceProvider({
          entityId: 'https://sp.example/metadata', acsUrl: 'https://sp.example/acs',
          idp: {
            entityId: url.searchParams.get('idp') ?? 'https://idp.example',
            ssoRedirectUrl: url.searchParams.get('sso') ?? 'https://idp.example/sso',
          },
        });
        const sent = sp.authnRequest({
          nameIdPolicy: { format: 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent', allowCreate: true },
          relayState: url.searchParams.get('relay') ?? undefined,
        });
        const value = new URL(sent.url).searchParams.get('SAMLRequest');
        return json(200, { id: sent.id, url: sent.url, xml: sent.xml, roundTrip: decodeRedirect(value) === sent.xml });
      }
      if (url.pathname === '/saml/metadata-and-logout' && request.method === 'POST') {
        // IdP metadata in, SP metadata and a LogoutRequest out, a POST form, and a bomb refused.
        const { idpMetadataXml, now, bomb } = await request.json();
        const sp = new SamlServiceProvider({
          entityId: 'https://sp.example/metadata', acsUrl: 'https://sp.example/acs', sloUrl: 'https://sp.example/slo', idpMetadataXml, now,
        });
        const logout = sp.logoutRequest({ nameId: 'alice', sessionIndexes: ['s1'], relayState: '/bye' });
        const post = sp.authnRequest({ binding: 'post', relayState: '"><script>' });
        let bombCode;
        try { decodeRedirect(bomb); } catch (e) { bombCode = e.code; }
        return json(200, {
          idp: parseIdpMetadata(idpMetadataXml, { now }),
          spMetadata: sp.metadataXml(),
          logoutUrl: logout.url,
          logoutId: logout.id,
          postHtml: post.html,
          postRoundTrip: decodePost(post.samlRequest) === post.xml,
          bombCode,
        });
      }
      if (url.pathname === '/saml/validate' && request.method === 'POST') {
        // Test-only: the SP configuration comes in the body; the response as posted to an ACS.
        const { sp: config, samlResponse, options } = await request.json();
        const sp = new SamlServiceProvider(config);
        const v = sp.validateResponse(samlResponse, options);
        let again = null;
        try { sp.validateResponse(samlResponse, options); } catch (e) { again = e.code; }
        return json(200, { nameId: v.nameId, issuer: v.issuer, token: v.orangeApiToken, attributes: v.attributes, again });
      }
      if (url.pathname === '/saml/verify-redirect' && request.method === 'POST') {
        // Test-only: the fixture's SP configuration comes in the request body.
        const { sp: config, url: messageUrl, options } = await request.json();
        const sp = new SamlServiceProvider(config);
        const v = sp.verifyRedirect(messageUrl, options);
        let again = null;
        try { sp.verifyRedirect(messageUrl, options); } catch (e) { again = e.code; }
        return json(200, { kind: v.kind, id: v.id, relayState: v.relayState, signed: v.signed, again });
      }
      if (url.pathname === '/login') {
        const start = client(url.origin).authorize({ nonce: true, carry: true });
        const flow = { s: start.state, v: start.codeVerifier, n: start.nonce, e: start.expiresAt, m: start.maxAge };
        const cookie = `${COOKIE}=${encodeURIComponent(JSON.stringify(flow))}; Path=/; HttpOnly; Secure; SameSite=Lax; Max-Age=600`;
        return new Response(null, { status: 302, headers: { location: start.url, 'set-cookie': cookie } });
      }
      if (url.pathname === '/callback') {
        const flow = readCookie(request);
        if (!flow) return json(400, { code: 'flow.cookie_missing' }, { 'set-cookie': CLEAR });
        const c = client(url.origin); // a fresh instance: nothing in memory from /login
        const response = c.handleCallback(request.url, {
          expectedState: flow.s, codeVerifier: flow.v, nonce: flow.n, expiresAt: flow.e, maxAge: flow.m,
        });
        const tokenRequest = c.tokenRequest(response);
        const body = new URLSearchParams(tokenRequest.body);
        // A real worker would now fetch(tokenRequest.url, tokenRequest) and call
        // c.acceptTokenResponse(await res.text(), { status: res.status }).
        const info = c.acceptTokenResponse(
          { access_token: 'worker-at', token_type: 'Bearer', expires_in: 60, id_token: fakeIdToken(flow.n) },
          { status: 200 });
        return json(200, {
          state: response.state,
          nonceMatches: response.nonce === flow.n,
          tokenUrl: tokenRequest.url,
          grantType: body.get('grant_type'),
          verifierMatches: body.get('code_verifier') === flow.v,
          tokenInfo: info,
          headerScheme: c.authorizationHeader().split(' ')[0],
          subject: c.idTokenClaims().sub,
        }, { 'set-cookie': CLEAR });
      }
      return json(404, { code: 'not_found' });
    } catch (e) {
      // The flow cookie is cleared on every outcome: one callback per login.
      const headers = url.pathname === '/callback' ? { 'set-cookie': CLEAR } : {};
      return json(400, { code: e.code ?? 'internal', message: e.message }, headers);
    }
  },
};
