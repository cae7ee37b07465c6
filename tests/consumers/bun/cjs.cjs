// `require` in Bun.
const sso = require('edge-sso');
const oauth = require('edge-sso/oauth');
const { smoke } = require('./smoke/smoke.cjs');

console.log(JSON.stringify(smoke(sso, oauth)));
