// The public declarations of the OAuth API (js/oauth-api.js, which
// `edge-sso` and `edge-sso/oauth` export): scripts/build.sh puts them in each
// entry's index.d.ts, and tests/js/types.test.mjs checks with tsc that the
// implementation matches them and that the implementation's calls match the
// module's raw exports.
declare global {
  interface SymbolConstructor {
    /** The classes' `[Symbol.dispose]()` (explicit resource management, `using`) is their `free()`.
     * Declared here too, as lib.esnext.disposable and @types/node do, so that these types compile
     * with any `lib`. */
    readonly dispose: unique symbol;
  }
}
/** Configuration of a public OAuth client. There is no field for a secret. */
export interface OAuthClientConfig {
  authorizationEndpoint: string;
  tokenEndpoint: string;
  clientId: string;
  /** Matched exactly (scheme/host case-insensitively, default ports) on callback. */
  redirectUri: string;
  /** The issuer identifier, compared with the callback's `iss` (RFC 9207). */
  issuer?: string;
  /** The issuer's `authorization_response_iss_parameter_supported`: then `iss` is required. */
  issParameterSupported?: boolean;
  /** Default scope, e.g. "openid profile". */
  scope?: string;
  /** Accept DPoP-bound tokens (token_type "DPoP") instead of bearer tokens (without proofs: see `dpopKeyPair`). */
  dpop?: boolean;
  /** How long a started authorization stays valid (ms, default 600000). */
  pendingTtlMs?: number;
  /** The UserInfo endpoint (OIDC Core §5.3), for `userinfoRequest`. */
  userinfoEndpoint?: string;
  /** The revocation endpoint (RFC 7009), for `revocationRequest`. */
  revocationEndpoint?: string;
  /** The end-session endpoint (OIDC RP-Initiated Logout), for `logoutUrl`. */
  endSessionEndpoint?: string;
  /** The pushed authorization request endpoint (RFC 9126), for `pushedAuthorizationRequest`. */
  pushedAuthorizationRequestEndpoint?: string;
  /** The server accepts only pushed authorization requests: `authorize()` is then refused. */
  requirePushedAuthorizationRequests?: boolean;
  /** The clock difference allowed with the issuer for the ID token's times (seconds, default 120, at most 3600). */
  clockSkewSeconds?: number;
  /**
   * DPoP (RFC 9449) with this key pair: `crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' },
   * false, ['sign'])`. The private key must be non-extractable; the module never sees it: it builds each
   * proof and this key signs it. Tokens must then be DPoP-bound, and the methods that make a proof return
   * Promises.
   */
  dpopKeyPair?: CryptoKeyPair;
}
/** What `OAuthClient.fromMetadata` takes beside the metadata; the endpoints come from the metadata. */
export interface FromMetadataConfig {
  /** The issuer the metadata was fetched for: its `issuer` must be exactly this. */
  issuer: string;
  clientId: string;
  redirectUri: string;
  scope?: string;
  pendingTtlMs?: number;
  /** As in `OAuthClientConfig`. */
  clockSkewSeconds?: number;
  dpopKeyPair?: CryptoKeyPair;
}
/** `Promise<T>` for a client with a `dpopKeyPair` (WebCrypto signs its proofs, asynchronously), else `T`. */
export type MaybeAsync<C, T> = C extends { dpopKeyPair: CryptoKeyPair } ? Promise<T>
  : "dpopKeyPair" extends keyof C ? T | Promise<T> : T;
export interface AuthorizeOptions {
  scope?: string;
  /** Send an OpenID Connect nonce (generated from the CSPRNG). */
  nonce?: boolean;
  /** Extra parameters (prompt, login_hint, resource, ...). The client's own are refused. With `max_age`
   * (seconds), the ID token must carry an `auth_time` no older (OIDC Core §3.1.2.1). */
  extraParams?: Record<string, string>;
  /** PKCE verifier length, 43–128 (default 64). */
  verifierLength?: number;
  /** Also return `codeVerifier` (and `scope`), for a caller that keeps the flow itself
   * (an HttpOnly cookie in an edge worker). Without it the verifier never leaves the module. */
  carry?: boolean;
  now?: number;
}
/** A started authorization. With `carry: true`, keep `state`/`codeVerifier`/`nonce`/`expiresAt`/`scope`/`maxAge`
 * yourself if this client instance will not see the callback. */
