// The whole OAuth suite again, against the OAuth-only entry point
// (`edge-sso/oauth`): the same API from a separately built module.
await import('./oauth.test.mjs?entry=oauth');
