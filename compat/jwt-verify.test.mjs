// Cogito's tokens verified by AWS's own verifier, aws-jwt-verify.
//
// How it is pointed at cogito:
// - CognitoJwtVerifier derives the issuer from the pool id and only accepts
//   https://cognito-idp.REGION.amazonaws.com/POOL (or the issuer-cognito-idp
//   variant); it has no option for another issuer. So for cogito's issuer
//   ({endpoint}/{poolId}) we use the generic JwtVerifier (JwtRsaVerifier is its
//   deprecated alias in v5) with issuer, audience and jwksUri, and run the
//   library's own Cognito claim checks (validateCognitoJwtFields: token_use,
//   aud / client_id) from customJwtCheck.
// - The library's Node fetcher is HTTPS-only (node:https request), while the
//   test server speaks plain HTTP: a SimpleJwksCache with a Fetcher built on
//   the global fetch is passed in (the documented jwksCache / Fetcher hooks);
//   kid lookup, JWK validation and caching stay the library's.
// - Separately, the unmodified CognitoJwtVerifier is run against a server
//   started with --public-url https://cognito-idp.us-east-1.amazonaws.com, so
//   that the tokens carry AWS's issuer; its JWKS fetches are routed to the
//   local server by the same kind of Fetcher.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
  InitiateAuthCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { CognitoJwtVerifier, JwtRsaVerifier, JwtVerifier } from 'aws-jwt-verify';
import { validateCognitoJwtFields } from 'aws-jwt-verify/cognito-verifier';
import { SimpleJwksCache } from 'aws-jwt-verify/jwk';
import {
  CognitoJwtInvalidClientIdError,
  CognitoJwtInvalidTokenUseError,
  JwtBaseError,
  JwtInvalidAudienceError,
  JwtInvalidIssuerError,
  JwtInvalidScopeError,
  JwtInvalidSignatureError,
  KidNotFoundInJwksError,
  NonRetryableFetchError,
  WaitPeriodNotYetEndedJwkError,
} from 'aws-jwt-verify/error';
import { startCogito } from './lib/server.mjs';
import { cognitoClient, REGION, rejects } from './lib/env.mjs';
import { createClient, createPool, decodeJwt, strongPassword, tamperJwt } from './lib/userpool.mjs';

/**
 * An aws-jwt-verify Fetcher over the global fetch (HTTP allowed). `rewrite`
 * maps a requested URI to the one actually fetched. Records what was fetched.
 */
class HttpFetcher {
  constructor(rewrite = (uri) => uri) {
    this.rewrite = rewrite;
    this.fetched = [];
  }

  async fetch(uri) {
    const target = this.rewrite(uri);
    this.fetched.push(target);
    const res = await fetch(target, { signal: AbortSignal.timeout(5000) });
    if (res.status !== 200) {
      throw new NonRetryableFetchError(uri, `Status code is ${res.status}, expected 200`);
    }
    return res.arrayBuffer();
  }
}

/** A verifier for one pool's id or access tokens, via JwtVerifier + the Cognito claim checks. */
function poolVerifier({ issuer, clientId, tokenUse, jwksCache }) {
  return JwtVerifier.create({
    issuer,
    jwksUri: `${issuer}/.well-known/jwks.json`,
    // ID tokens carry aud = client id; access tokens have no aud but client_id.
    audience: tokenUse === 'id' ? clientId : null,
    customJwtCheck: ({ payload }) => validateCognitoJwtFields(payload, { tokenUse, clientId }),
  }, { jwksCache });
}

/** Create a confirmed user and sign in with USER_PASSWORD_AUTH; returns AuthenticationResult. */
async function signedInUser(sdk, poolId, clientId, username) {
  const password = strongPassword('j');
  await sdk.send(new AdminCreateUserCommand({
    UserPoolId: poolId,
    Username: username,
    MessageAction: 'SUPPRESS',
    UserAttributes: [
      { Name: 'email', Value: `${username}@example.com` },
      { Name: 'email_verified', Value: 'true' },
    ],
  }));
  await sdk.send(new AdminSetUserPasswordCommand({
    UserPoolId: poolId, Username: username, Password: password, Permanent: true,
  }));
  const out = await sdk.send(new InitiateAuthCommand({
    ClientId: clientId,
    AuthFlow: 'USER_PASSWORD_AUTH',
    AuthParameters: { USERNAME: username, PASSWORD: password },
  }));
  assert.ok(out.AuthenticationResult?.IdToken, 'USER_PASSWORD_AUTH returned tokens');
  return out.AuthenticationResult;
}

