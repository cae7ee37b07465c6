// `require` in Node: the `require` condition, pkg/index.cjs (Node 20.0-20.18 cannot require ESM).
const sso = require('edge-sso');
const oauth = require('edge-sso/oauth');
const { smoke } = require('./smoke/smoke.cjs');

console.log(JSON.stringify(smoke(sso, oauth)));
