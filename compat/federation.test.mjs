// Federated sign-in in a real browser: Playwright (playwright-core) driving
// Debian's Chromium. The identity provider is a local OpenID Provider built
// on the certified `oidc-provider` package (compat/lib/oidc-provider.mjs);
// Cogito takes it for Google through the config file's
// identityProviderEndpoints (every endpoint given explicitly, no discovery).
// The hosted UI's sign-in page shows "Continue with Google"; pressing it
// leads to the provider's sign-in form, which the browser submits; Cogito's
// /oauth2/idpresponse then sends the browser to the app's callback with a
// code and the state; the code is exchanged with openid-client, and the id
// token names the Google identity and carries the mapped email.
// Screenshots go to compat/artifacts/.
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
import {
  AdminGetUserCommand, CreateIdentityProviderCommand, DescribeIdentityProviderCommand,
  GetUserCommand, GlobalSignOutCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { makeTempDir, startCogito } from './lib/server.mjs';
import { cognitoClient, requireDep, skipUnlessCI } from './lib/env.mjs';
import { createPool, expectErrorName } from './lib/userpool.mjs';
import { CHROMIUM, CHROMIUM_ARGS, chromiumMissing, createOAuthClient, startApp } from './lib/oauth.mjs';
import { startOidcProvider } from './lib/oidc-provider.mjs';

const ARTIFACTS = path.join(path.dirname(fileURLToPath(import.meta.url)), 'artifacts');
const missing = chromiumMissing();
const reEscape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('federated sign-in with Google in Chromium (oidc-provider upstream)', { skip: skipUnlessCI(missing) }, () => {
  let op;
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
    op = await startOidcProvider();
    // oidc-provider's routes: /auth, /token, /me, /jwks.
    const cfgFile = path.join(makeTempDir('cogito-fed-cfg-'), 'cogito.yaml');
    fs.writeFileSync(cfgFile, [
      'identityProviderEndpoints:',
      '  Google:',
      `    issuer: ${op.issuer}`,
      `    authorizeUrl: ${op.issuer}/auth`,
      `    tokenUrl: ${op.issuer}/token`,
      `    userInfoUrl: ${op.issuer}/me`,
      `    jwksUri: ${op.issuer}/jwks`,
      '',
    ].join('\n'));
    server = await startCogito({ args: ['--config', cfgFile] });
    app = await startApp();
    sdk = cognitoClient(server.endpoint);
    s.poolId = await createPool(sdk);
    issuer = `${server.endpoint}/${s.poolId}`;
    await sdk.send(new CreateIdentityProviderCommand({
      UserPoolId: s.poolId, ProviderName: 'Google', ProviderType: 'Google',
      ProviderDetails: { client_id: op.clientId, client_secret: op.clientSecret, authorize_scopes: 'openid email profile' },
      AttributeMapping: { email: 'email' },
    }));
    s.app = await createOAuthClient(sdk, s.poolId, {
      ClientName: 'Orders', GenerateSecret: false, AllowedOAuthFlows: ['code'],
      AllowedOAuthScopes: ['openid', 'email', 'profile'],
      CallbackURLs: [app.callback], LogoutURLs: [app.signedOut],
      SupportedIdentityProviders: ['COGNITO', 'Google'],
    });
    await op.register([`${issuer}/oauth2/idpresponse`]);
    config = await client.discovery(new URL(issuer), s.app.clientId, undefined, client.None(),
      { execute: [client.allowInsecureRequests] });
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  });

  after(async () => {
    await browser?.close();
    sdk?.destroy();
    await app?.close();
    await server?.stop();
    await op?.close();
  });

  async function shot(page, name) {
    await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
  }

  it('Continue with Google → the provider\'s sign-in form → callback → tokens with the Google identity', async () => {
    const { ProviderType } = (await sdk.send(new DescribeIdentityProviderCommand({
      UserPoolId: s.poolId, ProviderName: 'Google',
    }))).IdentityProvider;
    assert.equal(ProviderType, 'Google');

    const context = await browser.newContext();
    const page = await context.newPage();
    const problems = [];
    page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
    page.on('console', (msg) => {
      if (msg.type() === 'error' && !/Failed to load resource/.test(msg.text())) problems.push(`console: ${msg.text()}`);
    });
    page.on('response', (res) => {
      const u = new URL(res.url());
      if (res.status() >= 400 && res.request().resourceType() !== 'document' && u.pathname !== '/favicon.ico') {
        problems.push(`${res.status()} ${res.url()}`);
      }
    });

    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const nonce = client.randomNonce();
    const authUrl = client.buildAuthorizationUrl(config, {
      redirect_uri: app.callback, scope: 'openid email profile', state, nonce,
      code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
    });

    // The hosted UI's sign-in page, with the Google button.
    await page.goto(authUrl.href);
    await page.waitForURL(new RegExp(`^${reEscape(issuer)}/login(\\?|$)`));
    const button = page.locator('a[data-provider="Google"]');
    assert.equal(await button.count(), 1, 'one Google button on the sign-in page');
    assert.equal((await button.textContent()).trim(), 'Continue with Google');
    await shot(page, 'federation-login');

    // Press it: on to the provider's sign-in form.
    await button.click();
    await page.waitForURL((u) => u.href.startsWith(`${op.issuer}/interaction/`), { timeout: 10_000 });
    assert.equal(await page.textContent('#op'), 'Local OpenID Provider');
    await shot(page, 'federation-provider');

    // What Cogito asked the provider for (the provider saw these, the
    // browser carried them): Cogito's idpresponse, PKCE S256, a nonce.
    const authorizeHit = op.requests.find((r) => r.method === 'GET' && r.path === '/auth');
    assert.ok(authorizeHit, `the browser went through the provider's /auth: ${JSON.stringify(op.requests)}`);
    const q = authorizeHit.query;
    assert.equal(q.redirect_uri, `${issuer}/oauth2/idpresponse`);
    assert.equal(q.client_id, op.clientId);
    assert.equal(q.response_type, 'code');
    assert.equal(q.code_challenge_method, 'S256');
    assert.ok(q.code_challenge && q.state && q.nonce, `upstream request with PKCE, state and nonce: ${JSON.stringify(q)}`);
    assert.deepEqual(q.scope.split(' ').sort(), ['email', 'openid', 'profile']);

    // A wrong password first: the provider's form again, no way back.
    await page.fill('#email', op.user.email);
    await page.fill('#password', 'not the password');
    await page.click('#op-sign-in');
    await page.waitForSelector('#op-error');

    await page.fill('#email', op.user.email);
    await page.fill('#password', op.user.password);
    await page.click('#op-sign-in');

    try {
      await page.waitForURL((u) => u.href.startsWith(`${app.callback}?`), { timeout: 15_000 });
    } catch (err) {
      throw new Error(`never reached the callback: at ${page.url()}: ${(await page.textContent('body').catch(() => ''))?.slice(0, 1500)}\n` +
        `--- cogito ---\n${server.logs().slice(-4000)}`, { cause: err });
    }
    assert.equal(await page.textContent('#app'), 'Callback');
    const back = new URL(page.url());
    assert.ok(back.searchParams.get('code'), `callback ${back} has a code`);
    assert.equal(back.searchParams.get('state'), state);
    assert.equal(back.searchParams.get('error'), null);

    // Cogito redeemed the provider's code and read its keys and userinfo.
    const paths = op.requests.map((r) => `${r.method} ${r.path}`);
    for (const want of ['POST /token', 'GET /jwks']) assert.ok(paths.includes(want), `provider saw ${want}: ${paths}`);

    const tokens = await client.authorizationCodeGrant(config, back, {
      pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce, idTokenExpected: true,
    });
    const claims = tokens.claims();
    assert.equal(claims.iss, issuer);
    assert.equal(claims.aud, s.app.clientId);
    assert.equal(claims.nonce, nonce);
    assert.equal(claims.email, op.user.email, 'the mapped email');
    assert.equal(claims['cognito:username'], `Google_${op.user.sub}`);
    assert.ok(Array.isArray(claims.identities) && claims.identities.length === 1,
      `identities claim ${JSON.stringify(claims.identities)}, want an array of one`);
    const [identity] = claims.identities;
    assert.equal(identity.providerName, 'Google');
    assert.equal(identity.providerType, 'Google');
    assert.equal(identity.userId, op.user.sub);
    assert.ok(identity.primary === true || identity.primary === 'true', `identities[0].primary ${identity.primary}`);
    assert.ok(tokens.access_token, 'an access token');

    const user = await sdk.send(new AdminGetUserCommand({ UserPoolId: s.poolId, Username: `Google_${op.user.sub}` }));
    assert.equal(user.UserStatus, 'EXTERNAL_PROVIDER');
    assert.equal(user.UserAttributes.find((a) => a.Name === 'email')?.Value, op.user.email);

    assert.deepEqual(problems, [], 'no script errors or failed loads on the pages');
    await context.close();
  });
});