export interface AuthorizationRequest {
  url: string; state: string;
  /** The nonce sent; with `carry: true`, `null` when none was sent (hand it back as it is). */
  nonce?: string | null;
  codeVerifier?: string; scope?: string; expiresAt: number;
  /** With `carry: true`, the `max_age` sent, or `null` when none was (hand it back as it is). */
  maxAge?: number | null;
}
export interface CallbackOptions {
  now?: number;
  /** The state you carried (e.g. in an HttpOnly cookie); requires `codeVerifier` and `nonce`. */
  expectedState?: string;
  codeVerifier?: string;
  /** Required with `expectedState`: the nonce authorize() returned, or null if none was sent. */
  nonce?: string | null;
  /** Required with `expectedState`: the expiresAt authorize() returned. */
  expiresAt?: number;
  scope?: string;
  /** Required with `expectedState`: the maxAge authorize() returned, or null if no `max_age` was sent. */
  maxAge?: number | null;
}
/** An HTTP request for your `fetch` (or `client.send`). The body holds a code or a token: send it, do not log it.
 * With DPoP, `headers.dpop` holds its proof. */
export interface TokenHttpRequest { url: string; method: "POST"; headers: Record<string, string>; body: string; }
/** A request to a protected resource: `authorization` holds the access token (`Bearer …` or `DPoP …`) and, with
 * DPoP, `dpop` a proof bound to it. Send it, do not store or log it. */
export interface ResourceHttpRequest { url: string; method: string; headers: { authorization: string; dpop?: string }; }
/** A pushed authorization request: `request` for the PAR endpoint, and the flow it starts. */
export interface PushedAuthorizationRequest {
  request: TokenHttpRequest; state: string; nonce?: string | null;
  codeVerifier?: string; scope?: string; expiresAt: number; maxAge?: number | null;
}
export interface ResourceRequestOptions { /** Default "GET"; in upper case (DELETE, GET, HEAD, OPTIONS, POST and PUT are upper-cased, as fetch does). */ method?: string; now?: number; }
export interface UserinfoOptions { status?: number; contentType?: string; wwwAuthenticate?: string; }
export interface ParResponseOptions { status?: number; }
export interface RevocationOptions { /** Default: the refresh token when one is held, else the access token. */ token?: "refresh_token" | "access_token"; }
export interface LogoutUrlOptions {
  postLogoutRedirectUri?: string; state?: string; uiLocales?: string;
  /** Put the ID token in the URL (`id_token_hint`). Off by default: URLs end up in history and logs. */
  idTokenHint?: boolean;
}
export interface SendInit { /** Default `globalThis.fetch`. */ fetch?: (input: string, init: RequestInit) => Promise<Response>; }
export interface DiscoveryUrlOptions { /** Default "openid-configuration". */ kind?: "openid-configuration" | "oauth-authorization-server"; }
/** Public facts about the tokens held: never the tokens. */
export interface TokenInfo { tokenType: "Bearer" | "DPoP"; expiresAt?: number; scope?: string; hasRefreshToken: boolean; hasIdToken: boolean; }
export interface TokenResponseOptions {
  now?: number;
  /** The response's `DPoP-Nonce` header, when you give the body as text (a Response's is read). */
  dpopNonce?: string;
  /** The HTTP status of the token response (read from a Response). */
  status?: number;
  /** The request this answers; needed when several token requests await an answer. */
  request?: TokenHttpRequest;
}
export interface RefreshOptions { scope?: string; }
export interface TimeOptions { now?: number; }
export interface NeedsRefreshOptions { now?: number; /** Default 60. */ leewaySeconds?: number; }
/** A PKCE pair (RFC 7636). `codeChallengeMethod` is always `"S256"`. */
export interface PkcePair { codeVerifier: string; codeChallenge: string; codeChallengeMethod: "S256"; }
/** Options of `createPkce`. */
export interface PkceOptions { /** 43–128, default 64. */ length?: number; /** Only "S256"; "plain" is refused. */ method?: "S256"; }
/**
 * Every error edge-sso throws or rejects with: a stable `code` (the README's "Errors" lists them) and a
 * message for people. `instanceof EdgeSsoError` holds for every one of them, whichever entry
 * (`edge-sso`, `edge-sso/oauth`), build (ESM, CommonJS) or realm it came from: it checks the name
 * and the code, not the prototype.
 */
