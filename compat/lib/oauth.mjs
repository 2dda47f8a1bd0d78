// Helpers for the OAuth 2.0 / hosted-UI compat tests: a relying party's
// local HTTP server (callback and sign-out pages), a fetch-based browser
// that keeps cookies and reads the hosted UI's HTML forms, pools set up
// for OAuth through the AWS SDK v3, and the Chromium that Playwright drives.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import {
  AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
  CreateResourceServerCommand,
  CreateUserPoolClientCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { JwtVerifier } from 'aws-jwt-verify';
import { validateCognitoJwtFields } from 'aws-jwt-verify/cognito-verifier';
import { NonRetryableFetchError } from 'aws-jwt-verify/error';
import { SimpleJwksCache } from 'aws-jwt-verify/jwk';
import { uniqueName } from './env.mjs';

// ------------------------------------------------------------------ Chromium

/** Debian's Chromium (apt-get install chromium); CHROMIUM_PATH overrides. */
export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

/** Flags for a headless Chromium in a container, without network chatter. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Why Chromium cannot run here, or null. */
export function chromiumMissing() {
  return fs.existsSync(CHROMIUM) ? null : `Chromium not found at ${CHROMIUM} (apt-get install chromium)`;
}

// ------------------------------------------------------------ the app (RP)

/**
 * A relying party's pages on http://localhost:PORT: /callback and
 * /signed-out answer a small HTML page; every request is recorded.
 * Cognito accepts http callback URLs only for localhost.
 */
export async function startApp() {
  const hits = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, `http://${req.headers.host}`);
    hits.push(url.href);
    res.setHeader('Content-Type', 'text/html; charset=utf-8');
    if (url.pathname === '/callback') {
      res.end(`<!doctype html><title>Callback</title><h1 id="app">Callback</h1><p id="query">${escapeHtml(url.search)}</p>`);
    } else if (url.pathname === '/signed-out') {
      res.end('<!doctype html><title>Signed out</title><h1 id="app">Signed out</h1>');
    } else {
      res.statusCode = 404;
      res.end('<!doctype html><title>Not found</title><h1>Not found</h1>');
    }
  });
  // Dual-stack where possible: "localhost" may resolve to ::1 or 127.0.0.1.
  await new Promise((resolve, reject) => {
    server.once('error', () => {
      server.removeAllListeners('error');
      server.once('error', reject);
      server.listen(0, '127.0.0.1', resolve);
    });
    server.listen({ port: 0, host: '::', ipv6Only: false }, resolve);
  });
  const base = `http://localhost:${server.address().port}`;
  return {
    base,
    callback: `${base}/callback`,
    signedOut: `${base}/signed-out`,
    hits,
    close: () => new Promise((resolve) => { server.closeAllConnections?.(); server.close(() => resolve()); }),
  };
}

