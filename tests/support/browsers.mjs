// The three browser engines the consumer tests load pages in, each Debian's
// own build (never a downloaded browser), each behind the same small API:
//   chromium  /usr/bin/chromium, driven by playwright-core (flags: ./chromium.mjs)
//   firefox   /usr/bin/firefox-esr, driven over WebDriver BiDi by puppeteer-core
//   webkit    /usr/bin/WebKitWebDriver (webkit2gtk-driver) with WebKitGTK's
//             MiniBrowser under its own Xvfb, driven over plain W3C WebDriver
//             HTTP with fetch (no library)
// scripts/setup.sh browser installs the three (and xvfb).
//
//   import { launchBrowsers } from '../support/browsers.mjs';
//   const browsers = await launchBrowsers();           // all three, started in parallel
//   const text = await browsers.textOf('webkit', url);  // #result's text once it is not empty
//   const all = await browsers.loadInAll(url);          // { chromium, firefox, webkit }: { text } or { error }
//   const ctx = await browsers.context('firefox');      // tabs sharing storage and workers
//   const tab = await ctx.open(url); await tab.click('#login'); await tab.evaluate('app.outcome');
//   await browsers.close();
//
// Each load gets a fresh page in a fresh context (a new WebDriver session for
// WebKit), closed afterwards, so loads do not share caches or storage. Every
// server it is pointed at should listen on 127.0.0.1.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import net from 'node:net';
import puppeteer from 'puppeteer-core';
import { launchChromium } from './chromium.mjs';

export const BROWSERS = ['chromium', 'firefox', 'webkit'];

const FIREFOX = '/usr/bin/firefox-esr';
const WEBKIT_DRIVER = '/usr/bin/WebKitWebDriver';
const MINIBROWSER = '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** A child process in its own process group, its output kept for error messages. */
function start(cmd, args, options = {}) {
  const child = spawn(cmd, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe', ...(options.extraStdio ?? [])], env: options.env ?? process.env });
  child.log = '';
  child.stdout.on('data', (d) => { child.log = (child.log + d).slice(-20_000); });
  child.stderr.on('data', (d) => { child.log = (child.log + d).slice(-20_000); });
  child.exited = new Promise((resolve) => child.on('exit', (code, signal) => { child.exitStatus = { code, signal }; resolve(); }));
  child.stop = async () => {
    if (child.exitStatus) return;
    try { process.kill(-child.pid, 'SIGTERM'); } catch { /* gone */ }
    const timer = setTimeout(() => { try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ } }, 5000);
    await child.exited;
    clearTimeout(timer);
  };
  return child;
}

