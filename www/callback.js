// The OAuth redirect lands in the login popup. Hand the URL to the page that
// opened it (same origin only) and close: the opener's wasm instance holds the
// pending flow, so nothing needs to be stored anywhere.
if (window.opener && window.opener.location.origin === location.origin) {
  window.opener.postMessage({ type: 'edge-sso-callback', url: location.href }, location.origin);
  window.close();
} else {
  document.getElementById('msg').textContent = 'Open the demo page and log in from there.';
}
