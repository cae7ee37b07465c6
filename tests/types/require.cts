// The `require` condition's declarations (index.d.cts), for CommonJS under nodenext.
import edgeSso = require('edge-sso');
import oauth = require('edge-sso/oauth');

const sp = new edgeSso.SamlServiceProvider({ entityId: 'https://sp.example', acsUrl: 'https://sp.example/acs', idp: { entityId: 'i' } });
const url: string = sp.authnRequest().url;
const challenge: string = oauth.pkceChallenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk');
const ready: Promise<void> = oauth.init();
export = { url, challenge, ready, isError: (e: unknown) => e instanceof edgeSso.EdgeSsoError };
