// End-user sign-in through amazon-cognito-identity-js (client-side SRP, the
// library behind Amplify v5 and many web apps), pointed at cogito with
// `new CognitoUserPool({ UserPoolId, ClientId, endpoint })`.
// Pools, clients and admin-created users are set up with the AWS SDK v3.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  AdminCreateUserCommand,
  AdminGetUserCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { startCogito } from './lib/server.mjs';
import { cognitoClient } from './lib/env.mjs';
import {
  createClient,
  createPool,
  decodeJwt,
  expectErrorName,
  latestCode,
  otherCode,
  strongPassword,
} from './lib/userpool.mjs';
import {
  attribute,
  authenticate,
  changePassword,
  cognitoUser,
  completeNewPasswordChallenge,
  confirmRegistration,
  getUserAttributes,
  globalSignOut,
  recordCognitoCalls,
  refreshSession,
  signUp,
  userPool,
} from './lib/identity-js.mjs';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('amazon-cognito-identity-js (client-side SRP) against cogito', () => {
  let server;
  let sdk;
  let recorder;
  const s = {}; // state shared by the sequential steps below

  /** The cognito-idp calls the library made since `mark` (an index into calls). */
  const callsSince = (mark) => recorder.calls.slice(mark);
  const flowOf = (call) => call.request?.AuthFlow ?? call.request?.ChallengeName;

  before(async () => {
    server = await startCogito();
    sdk = cognitoClient(server.endpoint);
    recorder = recordCognitoCalls(server.endpoint);
    s.poolId = await createPool(sdk, { AutoVerifiedAttributes: ['email'] });
    s.clientId = await createClient(sdk, s.poolId);
    s.pool = userPool(server.endpoint, s.poolId, s.clientId);
    s.username = 'carol';
    s.email = 'carol@example.com';
    s.password = strongPassword('a');
  });

  after(async () => {
    recorder?.restore();
    sdk?.destroy();
    await server?.stop();
  });

  it('userPool.signUp -> unconfirmed user, code delivered by email (masked)', async () => {
    const out = await signUp(s.pool, s.username, s.password, [attribute('email', s.email)]);
    assert.equal(out.userConfirmed, false);
    assert.match(out.userSub ?? '', UUID, 'userSub is a UUID');
    assert.equal(out.codeDeliveryDetails?.DeliveryMedium, 'EMAIL');
    assert.equal(out.codeDeliveryDetails?.AttributeName, 'email');
    assert.ok(out.codeDeliveryDetails?.Destination, 'Destination present');
    assert.notEqual(out.codeDeliveryDetails.Destination, s.email, 'Destination is masked');
    assert.equal(out.user.getUsername(), s.username);
    s.sub = out.userSub;
    s.user = out.user;
  });

  it('confirmRegistration: wrong code -> CodeMismatchException, outbox code -> SUCCESS', async () => {
    const code = await latestCode(server.endpoint, s.poolId, s.username, 'SignUp');
    await expectErrorName(confirmRegistration(s.user, otherCode(code)), 'CodeMismatchException');
    assert.equal(await confirmRegistration(s.user, code), 'SUCCESS');
    const u = await sdk.send(new AdminGetUserCommand({ UserPoolId: s.poolId, Username: s.username }));
    assert.equal(u.UserStatus, 'CONFIRMED');
  });

  it('authenticateUser (USER_SRP_AUTH + PASSWORD_VERIFIER) -> id, access and refresh tokens', async () => {
    const mark = recorder.calls.length;
    const user = cognitoUser(s.pool, s.username);
    const { session } = await authenticate(user, s.username, s.password);
    assert.ok(session, 'onSuccess with a session');
    assert.ok(session.isValid(), 'session is valid');

    // What went over the wire: SRP, not a plain password.
    const calls = callsSince(mark);
    assert.deepEqual(calls.map((c) => `${c.operation}:${flowOf(c)}:${c.status}`), [
      'InitiateAuth:USER_SRP_AUTH:200',
      'RespondToAuthChallenge:PASSWORD_VERIFIER:200',
    ]);
    assert.ok(calls[0].request.AuthParameters.SRP_A, 'the library sent SRP_A');
    assert.equal(calls[0].request.AuthParameters.PASSWORD, undefined, 'no password on the wire');
    const cp = calls[0].response.ChallengeParameters;
    assert.equal(calls[0].response.ChallengeName, 'PASSWORD_VERIFIER');
    assert.equal(cp.USER_ID_FOR_SRP, s.username);
    for (const k of ['SALT', 'SRP_B', 'SECRET_BLOCK']) assert.ok(cp[k], `ChallengeParameters.${k}`);
    assert.equal(calls[1].response.AuthenticationResult?.TokenType, 'Bearer');

    const id = session.getIdToken();
    const access = session.getAccessToken();
    const refresh = session.getRefreshToken();
    assert.ok(id.getJwtToken() && access.getJwtToken() && refresh.getToken(), 'three tokens');

    const idp = id.payload;
    assert.equal(idp['cognito:username'], s.username);
    assert.equal(idp.email, s.email);
    assert.equal(idp.token_use, 'id');
    assert.equal(idp.aud, s.clientId);
    assert.equal(idp.sub, s.sub);
    assert.equal(idp.iss, `${server.endpoint}/${s.poolId}`);
    assert.ok(idp.exp > idp.iat && idp.auth_time, 'exp/iat/auth_time');

    const ap = access.payload;
    assert.equal(ap.token_use, 'access');
    assert.equal(ap.client_id, s.clientId);
    assert.equal(ap.username, s.username);
    assert.equal(ap.sub, s.sub);
    assert.equal(ap.aud, undefined, 'access tokens carry no aud');

    const { header } = decodeJwt(id.getJwtToken());
    assert.equal(header.alg, 'RS256');
    assert.ok(header.kid, 'JWT header has a kid');

    s.user = user;
    s.session = session;
  });

  it('refreshSession(refreshToken) -> new access and id tokens (REFRESH_TOKEN_AUTH)', async () => {
    const mark = recorder.calls.length;
    const old = s.session;
    const session = await refreshSession(s.user, old.getRefreshToken());
    const calls = callsSince(mark);
    assert.deepEqual(calls.map((c) => `${c.operation}:${flowOf(c)}:${c.status}`),
      ['InitiateAuth:REFRESH_TOKEN_AUTH:200']);
    assert.ok(session.isValid());
    assert.notEqual(session.getAccessToken().getJwtToken(), old.getAccessToken().getJwtToken(),
      'a new access token');
    assert.notEqual(session.getIdToken().getJwtToken(), old.getIdToken().getJwtToken(), 'a new id token');
    assert.equal(session.getIdToken().payload.sub, s.sub);
    assert.equal(session.getIdToken().payload['cognito:username'], s.username);
    assert.equal(session.getAccessToken().payload.client_id, s.clientId);
    assert.ok(session.getRefreshToken().getToken(), 'refresh token kept (or rotated)');
    s.session = session;
  });

  it('wrong password over SRP -> onFailure NotAuthorizedException', async () => {
    const user = cognitoUser(s.pool, s.username);
    await expectErrorName(authenticate(user, s.username, `${s.password}x`), 'NotAuthorizedException');
  });

  it('unknown user over SRP -> onFailure UserNotFoundException', async () => {
    // Without PreventUserExistenceErrors (the default for clients created by
    // the API) Cognito names the missing user.
    const user = cognitoUser(s.pool, 'nobody-here');
    await expectErrorName(authenticate(user, 'nobody-here', s.password), 'UserNotFoundException');
  });

  it('changePassword(old, new), then SRP sign-in needs the new password', async () => {
    const newPassword = strongPassword('b');
    assert.equal(await changePassword(s.user, s.password, newPassword), 'SUCCESS');
    await expectErrorName(authenticate(cognitoUser(s.pool, s.username), s.username, s.password),
      'NotAuthorizedException', 'SRP sign-in with the old password');
    s.password = newPassword;

    const user = cognitoUser(s.pool, s.username);
    const { session } = await authenticate(user, s.username, s.password);
    assert.ok(session.isValid());
    assert.equal(session.getIdToken().payload['cognito:username'], s.username);
    s.user = user;
    s.session = session;
  });

  it('changePassword with a wrong previous password -> NotAuthorizedException', async () => {
    await expectErrorName(changePassword(s.user, `${s.password}x`, strongPassword('c')),
      'NotAuthorizedException');
  });

  it('getUserAttributes (GetUser with the access token)', async () => {
    const a = await getUserAttributes(s.user);
    assert.equal(a.email, s.email);
    assert.equal(a.email_verified, 'true', 'confirming the sign-up code verified the email');
    assert.equal(a.sub, s.sub);
  });

  it('globalSignOut: the old session no longer works on GetUser, its refresh token is dead', async () => {
    const session = s.session;
    await globalSignOut(s.user);

    // A fresh CognitoUser holding the (signature-valid, unexpired) old session.
    const stale = cognitoUser(s.pool, s.username);
    stale.setSignInUserSession(session);
    assert.ok(session.isValid(), 'tokens have not expired');
    await expectErrorName(getUserAttributes(stale), 'NotAuthorizedException',
      'getUserAttributes after globalSignOut');
    // The library retries a failed refresh with backoff (~6 s) before giving up.
    const mark = recorder.calls.length;
    await expectErrorName(refreshSession(stale, session.getRefreshToken()), 'NotAuthorizedException',
      'refreshSession after globalSignOut');
    const calls = callsSince(mark);
    assert.ok(calls.length >= 1 && calls.every((c) => c.operation === 'InitiateAuth' && c.status === 400),
      'every refresh attempt was answered 400');
  });

  it('signing in again after globalSignOut works', async () => {
    const user = cognitoUser(s.pool, s.username);
    const { session } = await authenticate(user, s.username, s.password);
    assert.ok(session.isValid());
    assert.equal((await getUserAttributes(user)).email, s.email);
  });

  it('authenticationFlowType USER_PASSWORD_AUTH', async () => {
    const mark = recorder.calls.length;
    const user = cognitoUser(s.pool, s.username);
    user.setAuthenticationFlowType('USER_PASSWORD_AUTH');
    const { session } = await authenticate(user, s.username, s.password);
    const calls = callsSince(mark);
    assert.deepEqual(calls.map((c) => `${c.operation}:${flowOf(c)}:${c.status}`),
      ['InitiateAuth:USER_PASSWORD_AUTH:200']);
    assert.ok(session.isValid());
    assert.equal(session.getIdToken().payload['cognito:username'], s.username);
    assert.equal(session.getIdToken().payload.aud, s.clientId);
    assert.equal(session.getAccessToken().payload.token_use, 'access');

    const wrong = cognitoUser(s.pool, s.username);
    wrong.setAuthenticationFlowType('USER_PASSWORD_AUTH');
    await expectErrorName(authenticate(wrong, s.username, `${s.password}x`), 'NotAuthorizedException');
  });

  it('admin-created user (temporary password) -> newPasswordRequired -> completeNewPasswordChallenge', async () => {
    const username = 'dave';
    const email = 'dave@example.com';
    const temporary = strongPassword('tmp');
    await sdk.send(new AdminCreateUserCommand({
      UserPoolId: s.poolId,
      Username: username,
      TemporaryPassword: temporary,
      MessageAction: 'SUPPRESS',
      UserAttributes: [
        { Name: 'email', Value: email },
        { Name: 'email_verified', Value: 'true' },
      ],
    }));

    const mark = recorder.calls.length;
    const user = cognitoUser(s.pool, username);
    const first = await authenticate(user, username, temporary);
    assert.ok(first.newPasswordRequired, `newPasswordRequired callback (got ${Object.keys(first)})`);
    const { userAttributes, requiredAttributes } = first.newPasswordRequired;
    assert.equal(userAttributes?.email, email, 'userAttributes carries the email');
    assert.deepEqual(requiredAttributes, [], 'no required attributes are missing');
    const calls = callsSince(mark);
    assert.deepEqual(calls.map((c) => `${c.operation}:${flowOf(c)}:${c.status}`), [
      'InitiateAuth:USER_SRP_AUTH:200',
      'RespondToAuthChallenge:PASSWORD_VERIFIER:200',
    ]);
    assert.equal(calls[1].response.ChallengeName, 'NEW_PASSWORD_REQUIRED');
    assert.ok(calls[1].response.Session, 'NEW_PASSWORD_REQUIRED carries a Session');

    const newPassword = strongPassword('n');
    const done = await completeNewPasswordChallenge(user, newPassword, {});
    assert.ok(done.session, 'onSuccess after the new password');
    assert.ok(done.session.isValid());
    assert.equal(done.session.getIdToken().payload['cognito:username'], username);
    assert.equal(done.session.getIdToken().payload.email, email);
    assert.equal(callsSince(mark).at(-1).request.ChallengeName, 'NEW_PASSWORD_REQUIRED');

    const u = await sdk.send(new AdminGetUserCommand({ UserPoolId: s.poolId, Username: username }));
    assert.equal(u.UserStatus, 'CONFIRMED');

    // The temporary password is gone; the new one signs in without a challenge.
    await expectErrorName(authenticate(cognitoUser(s.pool, username), username, temporary),
      'NotAuthorizedException', 'SRP sign-in with the temporary password');
    const again = await authenticate(cognitoUser(s.pool, username), username, newPassword);
    assert.ok(again.session?.isValid(), 'direct sign-in with the new password');
  });

  describe('pool with UsernameAttributes [email]', () => {
    const e = {};

    before(async () => {
      e.poolId = await createPool(sdk, { UsernameAttributes: ['email'], AutoVerifiedAttributes: ['email'] });
      e.clientId = await createClient(sdk, e.poolId);
      e.pool = userPool(server.endpoint, e.poolId, e.clientId);
      e.email = 'erin@example.com';
      e.password = strongPassword('e');
    });

    it('signUp with the email as username, confirm with the outbox code', async () => {
      const out = await signUp(e.pool, e.email, e.password, [attribute('email', e.email)]);
      assert.equal(out.userConfirmed, false);
      assert.match(out.userSub ?? '', UUID);
      e.sub = out.userSub;
      const u = await sdk.send(new AdminGetUserCommand({ UserPoolId: e.poolId, Username: e.email }));
      assert.match(u.Username, UUID, 'the stored username is a generated UUID');
      e.storedUsername = u.Username;
      const code = await latestCode(server.endpoint, e.poolId, e.storedUsername, 'SignUp');
      assert.equal(await confirmRegistration(out.user, code), 'SUCCESS');
    });

    it('SRP sign-in with the email: USER_ID_FOR_SRP is the UUID username', async () => {
      const mark = recorder.calls.length;
      const user = cognitoUser(e.pool, e.email);
      const { session } = await authenticate(user, e.email, e.password);
      assert.ok(session.isValid());
      const calls = callsSince(mark);
      assert.deepEqual(calls.map((c) => `${c.operation}:${flowOf(c)}:${c.status}`), [
        'InitiateAuth:USER_SRP_AUTH:200',
        'RespondToAuthChallenge:PASSWORD_VERIFIER:200',
      ]);
      assert.equal(calls[0].request.AuthParameters.USERNAME, e.email);
      assert.equal(calls[0].response.ChallengeParameters.USER_ID_FOR_SRP, e.storedUsername);
      assert.equal(user.getUsername(), e.storedUsername, 'the library switched to USER_ID_FOR_SRP');
      const idp = session.getIdToken().payload;
      assert.equal(idp['cognito:username'], e.storedUsername);
      assert.equal(idp.email, e.email);
      assert.equal(idp.sub, e.sub);
      assert.equal(session.getAccessToken().payload.username, e.storedUsername);
    });

    it('wrong password with the email -> NotAuthorizedException', async () => {
      await expectErrorName(authenticate(cognitoUser(e.pool, e.email), e.email, `${e.password}x`),
        'NotAuthorizedException');
    });
  });
});