function escapeHtml(s) {
  return String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

// ------------------------------------------------------- a fetch "browser"

/**
 * A minimal browser over fetch: cookies kept per host (path-scoped), no
 * automatic redirects (each hop is returned for inspection).
 */
export class FormBrowser {
  constructor() {
    /** @type {Map<string, Map<string, {value: string, path: string}>>} */
    this.jar = new Map();
  }

  cookieHeader(url) {
    const cookies = this.jar.get(url.host);
    if (!cookies) return '';
    const out = [];
    for (const [name, c] of cookies) {
      if (url.pathname === c.path || url.pathname.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`) || c.path === '/') {
        out.push(`${name}=${c.value}`);
      }
    }
    return out.join('; ');
  }

  /** The value of a cookie the browser would send to url, or undefined. */
  cookie(url, name) {
    const u = new URL(url);
    const c = this.jar.get(u.host)?.get(name);
    return c && this.cookieHeader(u).split('; ').includes(`${name}=${c.value}`) ? c.value : undefined;
  }

  store(url, res) {
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';').map((s) => s.trim());
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      let path = url.pathname.replace(/\/[^/]*$/, '') || '/';
      let expired = value === '';
      for (const a of attrs) {
        const [k, v = ''] = a.split('=');
        if (/^path$/i.test(k)) path = v || '/';
        if (/^max-age$/i.test(k) && Number(v) <= 0) expired = true;
        if (/^expires$/i.test(k) && Date.parse(v) < Date.now()) expired = true;
      }
      if (!this.jar.has(url.host)) this.jar.set(url.host, new Map());
      if (expired) this.jar.get(url.host).delete(name);
      else this.jar.get(url.host).set(name, { value, path });
    }
  }

  async request(method, href, body) {
    const url = new URL(href);
    const headers = {};
    const cookie = this.cookieHeader(url);
    if (cookie) headers.cookie = cookie;
    if (body) headers['content-type'] = 'application/x-www-form-urlencoded';
    const res = await fetch(url, { method, headers, body, redirect: 'manual' });
    this.store(url, res);
    const text = await res.text();
    const loc = res.headers.get('location');
    return {
      url,
      status: res.status,
      headers: res.headers,
      body: text,
      location: res.status >= 300 && res.status < 400 && loc ? new URL(loc, url) : null,
    };
  }

  get(href) { return this.request('GET', href); }

  post(href, fields) { return this.request('POST', href, new URLSearchParams(fields).toString()); }

  /** Follow redirects until one points under stop (not followed) or a page. */
  async follow(page, stop) {
    for (let i = 0; page.location; i++) {
      if (stop && page.location.href.startsWith(stop)) return page;
      assert.ok(i < 10, `too many redirects (last to ${page.location})`);
      page = await this.get(page.location.href);
    }
    return page;
  }
}

const decode = (s) => s
  .replace(/&#(\d+);/g, (_, n) => String.fromCharCode(Number(n)))
  .replace(/&#x([0-9a-f]+);/gi, (_, n) => String.fromCharCode(parseInt(n, 16)))
  .replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>')
  .replace(/&amp;/g, '&');

function attrs(s) {
  const out = {};
  for (const m of s.matchAll(/([a-zA-Z_:][-a-zA-Z0-9_:.]*)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?/g)) {
    const name = m[1].toLowerCase();
    if (!(name in out)) out[name] = decode(m[2] ?? m[3] ?? m[4] ?? '');
  }
  return out;
}

/** The forms of a page: {action (absolute), method, fields {name: value}, types {name: type}}. */
export function parseForms(page) {
  const forms = [];
  for (const m of page.body.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form\s*>/gi)) {
    const a = attrs(m[1]);
    const form = { action: new URL(a.action ?? '', page.url).href, method: (a.method || 'GET').toUpperCase(), fields: {}, types: {} };
    for (const im of m[2].matchAll(/<input\b([^>]*?)\/?>/gi)) {
      const ia = attrs(im[1]);
      if (!ia.name) continue;
      const type = (ia.type || 'text').toLowerCase();
      if (['submit', 'button', 'image', 'reset'].includes(type)) continue;
      form.types[ia.name] = type;
      form.fields[ia.name] = ia.value ?? '';
    }
    forms.push(form);
  }
  return forms;
}

/** The first form posting to a path ending in suffix. */
export function formTo(page, suffix) {
  const f = parseForms(page).find((x) => new URL(x.action).pathname.endsWith(suffix));
  assert.ok(f, `no form posting to …${suffix} on ${page.url} (status ${page.status}):\n${page.body.slice(0, 2000)}`);
  return f;
}

/**
 * Run an authorization request through the hosted UI's sign-in page with
 * fetch; returns the URL the browser is sent back to the app with.
 */
export async function signInWithForm(browser, authUrl, username, password, callback) {
  let page = await browser.follow(await browser.get(authUrl), callback);
  if (page.location) return page.location; // already signed in
  assert.equal(page.status, 200, `sign-in page: ${page.status} at ${page.url}`);
  assert.ok(page.url.pathname.endsWith('/login'), `authorization request led to ${page.url}, want /login`);
  const form = formTo(page, '/login');
  assert.ok('_csrf' in form.fields, 'the sign-in form carries a _csrf field');
  page = await browser.follow(await browser.post(form.action, { ...form.fields, username, password }), callback);
  assert.ok(page.location, `sign-in of ${username}: status ${page.status} at ${page.url}: ${page.body.slice(0, 1500)}`);
  return page.location;
}

// --------------------------------------------------------- pools for OAuth

export const API = 'https://api.example.com';

/** A resource server with read and write scopes; returns the identifier. */
export async function createResourceServer(sdk, poolId, identifier = API) {
  await sdk.send(new CreateResourceServerCommand({
    UserPoolId: poolId, Identifier: identifier, Name: 'orders',
    Scopes: [{ ScopeName: 'read', ScopeDescription: 'read' }, { ScopeName: 'write', ScopeDescription: 'write' }],
  }));
  return identifier;
}

/** An app client enabled for OAuth; returns {clientId, clientSecret}. */
export async function createOAuthClient(sdk, poolId, input) {
  const { UserPoolClient } = await sdk.send(new CreateUserPoolClientCommand({
    UserPoolId: poolId,
    ClientName: uniqueName('oauth-app'),
    AllowedOAuthFlowsUserPoolClient: true,
    SupportedIdentityProviders: input.AllowedOAuthFlows?.includes('client_credentials') ? undefined : ['COGNITO'],
    ...input,
  }));
  assert.ok(UserPoolClient?.ClientId);
  return { clientId: UserPoolClient.ClientId, clientSecret: UserPoolClient.ClientSecret };
}

/** A CONFIRMED user with a permanent password. */
export async function createConfirmedUser(sdk, poolId, username, password, attributes = {}) {
  await sdk.send(new AdminCreateUserCommand({
    UserPoolId: poolId, Username: username, MessageAction: 'SUPPRESS',
    UserAttributes: Object.entries(attributes).map(([Name, Value]) => ({ Name, Value })),
  }));
  await sdk.send(new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: username, Password: password, Permanent: true }));
}

// ------------------------------------------------------ token verification

/** An aws-jwt-verify Fetcher over the global fetch: the library's own is HTTPS-only. */
class HttpFetcher {
  async fetch(uri) {
    const res = await fetch(uri, { signal: AbortSignal.timeout(5000) });
    if (res.status !== 200) throw new NonRetryableFetchError(uri, `Status code is ${res.status}, expected 200`);
    return res.arrayBuffer();
  }
}

/**
 * aws-jwt-verify for a Cogito pool's access tokens of one client: JwtVerifier
 * with the issuer and JWKS, plus the library's Cognito claim checks.
 */
export function accessTokenVerifier(issuer, clientId, scope) {
  return JwtVerifier.create({
    issuer,
    jwksUri: `${issuer}/.well-known/jwks.json`,
    audience: null,
    scope,
    customJwtCheck: ({ payload }) => validateCognitoJwtFields(payload, { tokenUse: 'access', clientId }),
  }, { jwksCache: new SimpleJwksCache({ fetcher: new HttpFetcher() }) });
}
