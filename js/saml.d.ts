// The public declarations of the SAML API (js/saml-api.js, which `edge-sso`
// exports): scripts/build.sh appends them to js/oauth.d.ts in the full
// package's index.d.ts, and tests/js/types.test.mjs checks with tsc that the
// implementation matches them and that the implementation's calls match the
// module's raw exports.
/** The identity provider. */
export interface IdpConfig {
  entityId: string;
  /** SingleSignOnService, HTTP-Redirect binding. */
  ssoRedirectUrl?: string;
  /** SingleSignOnService, HTTP-POST binding. */
  ssoPostUrl?: string;
  sloRedirectUrl?: string;
  sloPostUrl?: string;
  /** Where the SP's LogoutResponse goes, if not `sloRedirectUrl` (metadata's ResponseLocation). */
  sloResponseUrl?: string;
  /** The IdP's signing certificate(s): PEM (one or more blocks) or base64 DER. Several for key
   * rollover. Trust comes from here only; an expired certificate is still the configured key. */
  certificates?: string | string[];
}
/** A SAML service provider. There is no field for a private key: edge-sso never signs. */
export interface SamlServiceProviderConfig {
  entityId: string;
  /** The Assertion Consumer Service URL (HTTP-POST). */
  acsUrl: string;
  /** The SP's Single Logout URL: the expected Destination of logout messages. */
  sloUrl?: string;
  /** The IdP, given directly... */
  idp?: IdpConfig;
  /** ...or read from its metadata (an EntityDescriptor, or an EntitiesDescriptor aggregate with
   * `idpEntityId`; DOCTYPE refused; validUntil checked). */
  idpMetadataXml?: string;
  /** The IdP to take out of `idpMetadataXml` (exact entityID); required when it holds several. */
  idpEntityId?: string;
  /** PEM certificates of the metadata's signer (the federation, the MDQ service): with them the
   * metadata's root signature must verify before any key in it is trusted. */
  metadataSignerCertificates?: string | string[];
  /** Accept signed `idpMetadataXml` without a validUntil (by default refused). */
  allowMissingValidUntil?: boolean;
  /** When `idpMetadataXml`'s validUntil is checked (ms since the epoch, default now). */
  now?: number;
  /** Default 180, at most 3600 (more is refused with `arg.invalid`). */
  clockSkewSeconds?: number;
  /** Accept RSA-SHA1 / DSA-SHA1 signatures. Default false. */
  allowSha1?: boolean;
  /** Accept IdP certificates (configured or in `idpMetadataXml`) whose RSA keys have 1024 to 2047
   * bits. Below 1024 bits a key is always refused. Default false (`saml.certificate.weak_rsa`). */
  allowWeakRsa?: boolean;
  /** Accept plain `http:` URLs on hosts that are not loopback for `acsUrl`, `sloUrl` and the IdP's
   * endpoints (also from metadata). Other schemes are always refused. Default false. */
  allowHttp?: boolean;
  /** How long a sent AuthnRequest stays answerable (ms, default 600000). */
  requestTtlMs?: number;
  /** How many unexpired assertion IDs this SP remembers against replay in its own memory (default
   * 10000, at most 1000000), and apart from them, as many answered request IDs. When full, new
   * responses are refused with `saml.replay.memory_full` instead of an ID being forgotten; with
   * `validateResponseWithStore` the assertion IDs live in the store and only request IDs count here. */
  replayCapacity?: number;
}
export interface AuthnRequestInit {
  /** "redirect" (default) or "post". */
  binding?: "redirect" | "post";
  /** At most 80 bytes. */
  relayState?: string;
  nameIdPolicy?: { format?: string; allowCreate?: boolean; spNameQualifier?: string };
  forceAuthn?: boolean;
  isPassive?: boolean;
  requestedAuthnContext?: { classRefs: string[]; comparison?: "exact" | "minimum" | "maximum" | "better" };
  providerName?: string;
  attributeConsumingServiceIndex?: number;
  now?: number;
}
export interface VerifyRedirectOptions {
  now?: number; allowSha1?: boolean; /** Accept a message with no signature. */ allowUnsigned?: boolean;
  /** For a LogoutResponse: the LogoutRequest ID you carried (else this instance's memory is used). */
  expectedRequestId?: string;
}
export interface LogoutRequestInit {
  nameId: string; nameIdFormat?: string; nameQualifier?: string; spNameQualifier?: string;
  sessionIndexes?: string[]; relayState?: string;
  /** The algorithm your server will sign with: adds SigAlg and returns `signingInput`. */
  sigAlg?: string; now?: number;
}
/** `url` has no Signature: edge-sso holds no key. With `sigAlg`, sign `signingInput` on your server and
 * append `&Signature=` + encodeURIComponent(base64 signature). */
