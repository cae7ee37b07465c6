// The app: the shared smoke (tests/consumers/smoke/, copied into ../smoke/ by
// the harness) on edge-sso as an npm user imports it; the answer goes in the page.
import * as sso from 'edge-sso';
import * as oauth from 'edge-sso/oauth';
import { smoke } from '../smoke/smoke.js';

const r = smoke(sso, oauth);
document.getElementById('result').textContent = JSON.stringify(r);
