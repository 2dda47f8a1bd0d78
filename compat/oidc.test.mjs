// OpenID Connect with openid-client (v6, a certified relying party) against
// the built server: discovery, the authorization code flow with PKCE (the
// hosted UI's sign-in form driven with fetch and cookies), ID token checks
// (signature included, via enableNonRepudiationChecks), userInfo, refresh,
// revocation, and client credentials with resource-server scopes. Access
// tokens are checked with aws-jwt-verify.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as client from 'openid-client';
import { startCogito } from './lib/server.mjs';
import { cognitoClient, rejects } from './lib/env.mjs';
import { createPool, decodeJwt, strongPassword } from './lib/userpool.mjs';
import {
  API,
  FormBrowser,
  accessTokenVerifier,
  createConfirmedUser,
  createOAuthClient,
  createResourceServer,
  signInWithForm,
  startApp,
} from './lib/oauth.mjs';

describe('OpenID Connect relying party: openid-client', () => {
  let server;
  let app;
  let sdk;
  let issuer;
  const s = {};
  const insecure = { execute: [client.allowInsecureRequests] }; // http on loopback

  before(async () => {
    server = await startCogito();
    app = await startApp();
    sdk = cognitoClient(server.endpoint);
    s.poolId = await createPool(sdk);
    issuer = `${server.endpoint}/${s.poolId}`;
    await createResourceServer(sdk, s.poolId);
    s.web = await createOAuthClient(sdk, s.poolId, {
      GenerateSecret: true, AllowedOAuthFlows: ['code'],
      AllowedOAuthScopes: ['openid', 'email', 'profile', `${API}/read`],
      CallbackURLs: [app.callback], LogoutURLs: [app.signedOut],
    });
    s.spa = await createOAuthClient(sdk, s.poolId, {
      GenerateSecret: false, AllowedOAuthFlows: ['code'], AllowedOAuthScopes: ['openid', 'email'],
      CallbackURLs: [app.callback],
    });
    s.m2m = await createOAuthClient(sdk, s.poolId, {
      GenerateSecret: true, AllowedOAuthFlows: ['client_credentials'], AllowedOAuthScopes: [`${API}/read`, `${API}/write`],
    });
    s.username = 'oidc-user';
    s.email = 'oidc-user@example.com';
    s.password = strongPassword('oidc');
    await createConfirmedUser(sdk, s.poolId, s.username, s.password, { email: s.email, email_verified: 'true', name: 'O. Idc' });
  });

  after(async () => {
    sdk?.destroy();
    await app?.close();
    await server?.stop();
  });

  const discover = async (id, auth, metadata) => {
    const config = await client.discovery(new URL(issuer), id, metadata, auth, insecure);
    client.enableNonRepudiationChecks(config); // verify ID token signatures with the JWKS
    return config;
  };

  // The authorization code flow with PKCE for a client; returns the tokens.
  async function codeFlow(config, scope, extraChecks = {}) {
    const pkceCodeVerifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const nonce = client.randomNonce();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: app.callback, scope, state, nonce,
      code_challenge: await client.calculatePKCECodeChallenge(pkceCodeVerifier), code_challenge_method: 'S256',
    });
    assert.equal(url.origin + url.pathname, `${issuer}/oauth2/authorize`);
    const back = await signInWithForm(new FormBrowser(), url.href, s.username, s.password, app.callback);
    assert.equal(back.searchParams.get('state'), state);
    const tokens = await client.authorizationCodeGrant(config, back, {
      pkceCodeVerifier, expectedState: state, expectedNonce: nonce, idTokenExpected: scope.includes('openid'), ...extraChecks,
    });
    return { tokens, nonce, back, pkceCodeVerifier };
  }

  it('discovers the issuer', async () => {
    const config = await discover(s.web.clientId, client.ClientSecretBasic(s.web.clientSecret));
    const md = config.serverMetadata();
    assert.equal(md.issuer, issuer);
    assert.equal(md.authorization_endpoint, `${issuer}/oauth2/authorize`);
    assert.equal(md.token_endpoint, `${issuer}/oauth2/token`);
    assert.equal(md.userinfo_endpoint, `${issuer}/oauth2/userInfo`);
    assert.equal(md.jwks_uri, `${issuer}/.well-known/jwks.json`);
    assert.ok(md.code_challenge_methods_supported.includes('S256'));
    assert.ok(md.supportsPKCE());
  });

  it('authorization code with PKCE (client_secret_basic): tokens, userInfo, refresh, revocation', async () => {
    const config = await discover(s.web.clientId, client.ClientSecretBasic(s.web.clientSecret));
    const { tokens, nonce } = await codeFlow(config, `openid email profile ${API}/read`);
    assert.equal(tokens.token_type.toLowerCase(), 'bearer');
    assert.ok(tokens.refresh_token, 'a refresh token');
    assert.ok(tokens.expiresIn() > 3500, 'expires in an hour');
    const claims = tokens.claims();
    assert.equal(claims.iss, issuer);
    assert.equal(claims.aud, s.web.clientId);
    assert.equal(claims.nonce, nonce);
    assert.equal(claims.email, s.email);
    assert.equal(claims['cognito:username'], s.username);
    assert.equal(claims.token_use, 'id');

    const access = accessTokenVerifier(issuer, s.web.clientId);
    const at = await access.verify(tokens.access_token);
    assert.equal(at.token_use, 'access');
    assert.equal(at.client_id, s.web.clientId);
    assert.equal(at.sub, claims.sub);
    for (const sc of ['openid', 'email', 'profile', `${API}/read`]) {
      assert.ok(at.scope.split(' ').includes(sc), `scope ${at.scope} has ${sc}`);
    }

    const info = await client.fetchUserInfo(config, tokens.access_token, claims.sub);
    assert.equal(info.sub, claims.sub);
    assert.equal(info.email, s.email);
    assert.equal(info.name, 'O. Idc');
    assert.equal(info.username, s.username);
    // A wrong expected subject is caught by the client.
    await rejects(client.fetchUserInfo(config, tokens.access_token, 'someone-else'), 'userInfo subject mismatch');

    const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token);
    assert.notEqual(refreshed.access_token, tokens.access_token);
    assert.equal(refreshed.claims().sub, claims.sub, 'the refreshed ID token is the same user');
    assert.equal(decodeJwt(refreshed.access_token).payload.scope, at.scope, 'refresh keeps the scopes');

    await client.tokenRevocation(config, tokens.refresh_token);
    const err = await rejects(client.refreshTokenGrant(config, tokens.refresh_token), 'refresh after revocation');
    assert.equal(err.error, 'invalid_grant', `${err.code}: ${err.message}`);
  });

  it('authorization code with PKCE for a public client, and PKCE failures', async () => {
    const config = await discover(s.spa.clientId, client.None());
    const { tokens } = await codeFlow(config, 'openid email');
    assert.equal(tokens.claims().aud, s.spa.clientId);

    // A wrong verifier: invalid_grant from the server.
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: app.callback, scope: 'openid', state,
      code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
    });
    const back = await signInWithForm(new FormBrowser(), url.href, s.username, s.password, app.callback);
    const err = await rejects(client.authorizationCodeGrant(config, back, {
      pkceCodeVerifier: client.randomPKCECodeVerifier(), expectedState: state,
    }), 'wrong PKCE verifier');
    assert.equal(err.error, 'invalid_grant', `${err.code}: ${err.message}`);
    assert.equal(err.status, 400);
    // The same code with the right verifier now fails too (used, or burnt).
    const again = await rejects(client.authorizationCodeGrant(config, back, { pkceCodeVerifier: verifier, expectedState: state }), 'code after a failed attempt');
    assert.equal(again.error, 'invalid_grant');
  });

  it('an error at the authorization endpoint reaches the client as an OAuth error', async () => {
    const config = await discover(s.spa.clientId, client.None());
    const state = client.randomState();
    const url = client.buildAuthorizationUrl(config, { redirect_uri: app.callback, scope: `openid ${API}/write`, state });
    const page = await new FormBrowser().get(url.href);
    assert.ok(page.location?.href.startsWith(app.callback), `redirected to ${page.location}`);
    const err = await rejects(client.authorizationCodeGrant(config, page.location, { expectedState: state }), 'invalid_scope');
    assert.equal(err.error, 'invalid_scope', `${err.code}: ${err.message}`);
  });

  it('client credentials with resource-server scopes', async () => {
    for (const auth of [client.ClientSecretBasic(s.m2m.clientSecret), client.ClientSecretPost(s.m2m.clientSecret)]) {
      const config = await discover(s.m2m.clientId, auth);
      const tokens = await client.clientCredentialsGrant(config, { scope: `${API}/read` });
      assert.equal(tokens.id_token, undefined, 'no ID token');
      assert.equal(tokens.refresh_token, undefined, 'no refresh token');
      const verifier = accessTokenVerifier(issuer, s.m2m.clientId, [`${API}/read`]);
      const at = await verifier.verify(tokens.access_token);
      assert.equal(at.client_id, s.m2m.clientId);
      assert.equal(at.sub, s.m2m.clientId);
      assert.equal(at.scope, `${API}/read`);
    }
    const config = await discover(s.m2m.clientId, client.ClientSecretBasic(s.m2m.clientSecret));
    const all = await client.clientCredentialsGrant(config);
    assert.deepEqual(decodeJwt(all.access_token).payload.scope.split(' ').sort(), [`${API}/read`, `${API}/write`]);
    const bad = await rejects(client.clientCredentialsGrant(config, { scope: `${API}/admin` }), 'unknown scope');
    assert.equal(bad.error, 'invalid_scope');
    const wrong = await discover(s.m2m.clientId, client.ClientSecretBasic('not-the-secret'));
    // RFC 6749 §5.2: a 401 with a Basic challenge, which openid-client
    // surfaces as a WWW-Authenticate challenge error; the body says invalid_client.
    const err = await rejects(client.clientCredentialsGrant(wrong), 'wrong secret');
    assert.equal(err.status, 401);
    assert.equal(err.cause?.[0]?.scheme, 'basic', `challenge ${JSON.stringify(err.cause)}`);
    assert.equal((await err.response.json()).error, 'invalid_client');
  });
});