export interface SentLogoutRequest { id: string; xml: string; url: string; signingInput?: string; expiresAt: number; }
export interface ReadLogoutResponseOptions { now?: number; expectedRequestId?: string; allowUnsigned?: boolean; }
/** Options of `readLogoutRequest`. */
export interface ReadLogoutRequestOptions { now?: number; /** Accept a LogoutRequest with no signature. */ allowUnsigned?: boolean; }
/** The SP's answer to a LogoutRequest the IdP sent (`logoutResponse`). */
export interface LogoutResponseInit {
  /** The `id` of the IdP's LogoutRequest (from readLogoutRequest or verifyRedirect). */
  inResponseTo: string;
  /** A top-level status code URI; default `urn:oasis:names:tc:SAML:2.0:status:Success`. */
  statusCode?: string;
  /** A second-level status code URI, e.g. `urn:oasis:names:tc:SAML:2.0:status:PartialLogout`. */
  secondLevelStatusCode?: string;
  /** The RelayState that came with the LogoutRequest, handed back. */
  relayState?: string;
  /** The algorithm your server will sign the query with: adds SigAlg and returns `signingInput`. */
  sigAlg?: string;
  now?: number;
}
/** A LogoutResponse for the IdP's HTTP-Redirect SLO endpoint: send the browser to `url` (append
 * `&Signature=` from your server when you asked for `signingInput`). */
export interface SentLogoutResponse { id: string; xml: string; url: string; signingInput?: string; }
export interface SamlStatus { code: string; secondLevel?: string; message?: string; success: boolean; }
/** A verified redirect-binding message. */
export interface VerifiedRedirect {
  kind: "Response" | "LogoutRequest" | "LogoutResponse"; id: string; issuer?: string; inResponseTo?: string;
  destination?: string; issueInstant: number; status?: SamlStatus; nameId?: string; nameIdFormat?: string;
  sessionIndexes: string[]; relayState?: string; signed: boolean; sigAlg?: string; xml: string;
}
export interface ValidateResponseOptions {
  now?: number;
  /** The AuthnRequest ID you carried (else the SP's memory of sent requests is used). */
  expectedRequestId?: string;
  /** Default: the SP's (180); at most 3600, as for the SP. */
  clockSkewSeconds?: number;
  allowSha1?: boolean;
  /** Accept an IdP-initiated response that answers no request. */
  allowUnsolicited?: boolean;
}
export interface ValidateResponseWithStoreOptions extends ValidateResponseOptions {
  /** How long to wait for `store.remember` (ms, default 5000, at most 60000); then
   * `saml.store.timeout`, with the request left answerable here (a store that records the ID after
   * the timeout refuses the retry as `saml.replayed`: keep this above the store's worst latency). */
  storeTimeoutMs?: number;
}
/** A replay cache shared by every instance that serves the site (a Durable Object, a KV with
 * compare-and-set, a database row). `remember` must record `assertionId` until `expiresAt` (ms since
 * the epoch) and answer `true`, or answer `false` when it is already recorded and not expired, in one
 * atomic step. */