export class EdgeSsoError extends Error {
  constructor(code: string, message: string, options?: { cause?: unknown });
  name: "EdgeSsoError";
  /** A stable code, e.g. `oauth.state.mismatch`, `saml.signature.invalid`, `runtime.wasm_unavailable`. */
  code: string;
  /** `oauth.authorization.error`, `oauth.token.error`: the response's RFC 6749 `error`. */
  error?: string;
  /** Its `error_description`, if any. */
  errorDescription?: string;
  /** Its `error_uri`, if any. */
  errorUri?: string;
  /** Whether `value` is an error edge-sso made: an `Error` named "EdgeSsoError" with a string `code`. */
  static [Symbol.hasInstance](value: unknown): value is EdgeSsoError;
}
/**
 * Resolves once the module can be called. Every runtime but Chromium before 114 on a page's main
 * thread compiles it at import, so awaiting this is needed only there and harmless everywhere.
 * Rejects with the `EdgeSsoError` every call would throw when the module cannot run here
 * (`runtime.wasm_unavailable`, `runtime.wasm_refused`, `runtime.wasm_simd_missing`).
 */
export function init(): Promise<void>;

/**
 * A public OAuth 2.0 client (authorization code + PKCE S256) with its pending
 * authorizations and its token vault, all inside the wasm instance.
 */