/** A page in a playwright or puppeteer browser: one context, one page, errors recorded. */
async function puppetPage(browser, url, newContext, closeContext) {
  const context = await newContext();
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e?.message ?? e}`));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(`console: ${m.text()}`); });
  await page.goto(url);
  return {
    evaluate: (expression) => page.evaluate(expression),
    errors: () => errors,
    close: () => closeContext(context),
  };
}

/** Several tabs in one playwright or puppeteer context (they share storage and workers). */
async function puppetContext(context, closeContext) {
  const tabs = [];
  return {
    async open(url) {
      const page = await context.newPage();
      const errors = [];
      page.on('pageerror', (e) => errors.push(`pageerror: ${e?.message ?? e}`));
      await page.goto(url);
      const tab = {
        evaluate: (expression) => page.evaluate(expression),
        click: (selector) => page.click(selector),
        errors: () => errors,
        close: () => page.close(),
      };
      tabs.push(tab);
      return tab;
    },
    close: () => closeContext(context),
  };
}

async function chromiumEngine() {
  const browser = await launchChromium();
  return {
    version: browser.version(),
    open: (url) => puppetPage(browser, url, () => browser.newContext(), (c) => c.close()),
    context: async () => puppetContext(await browser.newContext(), (c) => c.close()),
    close: () => browser.close(),
  };
}

async function firefoxEngine() {
  if (!existsSync(FIREFOX)) throw new Error('Debian firefox-esr is required (scripts/setup.sh browser installs it)');
  const browser = await puppeteer.launch({
    browser: 'firefox', // puppeteer-core speaks WebDriver BiDi to Firefox
    executablePath: FIREFOX,
    headless: true,
    extraPrefsFirefox: {
      'app.update.enabled': false,
      'browser.safebrowsing.malware.enabled': false,
      'browser.safebrowsing.phishing.enabled': false,
      'network.captive-portal-service.enabled': false,
      'network.connectivity-service.enabled': false,
    },
  });
  return {
    version: await browser.version(),
    open: (url) => puppetPage(browser, url, () => browser.createBrowserContext(), (c) => c.close()),
    context: async () => puppetContext(await browser.createBrowserContext(), (c) => c.close()),
    close: () => browser.close(),
  };
}

/** Xvfb on the first free display (-displayfd reports which). */
async function startXvfb() {
  const xvfb = start('Xvfb', ['-displayfd', '3', '-screen', '0', '1280x1024x24', '-nolisten', 'tcp'], { extraStdio: ['pipe'] });
  const display = await Promise.race([
    new Promise((resolve) => {
      let text = '';
      xvfb.stdio[3].on('data', (d) => {
        text += d;
        if (text.includes('\n')) resolve(`:${text.trim()}`);
      });
    }),
    xvfb.exited.then(() => { throw new Error(`Xvfb exited ${JSON.stringify(xvfb.exitStatus)}: ${xvfb.log}`); }),
    sleep(20_000).then(() => { throw new Error(`Xvfb did not report a display: ${xvfb.log}`); }),
  ]);
  return { xvfb, display };
}

async function webkitEngine() {
  for (const f of [WEBKIT_DRIVER, MINIBROWSER]) {
    if (!existsSync(f)) throw new Error(`${f} is required (scripts/setup.sh browser installs webkit2gtk-driver)`);
  }
  const { xvfb, display } = await startXvfb();
  let driver;
  let base;
  try {
    for (let attempt = 0; ; attempt++) { // the free port may be taken between the probe and the driver's listen
      const port = await freePort();
      driver = start(WEBKIT_DRIVER, [`--port=${port}`, '--host=127.0.0.1'], { env: { ...process.env, DISPLAY: display } });
      base = `http://127.0.0.1:${port}`;
      let up = false;
      for (let i = 0; i < 100 && !driver.exitStatus; i++) {
        try {
          if ((await fetch(`${base}/status`)).ok) { up = true; break; }
        } catch { /* not yet */ }
        await sleep(100);
      }
      if (up) break;
      await driver.stop();
      if (attempt === 2) throw new Error(`WebKitWebDriver did not start: ${driver.log}`);
    }
  } catch (e) {
    await xvfb.stop();
    throw e;
  }
  const wd = async (method, path, body) => {
    const res = await fetch(base + path, {
      method, headers: { 'content-type': 'application/json; charset=utf-8' }, body: body && JSON.stringify(body),
    });
    const json = await res.json();
    if (!res.ok) throw new Error(`WebDriver ${method} ${path}: ${json.value?.error}: ${json.value?.message}`);
    return json.value;
  };
  const capabilities = { alwaysMatch: { 'webkitgtk:browserOptions': { binary: MINIBROWSER, args: ['--automation'] } } };
  let version;
  return {
    get version() { return version; },
    async open(url) {
      const session = await wd('POST', '/session', { capabilities });
      version ??= `${session.capabilities.browserName} ${session.capabilities.browserVersion}`;
      const s = `/session/${session.sessionId}`;
      try {
        await wd('POST', `${s}/url`, { url });
      } catch (e) {
        await wd('DELETE', s).catch(() => {});
        throw e;
      }
      return {
        evaluate: (expression) => wd('POST', `${s}/execute/sync`, { script: `return (${expression});`, args: [] }),
        errors: () => [], // classic WebDriver has no console; the page's own error handler shows failures
        close: () => wd('DELETE', s),
      };
    },
    /** Tabs of one WebDriver session (one window each); every command first switches to its window. */
    async context() {
      const session = await wd('POST', '/session', { capabilities });
      version ??= `${session.capabilities.browserName} ${session.capabilities.browserVersion}`;
      const s = `/session/${session.sessionId}`;
      let first = await wd('GET', `${s}/window`);
      let lock = Promise.resolve();
      const serial = (f) => {
        const run = lock.then(f, f);
        lock = run.catch(() => {});
        return run;
      };
      return {
        async open(url) {
          const handle = await serial(async () => {
            let h = first;
            first = undefined;
            if (h === undefined) h = (await wd('POST', `${s}/window/new`, { type: 'tab' })).handle;
            await wd('POST', `${s}/window`, { handle: h });
            await wd('POST', `${s}/url`, { url });
            return h;
          });
          const inTab = (f) => serial(async () => {
            await wd('POST', `${s}/window`, { handle });
            return f();
          });
          return {
            evaluate: (expression) => inTab(() => wd('POST', `${s}/execute/async`, {
              script: `const done = arguments[arguments.length - 1]; Promise.resolve().then(() => (${expression})).then((v) => done({ v }), (e) => done({ e: String(e?.stack ?? e) }));`,
              args: [],
            })).then((r) => {
              if (r?.e !== undefined) throw new Error(r.e);
              return r?.v;
            }),
            click: (selector) => inTab(async () => {
              const el = await wd('POST', `${s}/element`, { using: 'css selector', value: selector });
              await wd('POST', `${s}/element/${Object.values(el)[0]}/click`, {});
            }),
            errors: () => [],
            close: () => inTab(() => wd('DELETE', `${s}/window`)),
          };
        },
        close: () => wd('DELETE', s).catch(() => {}),
      };
    },
    async close() {
      await driver.stop();
      await xvfb.stop();
    },
  };
}

