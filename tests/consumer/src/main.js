// What an app that installed edge-sso from npm writes: a bare import, resolved
// by the bundler through the package's "exports" (its `import` entry, which
// inlines the .wasm and compiles it at import: no top-level await).
import { createPkce, randomState, OAuthClient, SamlServiceProvider, encodeRedirect } from 'edge-sso';

const show = (id, text) => { document.getElementById(id).textContent = text; };

function run() {
  const pkce = createPkce();
  show('verifier', pkce.codeVerifier);
  show('challenge', pkce.codeChallenge);
  show('state', randomState());

  const client = new OAuthClient({
    authorizationEndpoint: 'https://op.example/authorize',
    tokenEndpoint: 'https://op.example/token',
    clientId: 'consumer-app',
    redirectUri: 'https://app.example/callback',
    scope: 'openid',
  });
  show('authorize-url', client.authorize().url);

  const sp = new SamlServiceProvider({
    entityId: 'https://app.example/saml',
    acsUrl: 'https://app.example/saml/acs',
    idp: { entityId: 'https://idp.example', ssoRedirectUrl: 'https://idp.example/sso' },
  });
  const sent = sp.authnRequest();
  show('authn-xml', sent.xml);
  show('authn-encoded', encodeRedirect(sent.xml));
  show('authn-url', sent.url);
}

try {
  run();
  show('status', 'ok');
  document.getElementById('status').dataset.state = 'ok';
} catch (e) {
  show('status', `${e.code ?? e.name}: ${e.message}`);
  document.getElementById('status').dataset.state = 'failed';
}