export interface ReplayStore {
  remember(assertionId: string, expiresAt: number): boolean | Promise<boolean>;
}
/** A validated SAML Response: only facts read from the verified assertion. */
export interface ValidatedResponse {
  issuer: string; nameId: string; nameIdFormat?: string; sessionIndex?: string; authnInstant?: number;
  authnContextClassRef?: string; sessionNotOnOrAfter?: number; notOnOrAfter?: number;
  attributes: Record<string, string[]>;
  /** Orange's OrangeAPIToken: XML whitespace removed, and URL-encoded for API calls. */
  orangeApiToken?: { value: string; urlEncoded: string };
  responseId: string; assertionId: string; inResponseTo?: string;
  /** Until when (ms) the assertion ID is remembered against replay. */
  replayUntil: number;
  signed: { response: boolean; assertion: boolean };
}
/** IdP configuration read from metadata. */
export interface IdpMetadataInfo {
  entityId: string; ssoRedirectUrl?: string; ssoPostUrl?: string; sloRedirectUrl?: string; sloPostUrl?: string;
  /** The redirect SingleLogoutService's ResponseLocation, if any: where logoutResponse sends the answer. */
  sloResponseUrl?: string;
  certificateCount: number; validUntil?: number;
  /** The shortest cacheDuration on the path to the IdP, in seconds (years 365 days, months 30). */
  cacheDurationSeconds?: number;
  /** Whether the metadata's signature was verified with `signerCertificates` (never true without them). */
  signed: boolean;
}
/** `authnRequest`'s options for the HTTP-Redirect binding (the default). */
export interface RedirectAuthnRequestInit extends AuthnRequestInit { binding?: "redirect"; }
/** `authnRequest`'s options for the HTTP-POST binding. */
export interface PostAuthnRequestInit extends AuthnRequestInit { binding: "post"; }
/** An AuthnRequest sent by the HTTP-Redirect binding: send the browser to `url` (a 302). Keep `id`
 * (e.g. in an HttpOnly cookie) if this instance will not see the response. */
export interface SentRedirectAuthnRequest {
  id: string; xml: string; binding: "redirect";
  /** The IdP's SSO URL with SAMLRequest (and RelayState). */
  url: string;
  action?: undefined; samlRequest?: undefined; html?: undefined;
  relayState?: string; expiresAt: number;
}
/** An AuthnRequest sent by the HTTP-POST binding: serve `html`, an escaped self-submitting form that
 * posts `samlRequest` (and RelayState) to `action`. Keep `id` as for the redirect binding. */
