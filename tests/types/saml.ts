// What the full package's declarations promise, compiled by tests/js/types.test.mjs
// (tsc --strict, bundler and nodenext) against the packed tarball. Each
// `@ts-expect-error` is a misuse the types must refuse.
import {
  SamlServiceProvider, parseIdpMetadata, decodeRedirect, EdgeSsoError, init,
  type SentAuthnRequest, type SentRedirectAuthnRequest, type SentPostAuthnRequest, type VerifiedRedirect,
} from 'edge-sso';
import * as oauthOnly from 'edge-sso/oauth';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true : false;
const same = <A, B>(_: Equal<A, B>) => {};

await init();
same<ReturnType<typeof init>, Promise<void>>(true);

const sp = new SamlServiceProvider({
  entityId: 'https://sp.example', acsUrl: 'https://sp.example/acs',
  idp: { entityId: 'https://idp.example', ssoRedirectUrl: 'https://idp.example/sso', certificates: ['PEM'] },
});

// Every options argument may be left out.
sp.validateResponse('PHNhbWxwOlJlc3BvbnNlLz4=');
sp.verifyRedirect('https://sp.example/slo?SAMLRequest=x');
sp.readLogoutResponse('PHNhbWxwOkxvZ291dFJlc3BvbnNlLz4=');
sp.metadataXml();
parseIdpMetadata('<EntityDescriptor/>');
const store = { remember: async (_id: string, _until: number) => true };
void sp.validateResponseWithStore('PHNhbWxwOlJlc3BvbnNlLz4=', store);
// @ts-expect-error the store is not optional
void sp.validateResponseWithStore('PHNhbWxwOlJlc3BvbnNlLz4=');
// @ts-expect-error the response is not optional
sp.validateResponse();
// @ts-expect-error an options object, not a bare value
sp.validateResponse('x', 5);

// authnRequest, typed by binding.
same<ReturnType<typeof sp.authnRequest>, SentAuthnRequest>(true); // the last overload, for an unknown binding
const byDefault = sp.authnRequest();
same<typeof byDefault, SentRedirectAuthnRequest>(true);
same<typeof byDefault.url, string>(true);
const redirect = sp.authnRequest({ binding: 'redirect', relayState: '/r', forceAuthn: true });
same<typeof redirect.url, string>(true);
same<typeof redirect.html, undefined>(true);
const post = sp.authnRequest({ binding: 'post' });
same<typeof post, SentPostAuthnRequest>(true);
same<[typeof post.action, typeof post.samlRequest, typeof post.html, typeof post.url], [string, string, string, undefined]>(true);
declare const binding: 'redirect' | 'post';
const either = sp.authnRequest({ binding });
same<typeof either, SentAuthnRequest>(true);
same<typeof either.url, string | undefined>(true);
if (either.binding === 'post') same<typeof either.html, string>(true);
else same<typeof either.url, string>(true);
// @ts-expect-error not a binding
sp.authnRequest({ binding: 'artifact' });
// @ts-expect-error not an option
sp.authnRequest({ bindings: 'post' });

const msg: VerifiedRedirect = sp.verifyRedirect('https://sp.example/slo?SAMLRequest=x', { allowUnsigned: true });
same<typeof msg.status, { code: string; secondLevel?: string; message?: string; success: boolean } | undefined>(true);
same<ReturnType<typeof sp.toJSON>, { entityId: string; acsUrl: string; idpEntityId: string }>(true);
decodeRedirect('x');

// EdgeSsoError: a class, `instanceof` narrows, from either entry.
try {
  sp.validateResponse('x');
} catch (e) {
  // @ts-expect-error unknown until narrowed
  void e.code;
  if (e instanceof EdgeSsoError) {
    same<typeof e.code, string>(true);
    same<typeof e.name, 'EdgeSsoError'>(true);
    same<typeof e.statusCode, string | undefined>(true); // saml.status.not_success
    same<typeof e.errorDescription, string | undefined>(true);
    const asError: Error = e;
    void asError;
  }
  if (e instanceof oauthOnly.EdgeSsoError) same<typeof e.code, string>(true);
}
const made = new EdgeSsoError('arg.invalid', 'message', { cause: new Error('inner') });
same<typeof made.code, string>(true);

// `using` frees at the end of the scope (explicit resource management: [Symbol.dispose]).
const freeing: { [Symbol.dispose](): void } = sp;
void freeing;
