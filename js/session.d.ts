/** Configuration of a session. All of it is public; the worker discovers the rest from the issuer. */
export interface SessionConfig {
  /** The issuer: its metadata is fetched from `discoveryUrl(issuer)` and must name it exactly. */
  issuer: string;
  clientId: string;
  /** The page that calls `callback()`. */
  redirectUri: string;
  /** Default scope, e.g. "openid profile offline_access". */
  scope?: string;
  /**
   * The exact origins (`https://api.example`, no path, no trailing slash; http only on loopback) that
   * `fetch` may send the access token to. Every other URL is refused.
   */
  resources: string[];
  /** DPoP (RFC 9449) with a key made in the worker; on by default. `false` takes bearer tokens. */
  dpop?: boolean;
  /** Refresh this long before the access token expires (seconds, default 60). */
  refreshLeewaySeconds?: number;
  /** Where the OP sends the browser after `logout({ endSession: true })`. */
  postLogoutRedirectUri?: string;
  /** The clock difference allowed with the issuer for the ID token's times (seconds, default 120, at most 3600). */
  clockSkewSeconds?: number;
  /** The worker script, when the bundler does not emit the package's (see the README). */
  worker?: string | URL;
  /** SharedWorker name (with `worker` only); pages share a login when they use the same worker and name. */
  name?: string;
  /** Default: "shared" where SharedWorker exists, else "dedicated" (a worker per tab, one holding the login). */
  mode?: "shared" | "dedicated";
  /**
   * How long the page waits for the worker to start (milliseconds, default 10000): past it, every call
   * rejects with `session.worker_failed`, as it does when the browser reports that the script failed.
   */
  startTimeoutMs?: number;
}
/** Public facts about the login: never a token. */
export type SessionInfo =
  | { loggedIn: false }
  | {
    loggedIn: true;
    tokenType: "Bearer" | "DPoP";
    /** Milliseconds since the epoch, or null when the server gave no expiry. */
    expiresAt: number | null;
    scope: string | null;
    hasRefreshToken: boolean;
    /** The validated ID token's claims (`sub`, ...), or null without one. */
    claims: Record<string, unknown> | null;
  };
export interface LoginOptions {
  /** Leave the page for the authorization server instead of opening a popup. */
  redirect?: boolean;
  scope?: string;
  /** Extra authorization parameters (prompt, login_hint, ...); the client's own are refused. */
  extraParams?: Record<string, string>;
}
export interface LogoutResult {
  /** What the revocation endpoint accepted. */
  revoked: Array<"refresh_token" | "access_token">;
  /** With `endSession: true` and an OP that has an end-session endpoint: the URL to visit. */
  logoutUrl: string | null;
}
/** Every session failure: a stable `code` (the README lists them) and a message. */
export class SessionError extends Error {
  name: "EdgeSsoError";
  code: string;
  /** A refused token or UserInfo request: the server's RFC 6749 `error`. */
  error?: string;
  errorDescription?: string;
}
/** An OAuth session run by a worker; no method returns a token. */
export class Session {
  private constructor();
  /** "shared" or "dedicated". */
  readonly mode: "shared" | "dedicated";
  info(): Promise<SessionInfo>;
  /** A popup login (call it from a click), or with `redirect: true` a full-page one. */
  login(options?: LoginOptions): Promise<SessionInfo>;
  /** On the redirect URI's page: the worker checks the answer and redeems the code. */
  callback(url?: string, options?: { close?: boolean }): Promise<SessionInfo>;
  /** The UserInfo claims, fetched by the worker. */
  userinfo(): Promise<Record<string, unknown> & { sub: string }>;
  /** `fetch` by the worker with the credentials, for the configured resource origins only. */
  fetch(input: string | URL | Request, init?: RequestInit): Promise<Response>;
  /** Revokes and wipes the tokens for every page of the session. */
  logout(options?: { endSession?: boolean }): Promise<LogoutResult>;
  /** Called with the new facts on every login, refresh and logout, from any page. */
  onChange(listener: (info: SessionInfo) => void): () => void;
  close(): void;
  toJSON(): { mode: "shared" | "dedicated" };
}
/** Starts or joins the session worker and configures it. */
export function createSession(config: SessionConfig): Session;
