// What edge-sso/oauth's declarations promise (see saml.ts).
import { OAuthClient, AuthorizationResponse, createPkce, pkceChallenge, EdgeSsoError, init } from 'edge-sso/oauth';
// @ts-expect-error SAML is not in the OAuth-only module
import { SamlServiceProvider } from 'edge-sso/oauth';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true : false;
const same = <A, B>(_: Equal<A, B>) => {};
void SamlServiceProvider;

await init();
const client = new OAuthClient({
  authorizationEndpoint: 'https://op.example/authorize', tokenEndpoint: 'https://op.example/token',
  clientId: 'app', redirectUri: 'https://app.example/cb',
});
// @ts-expect-error redirectUri is required
new OAuthClient({ authorizationEndpoint: 'https://op.example/a', tokenEndpoint: 'https://op.example/t', clientId: 'app' });
const start = client.authorize();
same<typeof start.url, string>(true);
const response = client.handleCallback('https://app.example/cb?code=c&state=s');
same<typeof response, AuthorizationResponse>(true);
const req = client.tokenRequest(response);
same<typeof req.method, 'POST'>(true);
same<ReturnType<typeof createPkce>['codeChallengeMethod'], 'S256'>(true);
// @ts-expect-error plain is refused
createPkce({ method: 'plain' });
pkceChallenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk');
try {
  client.authorizationHeader();
} catch (e) {
  if (e instanceof EdgeSsoError) {
    same<typeof e.error, string | undefined>(true);
    // @ts-expect-error the SAML status fields are the full package's
    void e.statusCode;
  }
}
