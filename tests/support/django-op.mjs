// A second real OpenID Provider for interop tests: Django OAuth Toolkit
// (PyPI), run by tests/support/django_op/serve.py from the virtualenv that
// scripts/setup.sh builds in .tmp/django-op-venv. The OP picks its own port on
// 127.0.0.1 and prints its issuer; close() stops it (SIGTERM, then SIGKILL),
// and it also stops by itself when this process goes, since it watches the
// stdin pipe we hold.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const DJANGO_OP_PYTHON = `${ROOT}.tmp/django-op-venv/bin/python`;
const SERVE = fileURLToPath(new URL('./django_op/serve.py', import.meta.url));

/**
 * Starts the OP with one public client (PKCE required, refresh tokens rotated
 * with reuse protection) and one user.
 * @returns {Promise<{ issuer: string, close: () => Promise<void>, log: () => string }>}
 */
export async function startDjangoOp({ clientId, redirectUri, username, password, startTimeoutMs = 20_000 }) {
  if (!existsSync(DJANGO_OP_PYTHON)) {
    throw new Error(`${DJANGO_OP_PYTHON} is missing: run scripts/setup.sh`);
  }
  const child = spawn(DJANGO_OP_PYTHON, [SERVE, clientId, redirectUri, username, password], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1', PYTHONUNBUFFERED: '1' },
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d) => { stderr += d; });
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));

  const close = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(timer);
  };

  try {
    const issuer = await new Promise((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`the OP did not start within ${startTimeoutMs} ms`)), startTimeoutMs);
      child.stdout.setEncoding('utf8').on('data', (d) => {
        out += d;
        const nl = out.indexOf('\n');
        if (nl < 0) return;
        clearTimeout(timer);
        try {
          resolve(JSON.parse(out.slice(0, nl)).issuer);
        } catch (e) {
          reject(e);
        }
      });
      exited.then(({ code, signal }) => {
        clearTimeout(timer);
        reject(new Error(`the OP exited (${code ?? signal}) before it served`));
      });
      child.once('error', reject);
    });
    return { issuer, close, log: () => stderr };
  } catch (e) {
    await close();
    throw new Error(`${e.message}\n${stderr}`);
  }
}

const decodeEntities = (s) =>
  s.replace(/&(#x[0-9a-f]+|#[0-9]+|amp|lt|gt|quot);/gi, (_, e) => {
    if (e[0] === '#') return String.fromCodePoint(e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
    return { amp: '&', lt: '<', gt: '>', quot: '"' }[e.toLowerCase()];
  });

/** The first form of a page: its action and its fields, hidden ones with their values. */
function readForm(html, pageUrl) {
  const form = html.match(/<form\b([^>]*)>([\s\S]*?)<\/form>/i);
  if (!form) return null;
  const action = form[1].match(/\baction="([^"]*)"/i)?.[1];
  const fields = new URLSearchParams();
  for (const [, attrs] of form[2].matchAll(/<input\b([^>]*)>/gi)) {
    const attr = (name) => {
      const v = attrs.match(new RegExp(`\\b${name}="([^"]*)"`, 'i'))?.[1];
      return v === undefined ? undefined : decodeEntities(v);
    };
    if (attr('type') === 'hidden' && attr('name')) fields.append(attr('name'), attr('value') ?? '');
  }
  return { action: new URL(action ? decodeEntities(action) : '', pageUrl).href, fields, html: form[2] };
}

/**
 * Logs in at Django's login page and answers DOT's consent page as a browser
 * would (cookie jar, CSRF token from the form), until the OP redirects to
 * `redirectUri`; returns that URL. `allow: false` presses Cancel.
 */
export async function driveDjangoLogin(authorizeUrl, redirectUri, { username, password, allow = true }) {
  const jar = new Map();
  let url = authorizeUrl;
  let method = 'GET';
  let body;
  for (let hop = 0; hop < 20; hop++) {
    const res = await fetch(url, {
      method,
      body,
      redirect: 'manual',
      headers: {
        cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; '),
        ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
    });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const i = pair.indexOf('=');
      jar.set(pair.slice(0, i).trim(), pair.slice(i + 1));
    }
    if (res.status >= 300 && res.status < 400) {
      const next = new URL(res.headers.get('location'), url).href;
      if (next.startsWith(redirectUri)) return next;
      [url, method, body] = [next, 'GET', undefined];
      continue;
    }
    const html = await res.text();
    if (res.status !== 200) throw new Error(`OP answered ${res.status}: ${html.slice(0, 300)}`);
    const form = readForm(html, url);
    if (!form) throw new Error(`unexpected OP page: ${html.slice(0, 300)}`);
    if (/name="username"/.test(form.html)) {
      form.fields.set('username', username);
      form.fields.set('password', password);
    } else if (/name="allow"/.test(form.html)) {
      if (allow) form.fields.set('allow', 'Authorize');
    } else {
      throw new Error(`unexpected OP form: ${form.html.slice(0, 300)}`);
    }
    [url, method, body] = [form.action, 'POST', form.fields.toString()];
  }
  throw new Error('too many redirects at the OP');
}