const ENGINES = { chromium: chromiumEngine, firefox: firefoxEngine, webkit: webkitEngine };

/**
 * Starts the named browsers in parallel.
 * @param {string[]} [names] a subset of BROWSERS
 * @returns {Promise<{
 *   names: string[],
 *   versions: () => Record<string, string>,
 *   textOf: (name: string, url: string, options?: { selector?: string, timeout?: number }) => Promise<string>,
 *   loadInAll: (url: string, options?: { selector?: string, timeout?: number }) => Promise<Record<string, { text?: string, error?: Error }>>,
 *   close: () => Promise<void>,
 * }>}
 */
export async function launchBrowsers(names = BROWSERS) {
  const settled = await Promise.allSettled(names.map((n) => {
    if (!ENGINES[n]) throw new Error(`unknown browser ${n}`);
    return ENGINES[n]();
  }));
  const engines = {};
  settled.forEach((r, i) => { if (r.status === 'fulfilled') engines[names[i]] = r.value; });
  const failed = settled.findIndex((r) => r.status === 'rejected');
  if (failed >= 0) {
    await Promise.allSettled(Object.values(engines).map((e) => e.close()));
    throw new Error(`${names[failed]} did not start: ${settled[failed].reason?.stack ?? settled[failed].reason}`);
  }

  /**
   * Loads `url` in a fresh page and resolves to the text of `selector` once
   * it is not empty; on time-out rejects with what the page showed and the
   * errors it logged.
   */
  async function textOf(name, url, { selector = '#result', timeout = 30_000 } = {}) {
    const engine = engines[name];
    if (!engine) throw new Error(`${name} was not launched`);
    const page = await engine.open(url);
    const read = `(document.querySelector(${JSON.stringify(selector)}) || {}).textContent || ''`;
    try {
      const deadline = Date.now() + timeout;
      let lastError;
      for (;;) {
        try { // a page that reloads itself (a dev server's optimizer) makes an evaluate fail in between
          const text = await page.evaluate(read);
          if (text) return text;
        } catch (e) {
          lastError = e;
        }
        if (Date.now() > deadline) {
          const body = await page.evaluate("document.body ? document.body.innerText.slice(0, 2000) : ''").catch((e) => `(${e.message})`);
          throw new Error(`${name}: ${selector} still empty after ${timeout} ms at ${url}; page text: ${JSON.stringify(body)}; `
            + `errors: ${JSON.stringify(page.errors())}${lastError ? `; last evaluate error: ${lastError.message}` : ''}`);
        }
        await sleep(100);
      }
    } finally {
      await page.close().catch(() => {});
    }
  }

  return {
    names: Object.keys(engines),
    versions: () => Object.fromEntries(Object.entries(engines).map(([n, e]) => [n, e.version])),
    textOf,
    async loadInAll(url, options) {
      const out = {};
      for (const n of Object.keys(engines)) { // one at a time: a dev server answers each in turn
        try {
          out[n] = { text: await textOf(n, url, options) };
        } catch (error) {
          out[n] = { error };
        }
      }
      return out;
    },
    /**
     * A browser context of `name` in which tabs share storage, workers and
     * cookies, as one user's browser does: `open(url)` gives a tab with
     * `evaluate(expression)` (awaited if a Promise), `click(selector)`, `close()`.
     */
    context(name) {
      const engine = engines[name];
      if (!engine) throw new Error(`${name} was not launched`);
      return engine.context();
    },
    async close() {
      await Promise.allSettled(Object.values(engines).map((e) => e.close()));
    },
  };
}