export class OAuthClient<C extends OAuthClientConfig | FromMetadataConfig = OAuthClientConfig> {
  /** Checks the configuration (https endpoints, no secret) and creates the client. */
  constructor(config: C);
  /** A client configured from an issuer's metadata (discovery document), after checking that it names `issuer`
   * exactly, that its endpoints are https and that it supports PKCE S256; its RFC 9207, PAR, UserInfo,
   * revocation and end-session settings are carried over. */
  static fromMetadata<C extends FromMetadataConfig>(metadata: Response, config: C): Promise<OAuthClient<C>>;
  static fromMetadata<C extends FromMetadataConfig>(metadata: string | object, config: C): OAuthClient<C>;
  /** Builds the authorization URL and remembers the flow (one-time, expiring). */
  authorize(options?: AuthorizeOptions): AuthorizationRequest;
  /** The pushed authorization request (RFC 9126) for `send`, and the flow it starts. */
  pushedAuthorizationRequest(options?: AuthorizeOptions): MaybeAsync<C, PushedAuthorizationRequest>;
  /** The authorization URL (`client_id` and `request_uri`) from the PAR endpoint's answer. */
  acceptParResponse(body: Response, options?: ParResponseOptions): Promise<string>;
  acceptParResponse(body: string | object, options?: ParResponseOptions): string;
  /** Checks a callback URL: redirect URI, structure, `iss`, `state` (one-time), then `error`.
   * The response holds the code until `tokenRequest`; a client keeps at most its 128 latest. */
  handleCallback(url: string, options?: CallbackOptions): AuthorizationResponse;
  /** The token request for a validated response (consumes it). */
  tokenRequest(response: AuthorizationResponse): MaybeAsync<C, TokenHttpRequest>;
  /** The refresh request (`grant_type=refresh_token`) for your `fetch`. */
  refreshRequest(options?: RefreshOptions): MaybeAsync<C, TokenHttpRequest>;
  /** Validates the token endpoint's response (a fetch Response, the body text, or the parsed object) and stores the
   * tokens. Each answer is checked against its own request; a refresh answered after the grant changed, or a login
   * answered after a newer one's, is refused. */
  acceptTokenResponse(body: Response, options?: TokenResponseOptions): Promise<TokenInfo>;
  acceptTokenResponse(body: string | object, options?: TokenResponseOptions): TokenInfo;
  /** Sends a request this client made, following no redirect (Node returns a 3xx as it is, a browser an
   * opaque-redirect response with status 0); with DPoP, keeps the server's nonce and retries once when it asks. */
  send(request: TokenHttpRequest | ResourceHttpRequest, init?: SendInit): Promise<Response>;
  /** The UserInfo request (GET with the access token) for `send`. */
  userinfoRequest(options?: TimeOptions): MaybeAsync<C, ResourceHttpRequest>;
  /** Checks the UserInfo answer (JSON only, `sub` equal to the ID token's) and returns its claims. */
  acceptUserinfo(body: Response, options?: UserinfoOptions): Promise<Record<string, unknown> & { sub: string }>;
  acceptUserinfo(body: string | object, options?: UserinfoOptions): Record<string, unknown> & { sub: string };
  /** A request to a protected resource with the access token (with DPoP, a proof bound to it by `ath`). */
  resourceRequest(url: string, options?: ResourceRequestOptions): MaybeAsync<C, ResourceHttpRequest>;
  /** The revocation request (RFC 7009) for `send`. */
  revocationRequest(options?: RevocationOptions): TokenHttpRequest;
  /** The RP-Initiated Logout URL (`client_id`, `post_logout_redirect_uri`, `state`; the ID token only with
   * `idTokenHint: true`). */
  logoutUrl(options?: LogoutUrlOptions): string;
  /** `"Bearer <token>"` for an API call's `Authorization` header: send it, do not store or log it. */
  authorizationHeader(options?: TimeOptions): string;
  /** Whether the access token should be refreshed (none held, or expiring within the leeway). */
  needsRefresh(options?: NeedsRefreshOptions): boolean;
  /** Public facts about the held tokens, or `null`. */
  tokenInfo(): TokenInfo | null;
  /** The validated claims of the held ID token (`sub`, `email`, ...), or `null`. */
  idTokenClaims(): Record<string, unknown> | null;
  /** Forgets (and zeroizes) every token, pending authorization and unredeemed response. */
  clear(): void;
  /** Configuration and token facts; never a token. */
  toJSON(): { clientId: string; redirectUri: string; issuer?: string; tokenInfo: TokenInfo | null };
  toString(): string;
  /** Frees the client's memory in the module now (tokens and codes wiped); the client cannot be used afterwards. */
  free(): void;
  [Symbol.dispose](): void;
}
/** A callback that passed every check; pass it to `tokenRequest` (once). */
export class AuthorizationResponse {
  private constructor();
  /** The state that matched. */
  readonly state: string;
  /** The nonce sent with this authorization, if any (to check an ID token's `nonce`). */
  readonly nonce: string | undefined;
  /** The `iss` parameter, already checked against the configured issuer. */
  readonly iss: string | undefined;
  /** Whether this response can no longer be redeemed: `tokenRequest` consumed it, or it was freed or
   * cleared, or 128 later callbacks of its client pushed it out, or its client was freed. */
  readonly consumed: boolean;
  /** Public fields only: the authorization code is never serialized. */
  toJSON(): { state: string; iss?: string; consumed: boolean };
  toString(): string;
  /** Drops the response now (its code wiped) instead of when the client drops it. */
  free(): void;
  [Symbol.dispose](): void;
}
/** Generates a PKCE verifier (43–128 chars from the CSPRNG, default 64) and its S256 challenge. */
export function createPkce(options?: PkceOptions): PkcePair;
/** The S256 challenge of a verifier, after checking it against RFC 7636 §4.1. `method` may only be "S256". */
export function pkceChallenge(verifier: string, method?: string): string;
/** 256 random bits, base64url: a fresh OAuth `state`. */
export function randomState(): string;
/** 256 random bits, base64url: a fresh OpenID Connect `nonce`. */
export function randomNonce(): string;
/** The crate version, for diagnostics. */
export function version(): string;
/** The URL of an issuer's metadata: OpenID Connect Discovery's (`issuer` + `/.well-known/openid-configuration`)
 * or RFC 8414's (`/.well-known/oauth-authorization-server` inserted before the issuer's path). */
export function discoveryUrl(issuer: string, options?: DiscoveryUrlOptions): string;