// A generic OIDC identity provider ("Corp"): no config override, Cogito
// discovers the provider's endpoints from oidc_issuer. The app sends the
// browser straight to /oauth2/authorize?identity_provider=Corp (no hosted UI
// page), the provider's form is submitted, and the code is exchanged. The
// access token then serves GetUser until GlobalSignOut revokes it.
describe('federated sign-in with a generic OIDC provider in Chromium (discovery from oidc_issuer)', { skip: skipUnlessCI(missing) }, () => {
  let op;
  let server;
  let app;
  let sdk;
  let browser;
  let issuer;
  let config;
  const s = {};

  before(async () => {
    requireDep(missing);
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    op = await startOidcProvider({
      clientId: 'corp-sso-client',
      user: { sub: 'corp-7f3a9c', email: 'carol@corp.example', password: 'corp password 1234', name: 'Carol Corp' },
      // email and name only from userinfo, so Cogito has to call it (GET).
      conformIdTokenClaims: true,
    });
    server = await startCogito();
    app = await startApp();
    sdk = cognitoClient(server.endpoint);
    s.poolId = await createPool(sdk);
    issuer = `${server.endpoint}/${s.poolId}`;
    // Register first: Cogito may fetch the discovery document when the
    // identity provider is created, and the provider answers 503 until then.
    await op.register([`${issuer}/oauth2/idpresponse`]);
    await sdk.send(new CreateIdentityProviderCommand({
      UserPoolId: s.poolId, ProviderName: 'Corp', ProviderType: 'OIDC',
      ProviderDetails: {
        client_id: op.clientId, client_secret: op.clientSecret, attributes_request_method: 'GET',
        oidc_issuer: op.issuer, authorize_scopes: 'openid email profile',
      },
      AttributeMapping: { email: 'email', name: 'name' },
    }));
    s.app = await createOAuthClient(sdk, s.poolId, {
      ClientName: 'Intranet', GenerateSecret: false, AllowedOAuthFlows: ['code'],
      AllowedOAuthScopes: ['openid', 'email', 'profile', 'aws.cognito.signin.user.admin'],
      CallbackURLs: [app.callback], LogoutURLs: [app.signedOut],
      SupportedIdentityProviders: ['COGNITO', 'Corp'],
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
    await op?.close();
  });

  it('identity_provider=Corp → the provider\'s sign-in form → callback → tokens → GetUser, GlobalSignOut', async () => {
    const described = (await sdk.send(new DescribeIdentityProviderCommand({
      UserPoolId: s.poolId, ProviderName: 'Corp',
    }))).IdentityProvider;
    assert.equal(described.ProviderType, 'OIDC');
    assert.equal(described.ProviderDetails.oidc_issuer, op.issuer);

    const context = await browser.newContext();
    const page = await context.newPage();
    const problems = [];
    page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
    page.on('console', (msg) => {
      if (msg.type() === 'error' && !/Failed to load resource/.test(msg.text())) problems.push(`console: ${msg.text()}`);
    });

    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const nonce = client.randomNonce();
    const authUrl = client.buildAuthorizationUrl(config, {
      redirect_uri: app.callback, scope: 'openid email profile aws.cognito.signin.user.admin', state, nonce,
      code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
      identity_provider: 'Corp',
    });

    // Straight to the provider: no hosted UI page on the way.
    await page.goto(authUrl.href);
    try {
      await page.waitForURL((u) => u.href.startsWith(`${op.issuer}/interaction/`), { timeout: 10_000 });
    } catch (err) {
      throw new Error(`never reached the provider: at ${page.url()}: ${(await page.textContent('body').catch(() => ''))?.slice(0, 1500)}\n` +
        `--- cogito ---\n${server.logs().slice(-4000)}`, { cause: err });
    }
    assert.equal(await page.textContent('#op'), 'Local OpenID Provider');
    await shot(page, 'federation-oidc-provider');

    // Cogito found the provider's endpoints through discovery.
    const paths = () => op.requests.map((r) => `${r.method} ${r.path}`);
    assert.ok(paths().includes('GET /.well-known/openid-configuration'), `discovery fetched: ${paths()}`);
    const authorizeHit = op.requests.find((r) => r.method === 'GET' && r.path === '/auth');
    assert.ok(authorizeHit, `the browser went through the provider's /auth: ${paths()}`);
    const q = authorizeHit.query;
    assert.equal(q.redirect_uri, `${issuer}/oauth2/idpresponse`);
    assert.equal(q.client_id, op.clientId);
    assert.equal(q.response_type, 'code');
    assert.ok(q.state, `upstream request with a state: ${JSON.stringify(q)}`);
    assert.deepEqual(q.scope.split(' ').sort(), ['email', 'openid', 'profile']);

    await page.fill('#email', op.user.email);
    await page.fill('#password', op.user.password);
    await page.click('#op-sign-in');
    try {
      await page.waitForURL((u) => u.href.startsWith(`${app.callback}?`), { timeout: 15_000 });
    } catch (err) {
      throw new Error(`never reached the callback: at ${page.url()}: ${(await page.textContent('body').catch(() => ''))?.slice(0, 1500)}\n` +
        `--- cogito ---\n${server.logs().slice(-4000)}`, { cause: err });
    }
    assert.equal(await page.textContent('#app'), 'Callback');
    const back = new URL(page.url());
    assert.ok(back.searchParams.get('code'), `callback ${back} has a code`);
    assert.equal(back.searchParams.get('state'), state);
    assert.equal(back.searchParams.get('error'), null);
    await shot(page, 'federation-oidc-callback');

    // Cogito redeemed the code and, the id token lacking email and name, read
    // them from userinfo with attributes_request_method GET.
    for (const want of ['POST /token', 'GET /jwks', 'GET /me']) assert.ok(paths().includes(want), `provider saw ${want}: ${paths()}`);

    const tokens = await client.authorizationCodeGrant(config, back, {
      pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce, idTokenExpected: true,
    });
    const claims = tokens.claims();
    assert.equal(claims.iss, issuer);
    assert.equal(claims.aud, s.app.clientId);
    assert.equal(claims.nonce, nonce);
    assert.equal(claims.email, op.user.email, 'the mapped email');
    assert.equal(claims.name, op.user.name, 'the mapped name');
    const username = `Corp_${op.user.sub}`;
    assert.equal(claims['cognito:username'], username);
    assert.ok(Array.isArray(claims.identities) && claims.identities.length === 1,
      `identities claim ${JSON.stringify(claims.identities)}, want an array of one`);
    const [identity] = claims.identities;
    assert.equal(identity.providerName, 'Corp');
    assert.equal(identity.providerType, 'OIDC');
    assert.equal(identity.userId, op.user.sub);
    assert.ok(tokens.access_token, 'an access token');

    const user = await sdk.send(new AdminGetUserCommand({ UserPoolId: s.poolId, Username: username }));
    assert.equal(user.UserStatus, 'EXTERNAL_PROVIDER');

    // The access token (with aws.cognito.signin.user.admin) works for GetUser…
    const me = await sdk.send(new GetUserCommand({ AccessToken: tokens.access_token }));
    assert.equal(me.Username, username);
    const attrs = Object.fromEntries(me.UserAttributes.map((a) => [a.Name, a.Value]));
    assert.equal(attrs.email, op.user.email);
    assert.equal(attrs.name, op.user.name);

    // …until GlobalSignOut, after which it is refused.
    await sdk.send(new GlobalSignOutCommand({ AccessToken: tokens.access_token }));
    await expectErrorName(sdk.send(new GetUserCommand({ AccessToken: tokens.access_token })), 'NotAuthorizedException',
      'GetUser after GlobalSignOut');

    assert.deepEqual(problems, [], 'no script errors on the pages');
    await context.close();
  });

  async function shot(page, name) {
    await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
  }
});
