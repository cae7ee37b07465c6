// What the Single Logout route decides before it consumes anything: whether a
// LogoutResponse can be sent at all, and how long a LogoutRequest's ID must
// be remembered. No platform API here, so it is tested in Node too.

// edge-sso accepts a LogoutRequest until IssueInstant + 5 minutes + the SP's
// clock skew, and one dated up to the skew in the future: counted from its
// IssueInstant, a copy can be accepted for 5 minutes + 2 × skew.
const MAX_MESSAGE_AGE_MS = 5 * 60 * 1000;
// On top of that: the isolates' clocks need not agree to the millisecond.
const REMEMBER_MARGIN_MS = 60 * 1000;
/** The bindings' limit on RelayState, which logoutResponse refuses past (saml.relay_state.too_long). */
export const MAX_RELAY_STATE_BYTES = 80;

/**
 * Until when (ms since the epoch) a LogoutRequest issued at `issueInstant` must
 * be remembered: after that no SP with `clockSkewSeconds` accepts any copy.
 */
export function logoutRememberUntil(issueInstant, clockSkewSeconds) {
  return issueInstant + MAX_MESSAGE_AGE_MS + 2 * clockSkewSeconds * 1000 + REMEMBER_MARGIN_MS;
}

/**
 * Why no LogoutResponse could be sent for a LogoutRequest coming with
 * `relayStates` (every RelayState value the request carries) to an IdP whose
 * metadata is `info`: `{ code, message }`, or undefined when one can.
 */
export function unanswerable(info, relayStates) {
  // The LogoutResponse goes to the HTTP-Redirect endpoint's ResponseLocation when
  // it names one, else to its Location (edge-sso's logoutResponse).
  if (!info.sloResponseUrl && !info.sloRedirectUrl) {
    return { code: 'worker.slo_endpoint_missing', message: 'The IdP\'s metadata has no HTTP-Redirect SingleLogoutService, so no LogoutResponse can be sent to it; nothing was ended.' };
  }
  if (relayStates.some((r) => new TextEncoder().encode(r).byteLength > MAX_RELAY_STATE_BYTES)) {
    return { code: 'worker.slo_relay_state_too_long', message: `The RelayState is longer than ${MAX_RELAY_STATE_BYTES} bytes, so it could not be handed back in the LogoutResponse; nothing was ended.` };
  }
  return undefined;
}