export interface SentPostAuthnRequest {
  id: string; xml: string; binding: "post";
  url?: undefined;
  /** The IdP's SSO URL for the POST binding. */
  action: string;
  /** The SAMLRequest form value (base64 of `xml`). */
  samlRequest: string;
  html: string;
  relayState?: string; expiresAt: number;
}
/** A sent AuthnRequest: narrow it on `binding`. */
export type SentAuthnRequest = SentRedirectAuthnRequest | SentPostAuthnRequest;
/** Options of `metadataXml`. */
export interface SpMetadataOptions { nameIdFormats?: string[]; }
/** Options of `parseIdpMetadata`. */
export interface ParseIdpMetadataOptions {
  now?: number; allowWeakRsa?: boolean; allowHttp?: boolean;
  /** The IdP to pick (exact entityID); required when the document holds more than one. */
  entityId?: string;
  /** PEM certificates of the metadata's signer: the root's signature must verify with one of them. */
  signerCertificates?: string | string[];
  /** Accept an RSA-SHA1 / SHA-1 metadata signature. */
  allowSha1?: boolean;
  /** Accept signed metadata without a validUntil (by default refused: an old signed copy would verify for ever). */
  allowMissingValidUntil?: boolean;
}
/** The SP's public configuration, as `JSON.stringify` shows it. */
export interface SamlServiceProviderJson { entityId: string; acsUrl: string; idpEntityId: string; }
/** Thrown for `saml.status.not_success`: the IdP's status. */
export interface EdgeSsoError {
  /** The top-level StatusCode URI. */
  statusCode?: string;
  secondLevelStatusCode?: string;
  statusMessage?: string;
}
/** A SAML 2.0 service provider. */
export class SamlServiceProvider {
  /** Checks the configuration (https endpoints, required IDs) and creates the SP. */
  constructor(config: SamlServiceProviderConfig);
  /**
   * Builds an AuthnRequest for the redirect (default) or POST binding and
   * remembers its ID (one-time, expiring) for the response.
   */
  authnRequest(init?: RedirectAuthnRequestInit): SentRedirectAuthnRequest;
  authnRequest(init: PostAuthnRequestInit): SentPostAuthnRequest;
  authnRequest(init?: AuthnRequestInit): SentAuthnRequest;
  /**
   * Verifies an HTTP-Redirect message from the IdP (LogoutRequest,
   * LogoutResponse or Response): the signature over the query exactly as
   * received, with the configured certificates only; then Version, Issuer,
   * Destination and IssueInstant.
   */
  verifyRedirect(url: string, options?: VerifyRedirectOptions): VerifiedRedirect;
  /**
   * A LogoutRequest for the IdP's redirect SLO endpoint (its ID remembered
   * one-time for the LogoutResponse).
   */
  logoutRequest(init: LogoutRequestInit): SentLogoutRequest;
  /**
   * Reads a LogoutResponse posted by the IdP (HTTP-POST binding): its XML
   * signature with the configured certificates (unsigned only with
   * `allowUnsigned: true`), Issuer, Destination, IssueInstant, InResponseTo
   * (one-time) and Success.
   */
  readLogoutResponse(samlResponse: string, options?: ReadLogoutResponseOptions): VerifiedRedirect;
  /**
   * Reads a LogoutRequest the IdP posted (HTTP-POST binding, a logout the
   * IdP started): its XML signature with the configured certificates
   * (unsigned only with `allowUnsigned: true`), Issuer, Destination (this
   * SP's `sloUrl`), IssueInstant, NotOnOrAfter, and once only. End the
   * session of its `nameId` / `sessionIndexes`, then answer with
   * `logoutResponse`.
   */
  readLogoutRequest(samlRequest: string, options?: ReadLogoutRequestOptions): VerifiedRedirect;
  /**
   * The SP's LogoutResponse to a LogoutRequest the IdP sent, for the IdP's
   * HTTP-Redirect SLO endpoint (unsigned, or with `signingInput` for your
   * server to sign, as `logoutRequest`).
   */
  logoutResponse(init: LogoutResponseInit): SentLogoutResponse;
  /**
   * Validates a posted SAMLResponse (base64, or the XML): signature with the
   * configured certificates, wrapping-proof selection, Status, Destination,
   * InResponseTo (one-time), Issuer, Conditions, Audience, bearer
   * SubjectConfirmation, replay; then returns the NameID and attributes.
   */
  validateResponse(samlResponse: string, options?: ValidateResponseOptions): ValidatedResponse;
  /**
   * `validateResponse`, with the assertion ID remembered in `store` (shared
   * by every instance that serves the site) instead of this instance's
   * memory. Every check runs first; only then is `store.remember` called
   * (after this method has returned, so a store may call back into this
   * SP), and the request is consumed only once the store has answered
   * `true`. Rejects with `saml.replayed` when it answers `false`, with
   * `saml.store.failed` when it throws, rejects or answers anything else,
   * and with `saml.store.timeout` after `storeTimeoutMs` (default 5000):
   * in those two cases nothing was consumed and the same response may be
   * retried. The store's answer is judged at the time it comes; a `free()`
   * meanwhile frees this SP once the call is finished (the login is kept).
   */
  validateResponseWithStore(samlResponse: string, store: ReplayStore, options?: ValidateResponseWithStoreOptions): Promise<ValidatedResponse>;
  /** This SP's metadata (AuthnRequestsSigned="false", WantAssertionsSigned="true"). */
  metadataXml(options?: SpMetadataOptions): string;
  /** Number of AuthnRequests awaiting a response. */
  pendingCount(): number;
  toJSON(): SamlServiceProviderJson;
  /** Frees the SP's memory in the module (once a validateResponseWithStore in flight is finished: its login is
   * not lost); the SP cannot be used afterwards. */
  free(): void;
  [Symbol.dispose](): void;
}

/** Reads IdP metadata (for display or to check it before use). */
export function parseIdpMetadata(xml: string, options?: ParseIdpMetadataOptions): IdpMetadataInfo;

/** Raw DEFLATE + base64 of a message: the HTTP-Redirect encoding (before percent-encoding). */
export function encodeRedirect(xml: string): string;

/**
 * Decodes a redirect-binding value (as taken from the query string): base64
 * (whitespace tolerated), raw inflate (refused past 256 KiB, never truncated), UTF-8.
 */
export function decodeRedirect(value: string): string;

/** Decodes an HTTP-POST binding value: base64 (whitespace tolerated), UTF-8. */
export function decodePost(value: string): string;