/** Await a verification that must fail with one of the given aws-jwt-verify error classes. */
async function expectRejected(promise, errorClasses, what) {
  const err = await rejects(promise, what);
  assert.ok(err instanceof JwtBaseError, `${what}: an aws-jwt-verify error (got ${err?.name}: ${err?.message})`);
  const classes = [errorClasses ?? []].flat();
  if (classes.length) {
    assert.ok(classes.some((C) => err instanceof C),
      `${what}: expected ${classes.map((C) => C.name).join(' or ')}, ` +
      `got ${err?.constructor?.name}: ${err?.message}`);
  }
  return err;
}

describe('aws-jwt-verify against cogito tokens', () => {
  let server;
  let sdk;
  let fetcher;
  const s = {};

  before(async () => {
    server = await startCogito();
    sdk = cognitoClient(server.endpoint);
    s.poolId = await createPool(sdk);
    s.clientId = await createClient(sdk, s.poolId);
    s.issuer = `${server.endpoint}/${s.poolId}`;
    s.tokens = await signedInUser(sdk, s.poolId, s.clientId, 'jane');

    fetcher = new HttpFetcher();
    const jwksCache = new SimpleJwksCache({ fetcher });
    s.idVerifier = poolVerifier({ issuer: s.issuer, clientId: s.clientId, tokenUse: 'id', jwksCache });
    s.accessVerifier = poolVerifier({ issuer: s.issuer, clientId: s.clientId, tokenUse: 'access', jwksCache });
  });

  after(async () => {
    sdk?.destroy();
    await server?.stop();
  });

  it('JWKS: Cache-Control max-age, RS256 signing keys with kid', async () => {
    const res = await fetch(`${s.issuer}/.well-known/jwks.json`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
    const cc = res.headers.get('cache-control') ?? '';
    const maxAge = /(?:^|[\s,])max-age=(\d+)/.exec(cc);
    assert.ok(maxAge && Number(maxAge[1]) > 0, `Cache-Control has a positive max-age (got "${cc}")`);
    const jwks = await res.json();
    assert.ok(Array.isArray(jwks.keys) && jwks.keys.length > 0, 'keys is a non-empty array');
    const kids = new Set();
    for (const k of jwks.keys) {
      assert.ok(k.kid, 'key has a kid');
      assert.ok(!kids.has(k.kid), `kid ${k.kid} is unique`);
      kids.add(k.kid);
      assert.equal(k.kty, 'RSA');
      assert.equal(k.alg, 'RS256');
      assert.equal(k.use, 'sig');
      assert.ok(k.n && k.e, 'RSA modulus and exponent');
      for (const priv of ['d', 'p', 'q', 'dp', 'dq', 'qi']) {
        assert.equal(k[priv], undefined, `no private member ${priv}`);
      }
    }
    for (const t of [s.tokens.IdToken, s.tokens.AccessToken]) {
      const { header } = decodeJwt(t);
      assert.equal(header.alg, 'RS256');
      assert.ok(kids.has(header.kid), `token kid ${header.kid} is published in the JWKS`);
    }
  });

  it('unknown pool: JWKS answers 404', async () => {
    const res = await fetch(`${server.endpoint}/${REGION}_NoSuchPool/.well-known/jwks.json`);
    await res.arrayBuffer();
    assert.equal(res.status, 404);
  });

  it('OpenID discovery names the issuer and the JWKS URI', async () => {
    const res = await fetch(`${s.issuer}/.well-known/openid-configuration`);
    assert.equal(res.status, 200);
    const doc = await res.json();
    assert.equal(doc.issuer, s.issuer);
    assert.equal(doc.jwks_uri, `${s.issuer}/.well-known/jwks.json`);
  });

  it('ID token verifies (issuer, aud = client id, token_use id)', async () => {
    const payload = await s.idVerifier.verify(s.tokens.IdToken);
    assert.equal(payload.iss, s.issuer);
    assert.equal(payload.aud, s.clientId);
    assert.equal(payload.token_use, 'id');
    assert.equal(payload['cognito:username'], 'jane');
    assert.equal(payload.email, 'jane@example.com');
    assert.ok(fetcher.fetched.includes(`${s.issuer}/.well-known/jwks.json`), 'the JWKS came from the jwksUri');
  });

  it('access token verifies (client_id, token_use access, scope)', async () => {
    const payload = await s.accessVerifier.verify(s.tokens.AccessToken);
    assert.equal(payload.iss, s.issuer);
    assert.equal(payload.client_id, s.clientId);
    assert.equal(payload.token_use, 'access');
    assert.equal(payload.username, 'jane');
    assert.ok(String(payload.scope).split(' ').includes('aws.cognito.signin.user.admin'),
      `scope includes aws.cognito.signin.user.admin (got ${payload.scope})`);
    // The synchronous API works once the JWKS is cached.
    assert.equal(s.accessVerifier.verifySync(s.tokens.AccessToken).client_id, s.clientId);
  });

  it('JwtRsaVerifier (the v4 name) is the same verifier', async () => {
    assert.equal(JwtRsaVerifier, JwtVerifier);
  });

  it('token_use and client id are enforced', async () => {
    // An access token offered as an ID token has no aud.
    await expectRejected(s.idVerifier.verify(s.tokens.AccessToken), JwtInvalidAudienceError,
      'access token through the id verifier');
    // An ID token offered as an access token has the wrong token_use.
    await expectRejected(s.accessVerifier.verify(s.tokens.IdToken), CognitoJwtInvalidTokenUseError,
      'id token through the access verifier');
    // Another app client's id.
    await expectRejected(s.accessVerifier.verify(s.tokens.AccessToken, {
      customJwtCheck: ({ payload }) =>
        validateCognitoJwtFields(payload, { tokenUse: 'access', clientId: 'someotherclientid00000000' }),
    }), CognitoJwtInvalidClientIdError, 'access token for another client id');
  });

  it('tampered payloads (original signature kept) are rejected', async () => {
    const forgedId = tamperJwt(s.tokens.IdToken, (p) => { p['cognito:username'] = 'admin'; });
    await expectRejected(s.idVerifier.verify(forgedId), JwtInvalidSignatureError, 'forged id token');
    const forgedAccess = tamperJwt(s.tokens.AccessToken, (p) => { p.scope = `${p.scope} admin`; });
    await expectRejected(s.accessVerifier.verify(forgedAccess), JwtInvalidSignatureError, 'forged access token');
    const extended = tamperJwt(s.tokens.AccessToken, (p) => { p.exp += 86400; });
    await expectRejected(s.accessVerifier.verify(extended), JwtInvalidSignatureError, 'access token with a later exp');
    // The originals still verify.
    await s.idVerifier.verify(s.tokens.IdToken);
  });

  it('a token of another pool (other issuer) is rejected; its own verifier accepts it', async () => {
    const otherPool = await createPool(sdk);
    const otherClient = await createClient(sdk, otherPool);
    const other = await signedInUser(sdk, otherPool, otherClient, 'jane');
    const otherIssuer = `${server.endpoint}/${otherPool}`;
    assert.equal(decodeJwt(other.IdToken).payload.iss, otherIssuer);

    // Signing keys are per pool: the other pool's kid is not in this pool's
    // JWKS. The verifier looks the kid up before it checks claims, so it fails
    // on the kid (or, having just refetched the JWKS for that kid, waits in its
    // penalty box); a verifier that had the key would fail on the issuer.
    const thisJwks = await (await fetch(`${s.issuer}/.well-known/jwks.json`)).json();
    const otherKid = decodeJwt(other.IdToken).header.kid;
    assert.ok(!thisJwks.keys.some((k) => k.kid === otherKid), 'pools do not share signing keys');
    const notOurs = [JwtInvalidIssuerError, KidNotFoundInJwksError, WaitPeriodNotYetEndedJwkError];
    await expectRejected(s.idVerifier.verify(other.IdToken), notOurs,
      'other pool id token through this pool\'s verifier');
    await expectRejected(s.accessVerifier.verify(other.AccessToken), notOurs,
      'other pool access token through this pool\'s verifier');

    // Given the other pool's keys (jwksUri pointing at them) and its client
    // id, a verifier configured with this pool's issuer still refuses: the
    // issuer claim pins the pool.
    const wrongIssuerVerifier = JwtVerifier.create({
      issuer: s.issuer,
      jwksUri: `${otherIssuer}/.well-known/jwks.json`,
      audience: otherClient,
      customJwtCheck: ({ payload }) => validateCognitoJwtFields(payload, { tokenUse: 'id', clientId: otherClient }),
    }, { jwksCache: new SimpleJwksCache({ fetcher: new HttpFetcher() }) });
    await expectRejected(wrongIssuerVerifier.verify(other.IdToken), JwtInvalidIssuerError,
      'other pool token, right keys, this pool\'s issuer');

    const otherVerifier = poolVerifier({
      issuer: otherIssuer, clientId: otherClient, tokenUse: 'id',
      jwksCache: new SimpleJwksCache({ fetcher: new HttpFetcher() }),
    });
    assert.equal((await otherVerifier.verify(other.IdToken)).iss, otherIssuer);
  });

  it('a token re-labelled with this pool\'s issuer fails the signature check', async () => {
    const otherPool = await createPool(sdk);
    const otherClient = await createClient(sdk, otherPool);
    const other = await signedInUser(sdk, otherPool, otherClient, 'mallory');
    const relabelled = tamperJwt(other.IdToken, (p) => { p.iss = s.issuer; p.aud = s.clientId; });
    // Either the other pool's kid is unknown in this pool's JWKS, or (if keys
    // are shared) the signature no longer matches the payload.
    await expectRejected(s.idVerifier.verify(relabelled), null, 'relabelled token');
  });

  it('tokens from REFRESH_TOKEN_AUTH verify too', async () => {
    const out = await sdk.send(new InitiateAuthCommand({
      ClientId: s.clientId,
      AuthFlow: 'REFRESH_TOKEN_AUTH',
      AuthParameters: { REFRESH_TOKEN: s.tokens.RefreshToken },
    }));
    const r = out.AuthenticationResult;
    assert.ok(r?.AccessToken && r?.IdToken, 'refresh returned access and id tokens');
    assert.equal((await s.idVerifier.verify(r.IdToken))['cognito:username'], 'jane');
    assert.equal((await s.accessVerifier.verify(r.AccessToken)).client_id, s.clientId);
  });
});

describe('unmodified CognitoJwtVerifier with an AWS-style issuer (--public-url)', () => {
  const PUBLIC_URL = `https://cognito-idp.${REGION}.amazonaws.com`;
  let server;
  let sdk;
  const s = {};

  before(async () => {
    server = await startCogito({ args: ['--public-url', PUBLIC_URL] });
    sdk = cognitoClient(server.endpoint);
    s.poolId = await createPool(sdk);
    s.clientId = await createClient(sdk, s.poolId);
    s.tokens = await signedInUser(sdk, s.poolId, s.clientId, 'kim');
    // The verifier asks for https://cognito-idp.REGION.amazonaws.com/POOL/.well-known/jwks.json;
    // serve that from the local server.
    s.fetcher = new HttpFetcher((uri) => uri.replace(PUBLIC_URL, server.endpoint));
  });

  after(async () => {
    sdk?.destroy();
    await server?.stop();
  });

  it('tokens carry the AWS issuer and pass CognitoJwtVerifier', async () => {
    assert.equal(decodeJwt(s.tokens.IdToken).payload.iss, `${PUBLIC_URL}/${s.poolId}`);
    const jwksCache = new SimpleJwksCache({ fetcher: s.fetcher });
    const idVerifier = CognitoJwtVerifier.create(
      { userPoolId: s.poolId, clientId: s.clientId, tokenUse: 'id' }, { jwksCache });
    const accessVerifier = CognitoJwtVerifier.create(
      { userPoolId: s.poolId, clientId: s.clientId, tokenUse: 'access' }, { jwksCache });

    const id = await idVerifier.verify(s.tokens.IdToken);
    assert.equal(id['cognito:username'], 'kim');
    const access = await accessVerifier.verify(s.tokens.AccessToken, { scope: 'aws.cognito.signin.user.admin' });
    assert.equal(access.client_id, s.clientId);
    await expectRejected(accessVerifier.verify(s.tokens.AccessToken, { scope: 'openid' }), JwtInvalidScopeError,
      'access token without the required scope');
    assert.deepEqual(s.fetcher.fetched, [`${server.endpoint}/${s.poolId}/.well-known/jwks.json`],
      'one JWKS fetch, cached for the second verifier');

    await expectRejected(accessVerifier.verify(s.tokens.IdToken), CognitoJwtInvalidTokenUseError,
      'id token through the access verifier');
    await expectRejected(idVerifier.verify(tamperJwt(s.tokens.IdToken, (p) => { p.email = 'x@example.com'; })),
      JwtInvalidSignatureError, 'forged id token');
  });
});
