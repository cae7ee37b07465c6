// A Worker: wrangler bundles it with the `workerd` condition (pkg/workerd.js).
import * as sso from 'edge-sso';
import * as oauth from 'edge-sso/oauth';
import { smoke } from '../smoke/smoke.js';

export default {
  fetch() {
    return Response.json(smoke(sso, oauth));
  },
};
