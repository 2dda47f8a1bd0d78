// The hosted UI in a real browser: Playwright (playwright-core) driving
// Debian's Chromium against the built server. A local HTTP server plays the
// app (callback and sign-out pages). A user signs up on the hosted UI,
// confirms with the code from the dev outbox, signs in, lands on the
// callback with a code and the state, the code is exchanged with
// openid-client, and logout arrives at the registered sign-out URL. Also:
// the new-password step of an administrator-created user, the forgotten
// password pages, a wrong password, and the error page of a bad request.
// Each page is saved as a screenshot in compat/artifacts/.
//
// Chromium: /usr/bin/chromium (CHROMIUM_PATH overrides). Without it the
// suite is skipped, except under CI=true, where it fails.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import * as client from 'openid-client';
import { AdminCreateUserCommand, AdminGetUserCommand } from '@aws-sdk/client-cognito-identity-provider';
import { startCogito } from './lib/server.mjs';
import { cognitoClient, requireDep, skipUnlessCI } from './lib/env.mjs';
import { createPool, latestCode, strongPassword } from './lib/userpool.mjs';
import {
  CHROMIUM, CHROMIUM_ARGS, chromiumMissing, createConfirmedUser, createOAuthClient, startApp,
} from './lib/oauth.mjs';

const ARTIFACTS = path.join(path.dirname(fileURLToPath(import.meta.url)), 'artifacts');
const missing = chromiumMissing();

