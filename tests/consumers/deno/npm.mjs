// Deno, an npm: specifier (served from node_modules, never the registry, in this project).
import * as sso from 'npm:edge-sso';
import * as oauth from 'npm:edge-sso/oauth';
import { smoke } from './smoke/smoke.js';

console.log(JSON.stringify(smoke(sso, oauth)));