describe('hosted UI in Chromium (playwright-core)', { skip: skipUnlessCI(missing) }, () => {
  let server;
  let app;
  let sdk;
  let browser;
  let issuer;
  let config; // openid-client configuration of the app's public client
  const s = {};

  before(async () => {
    requireDep(missing);
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    server = await startCogito();
    app = await startApp();
    sdk = cognitoClient(server.endpoint);
    s.poolId = await createPool(sdk, {
      AutoVerifiedAttributes: ['email'],
      Schema: [{ Name: 'email', AttributeDataType: 'String', Required: true, Mutable: true }],
    });
    issuer = `${server.endpoint}/${s.poolId}`;
    s.app = await createOAuthClient(sdk, s.poolId, {
      ClientName: 'Orders', GenerateSecret: false, AllowedOAuthFlows: ['code'],
      AllowedOAuthScopes: ['openid', 'email', 'profile'],
      CallbackURLs: [app.callback], LogoutURLs: [app.signedOut],
    });
    config = await client.discovery(new URL(issuer), s.app.clientId, undefined, client.None(),
      { execute: [client.allowInsecureRequests] });
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  });

  after(async () => {
    await browser?.close();
    sdk?.destroy();
    await app?.close();
    await server?.stop();
  });

  /** A new browser context and page; page errors and console errors are collected. */
  async function newPage() {
    const context = await browser.newContext();
    const page = await context.newPage();
    page.problems = [];
    page.on('pageerror', (err) => page.problems.push(`pageerror: ${err.message}`));
    page.on('console', (msg) => {
      if (msg.type() === 'error' && !/Failed to load resource/.test(msg.text())) page.problems.push(`console: ${msg.text()}`);
    });
    // Failed loads, named (the console message does not say which); the
    // browser's own /favicon.ico probe is not the page's.
    page.on('response', (res) => {
      const u = new URL(res.url());
      if (res.status() >= 400 && res.request().resourceType() !== 'document' && u.pathname !== '/favicon.ico') {
        page.problems.push(`${res.status()} ${res.url()}`);
      }
    });
    return { context, page };
  }

  async function shot(page, name) {
    await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
  }

  /** An authorization request of the app with PKCE; returns {url, state, nonce, verifier}. */
  async function authRequest() {
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const nonce = client.randomNonce();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: app.callback, scope: 'openid email profile', state, nonce,
      code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
    });
    return { url: url.href, state, nonce, verifier };
  }

  const onPage = (name) => new RegExp(`^${issuer.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/${name}(\\?|$)`);
  const atCallback = (url) => url.href.startsWith(`${app.callback}?`);

  /** Land on the callback, check the state, exchange the code; returns the tokens. */
  async function exchange(page, req) {
    try {
      await page.waitForURL(atCallback, { timeout: 10_000 });
    } catch (err) {
      throw new Error(`never reached the callback: at ${page.url()}; page problems ${JSON.stringify(page.problems)}`, { cause: err });
    }
    assert.equal(await page.textContent('#app'), 'Callback');
    const back = new URL(page.url());
    assert.ok(back.searchParams.get('code'), `callback ${back} has a code`);
    assert.equal(back.searchParams.get('state'), req.state);
    return client.authorizationCodeGrant(config, back, {
      pkceCodeVerifier: req.verifier, expectedState: req.state, expectedNonce: req.nonce, idTokenExpected: true,
    });
  }

  it('sign up, confirm with the emailed code, sign in, callback, exchange, log out', async () => {
    const { context, page } = await newPage();
    const username = `pw-${Date.now().toString(36)}`;
    const email = `${username}@example.com`;
    const password = strongPassword('ui');
    const req = await authRequest();

    await page.goto(req.url);
    await page.waitForURL(onPage('login'));
    assert.equal(await page.title(), 'Sign in · Orders');
    await shot(page, 'login');

    await page.click('a[href*="/signup"]');
    await page.waitForURL(onPage('signup'));
    await shot(page, 'signup');
    await page.fill('#username', username);
    await page.fill('input[name="attr.email"]', email);
    await page.fill('#password', password);
    await page.click('form.form button[type=submit]');

    await page.waitForURL(onPage('confirm'));
    assert.match(await page.textContent('body'), /We sent a code by email/);
    await shot(page, 'confirm');
    const code = await latestCode(server.endpoint, s.poolId, username, 'SignUp');
    // A wrong code first: an error on the same page.
    await page.fill('#code', String((Number(code) + 1) % 1_000_000).padStart(6, '0'));
    await page.click('button[value=confirm]');
    await page.waitForSelector('#form-error');
    await page.fill('#code', code);
    await page.click('button[value=confirm]');

    // Confirmed: signed in at once (Cognito), or the sign-in page with the
    // name filled in.
    await page.waitForURL((u) => atCallback(u) || onPage('login').test(u.href));
    if (!atCallback(new URL(page.url()))) {
      assert.equal(await page.inputValue('#username'), username);
      await page.fill('#password', password);
      await page.click('form.form button[type=submit]');
    }
    const tokens = await exchange(page, req);
    const claims = tokens.claims();
    assert.equal(claims['cognito:username'], username);
    assert.equal(claims.email, email);
    assert.equal(claims.nonce, req.nonce);
    const { UserStatus } = await sdk.send(new AdminGetUserCommand({ UserPoolId: s.poolId, Username: username }));
    assert.equal(UserStatus, 'CONFIRMED');

    const session = (await context.cookies(`${issuer}/login`)).find((c) => c.name === 'cognito');
    assert.ok(session, 'a hosted-UI session cookie');
    assert.ok(session.httpOnly, 'the session cookie is HttpOnly');

    // Signed in: a new authorization request goes straight back to the app.
    const again = await authRequest();
    await page.goto(again.url);
    await exchange(page, again);

    // Log out: to the registered sign-out URL, the session gone.
    const logout = new URL(`${issuer}/logout`);
    logout.search = new URLSearchParams({ client_id: s.app.clientId, logout_uri: app.signedOut }).toString();
    await page.goto(logout.href);
    await page.waitForURL(app.signedOut);
    assert.equal(await page.textContent('#app'), 'Signed out');
    assert.ok(!(await context.cookies(`${issuer}/login`)).some((c) => c.name === 'cognito'), 'session cookie cleared');
    const third = await authRequest();
    await page.goto(third.url);
    await page.waitForURL(onPage('login'));

    assert.deepEqual(page.problems, [], 'no script errors or CSP violations on the pages');
    await context.close();
  });

  it('an administrator-created user chooses a new password', async () => {
    const { context, page } = await newPage();
    const username = `admin-made-${Date.now().toString(36)}`;
    const temp = strongPassword('tmp');
    await sdk.send(new AdminCreateUserCommand({
      UserPoolId: s.poolId, Username: username, TemporaryPassword: temp, MessageAction: 'SUPPRESS',
      UserAttributes: [{ Name: 'email', Value: `${username}@example.com` }, { Name: 'email_verified', Value: 'true' }],
    }));
    const req = await authRequest();
    await page.goto(req.url);
    await page.waitForURL(onPage('login'));
    await page.fill('#username', username);
    await page.fill('#password', temp);
    await page.click('form.form button[type=submit]');
    await page.waitForSelector('form[action*="/newPassword"]');
    await shot(page, 'new-password');
    await page.fill('form[action*="/newPassword"] input[type=password]', strongPassword('new'));
    await page.click('form.form button[type=submit]');
    const tokens = await exchange(page, req);
    assert.equal(tokens.claims()['cognito:username'], username);
    assert.deepEqual(page.problems, []);
    await context.close();
  });

  it('a wrong password, then the forgotten-password pages', async () => {
    const { context, page } = await newPage();
    const username = `forgetful-${Date.now().toString(36)}`;
    await createConfirmedUser(sdk, s.poolId, username, strongPassword('old'),
      { email: `${username}@example.com`, email_verified: 'true' });
    const req = await authRequest();
    await page.goto(req.url);
    await page.waitForURL(onPage('login'));
    await page.fill('#username', username);
    await page.fill('#password', 'Not-the-passw0rd!');
    await page.click('form.form button[type=submit]');
    await page.waitForSelector('#form-error');
    assert.equal((await page.textContent('#form-error')).trim(), 'Incorrect username or password.');
    await shot(page, 'login-error');

    await page.click('a[href*="/forgotPassword"]');
    await page.waitForURL(onPage('forgotPassword'));
    await shot(page, 'forgot-password');
    await page.fill('#username', username);
    await page.click('form.form button[type=submit]');
    await page.waitForURL(onPage('confirmForgotPassword'));
    await shot(page, 'confirm-forgot-password');
    const code = await latestCode(server.endpoint, s.poolId, username, 'ForgotPassword');
    const password = strongPassword('reset');
    await page.fill('#code', code);
    await page.fill('#password', password);
    await page.click('button[value=reset]');
    // Reset: signed in (or asked to sign in with the new password).
    await page.waitForURL((u) => atCallback(u) || onPage('login').test(u.href));
    if (!atCallback(new URL(page.url()))) {
      await page.fill('#username', username);
      await page.fill('#password', password);
      await page.click('form.form button[type=submit]');
    }
    await exchange(page, req);
    assert.deepEqual(page.problems, []);
    await context.close();
  });

  it('a request with an unregistered redirect_uri shows the error page, never that URI', async () => {
    const { context, page } = await newPage();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: 'https://evil.example.com/callback', scope: 'openid', state: 'x',
    });
    const navigations = [];
    page.on('framenavigated', (f) => { if (f === page.mainFrame()) navigations.push(f.url()); });
    const res = await page.goto(url.href);
    await page.waitForURL(onPage('error'));
    assert.equal(res.status(), 400);
    assert.ok(navigations.every((u) => !u.startsWith('https://evil.example.com')), `navigated to ${navigations}`);
    assert.match(await page.textContent('body'), /redirect_uri|callback/i);
    await shot(page, 'error');
    await context.close();
  });
});
