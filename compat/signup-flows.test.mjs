// End-user flows through the AWS SDK for JavaScript v3 (unsigned calls as an
// app makes them): sign-up and confirmation, forgotten password, refresh,
// token revocation and global sign-out.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  AdminGetUserCommand,
  ConfirmForgotPasswordCommand,
  ConfirmSignUpCommand,
  ForgotPasswordCommand,
  GetUserCommand,
  GlobalSignOutCommand,
  InitiateAuthCommand,
  ResendConfirmationCodeCommand,
  RevokeTokenCommand,
  SignUpCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { startCogito } from './lib/server.mjs';
import { cognitoClient, rejects } from './lib/env.mjs';
import {
  createClient,
  createPool,
  decodeJwt,
  expectErrorName,
  latestCode,
  latestMessage,
  otherCode,
  strongPassword,
} from './lib/userpool.mjs';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const attrs = (list) => Object.fromEntries((list ?? []).map((a) => [a.Name, a.Value]));

async function expectError(promise, name, what) {
  const err = await expectErrorName(promise, name, what);
  assert.equal(err.$metadata?.httpStatusCode, 400, `${name} should be HTTP 400`);
  return err;
}

function assertMaskedEmail(details, email) {
  assert.equal(details?.DeliveryMedium, 'EMAIL');
  assert.equal(details?.AttributeName, 'email');
  const dest = details?.Destination ?? '';
  assert.notEqual(dest, email, 'Destination is masked');
  assert.ok(dest.includes('*'), `Destination is masked with * (got "${dest}")`);
  assert.equal(dest[0], email[0], `Destination keeps the first character (got "${dest}")`);
}

describe('sign-up, password reset, refresh and sign-out via @aws-sdk/client-cognito-identity-provider', () => {
  let server;
  let sdk;
  const s = {};

  const passwordAuth = (username, password) => sdk.send(new InitiateAuthCommand({
    ClientId: s.clientId,
    AuthFlow: 'USER_PASSWORD_AUTH',
    AuthParameters: { USERNAME: username, PASSWORD: password },
  }));
  const refreshAuth = (refreshToken) => sdk.send(new InitiateAuthCommand({
    ClientId: s.clientId,
    AuthFlow: 'REFRESH_TOKEN_AUTH',
    AuthParameters: { REFRESH_TOKEN: refreshToken },
  }));
  const getUser = (accessToken) => sdk.send(new GetUserCommand({ AccessToken: accessToken }));
  const adminGetUser = (username) =>
    sdk.send(new AdminGetUserCommand({ UserPoolId: s.poolId, Username: username }));

  before(async () => {
    server = await startCogito();
    sdk = cognitoClient(server.endpoint);
    s.poolId = await createPool(sdk, { AutoVerifiedAttributes: ['email'] });
    s.clientId = await createClient(sdk, s.poolId);
    s.username = 'frank';
    s.email = 'frank@example.com';
    s.password = strongPassword('f');
  });

  after(async () => {
    sdk?.destroy();
    await server?.stop();
  });

  describe('sign-up', () => {
    it('SignUp -> UNCONFIRMED, masked CodeDeliveryDetails, code in the outbox', async () => {
      const out = await sdk.send(new SignUpCommand({
        ClientId: s.clientId,
        Username: s.username,
        Password: s.password,
        UserAttributes: [{ Name: 'email', Value: s.email }],
      }));
      assert.equal(out.UserConfirmed, false);
      assert.match(out.UserSub ?? '', UUID);
      assertMaskedEmail(out.CodeDeliveryDetails, s.email);
      s.sub = out.UserSub;

      const msg = await latestMessage(server.endpoint, s.poolId, s.username, 'SignUp');
      assert.equal(msg.destination, s.email, 'the code went to the email address');
      assert.match(String(msg.code), /^\d{6}$/);
      assert.ok(String(msg.body ?? '').includes(msg.code), 'the message body carries the code');

      const u = await adminGetUser(s.username);
      assert.equal(u.UserStatus, 'UNCONFIRMED');
      assert.equal(attrs(u.UserAttributes).sub, s.sub);
    });

    it('SignUp of an existing username -> UsernameExistsException', async () => {
      await expectError(sdk.send(new SignUpCommand({
        ClientId: s.clientId, Username: s.username, Password: s.password,
        UserAttributes: [{ Name: 'email', Value: 'other@example.com' }],
      })), 'UsernameExistsException');
    });

    it('SignUp with a password that breaks the policy -> InvalidPasswordException', async () => {
      await expectError(sdk.send(new SignUpCommand({
        ClientId: s.clientId, Username: 'weakling', Password: 'short',
        UserAttributes: [{ Name: 'email', Value: 'weak@example.com' }],
      })), 'InvalidPasswordException');
    });

    it('sign-in before confirmation -> UserNotConfirmedException', async () => {
      await expectError(passwordAuth(s.username, s.password), 'UserNotConfirmedException');
    });

    it('ConfirmSignUp: wrong code -> CodeMismatchException; right code -> CONFIRMED, email verified', async () => {
      const code = await latestCode(server.endpoint, s.poolId, s.username, 'SignUp');
      await expectError(sdk.send(new ConfirmSignUpCommand({
        ClientId: s.clientId, Username: s.username, ConfirmationCode: otherCode(code),
      })), 'CodeMismatchException');
      assert.equal((await adminGetUser(s.username)).UserStatus, 'UNCONFIRMED', 'still unconfirmed');

      await sdk.send(new ConfirmSignUpCommand({
        ClientId: s.clientId, Username: s.username, ConfirmationCode: code,
      }));
      const u = await adminGetUser(s.username);
      assert.equal(u.UserStatus, 'CONFIRMED');
      assert.equal(attrs(u.UserAttributes).email_verified, 'true');
    });

    it('ConfirmSignUp of a confirmed user -> NotAuthorizedException', async () => {
      const code = await latestCode(server.endpoint, s.poolId, s.username, 'SignUp');
      await expectError(sdk.send(new ConfirmSignUpCommand({
        ClientId: s.clientId, Username: s.username, ConfirmationCode: code,
      })), 'NotAuthorizedException');
    });

    it('ResendConfirmationCode -> a new code that confirms', async () => {
      const username = 'gina';
      const email = 'gina@example.com';
      await sdk.send(new SignUpCommand({
        ClientId: s.clientId, Username: username, Password: strongPassword('g'),
        UserAttributes: [{ Name: 'email', Value: email }],
      }));
      const out = await sdk.send(new ResendConfirmationCodeCommand({ ClientId: s.clientId, Username: username }));
      assertMaskedEmail(out.CodeDeliveryDetails, email);
      const code = await latestCode(server.endpoint, s.poolId, username, 'ResendCode');
      await sdk.send(new ConfirmSignUpCommand({ ClientId: s.clientId, Username: username, ConfirmationCode: code }));
      assert.equal((await adminGetUser(username)).UserStatus, 'CONFIRMED');
    });

    it('USER_PASSWORD_AUTH after confirmation -> Bearer tokens', async () => {
      const { AuthenticationResult: r, ChallengeName } = await passwordAuth(s.username, s.password);
      assert.equal(ChallengeName, undefined, 'no challenge');
      assert.ok(r?.AccessToken && r?.IdToken && r?.RefreshToken, 'access, id and refresh tokens');
      assert.equal(r.TokenType, 'Bearer');
      assert.equal(r.ExpiresIn, 3600);
      assert.equal(decodeJwt(r.IdToken).payload['cognito:username'], s.username);
      assert.equal(decodeJwt(r.IdToken).payload.email_verified, true);
    });
  });

  describe('forgotten password', () => {
    it('ForgotPassword -> code -> ConfirmForgotPassword -> sign in with the new password', async () => {
      const out = await sdk.send(new ForgotPasswordCommand({ ClientId: s.clientId, Username: s.username }));
      assertMaskedEmail(out.CodeDeliveryDetails, s.email);
      const msg = await latestMessage(server.endpoint, s.poolId, s.username, 'ForgotPassword');
      assert.equal(msg.destination, s.email);
      const code = msg.code;
      assert.match(String(code), /^\d{6}$/);

      const newPassword = strongPassword('r');
      await expectError(sdk.send(new ConfirmForgotPasswordCommand({
        ClientId: s.clientId, Username: s.username, ConfirmationCode: otherCode(code), Password: newPassword,
      })), 'CodeMismatchException');

      await sdk.send(new ConfirmForgotPasswordCommand({
        ClientId: s.clientId, Username: s.username, ConfirmationCode: code, Password: newPassword,
      }));

      await expectError(passwordAuth(s.username, s.password), 'NotAuthorizedException', 'sign-in with the old password');
      const { AuthenticationResult: r } = await passwordAuth(s.username, newPassword);
      assert.ok(r?.AccessToken, 'sign-in with the new password');
      assert.equal((await adminGetUser(s.username)).UserStatus, 'CONFIRMED');

      // A used code cannot be replayed.
      const replay = await rejects(sdk.send(new ConfirmForgotPasswordCommand({
        ClientId: s.clientId, Username: s.username, ConfirmationCode: code, Password: strongPassword('z'),
      })), 'replaying a used forgot-password code');
      assert.ok(['CodeMismatchException', 'ExpiredCodeException'].includes(replay?.name),
        `replayed code -> CodeMismatchException or ExpiredCodeException (got ${replay?.name}: ${replay?.message})`);
      s.password = newPassword;
      const again = await passwordAuth(s.username, s.password);
      assert.ok(again.AuthenticationResult?.AccessToken, 'the reset password still works after the replay');
    });

    it('ConfirmForgotPassword with a policy-breaking password -> InvalidPasswordException', async () => {
      await sdk.send(new ForgotPasswordCommand({ ClientId: s.clientId, Username: s.username }));
      const code = await latestCode(server.endpoint, s.poolId, s.username, 'ForgotPassword');
      await expectError(sdk.send(new ConfirmForgotPasswordCommand({
        ClientId: s.clientId, Username: s.username, ConfirmationCode: code, Password: 'short',
      })), 'InvalidPasswordException');
    });
  });

  describe('refresh, revocation, global sign-out', () => {
    it('REFRESH_TOKEN_AUTH -> new access and id tokens, no new refresh token', async () => {
      const { AuthenticationResult: first } = await passwordAuth(s.username, s.password);
      const { AuthenticationResult: r } = await refreshAuth(first.RefreshToken);
      assert.ok(r?.AccessToken && r?.IdToken, 'new access and id tokens');
      assert.equal(r.RefreshToken, undefined, 'no refresh token rotation by default');
      assert.equal(r.TokenType, 'Bearer');
      assert.equal(r.ExpiresIn, 3600);
      assert.notEqual(r.AccessToken, first.AccessToken);
      const p = decodeJwt(r.AccessToken).payload;
      assert.equal(p.token_use, 'access');
      assert.equal(p.client_id, s.clientId);
      assert.equal(p.sub, s.sub);
      assert.equal(p.origin_jti, decodeJwt(first.AccessToken).payload.origin_jti,
        'refreshed tokens keep the origin_jti of the sign-in');
      const u = await getUser(r.AccessToken);
      assert.equal(u.Username, s.username);
      assert.equal(attrs(u.UserAttributes).email, s.email);
    });

    it('REFRESH_TOKEN_AUTH with a garbage token -> NotAuthorizedException', async () => {
      await expectError(refreshAuth('not-a-refresh-token'), 'NotAuthorizedException');
    });

    it('RevokeToken: the refresh token and its access tokens stop working, other sessions do not', async () => {
      const { AuthenticationResult: a } = await passwordAuth(s.username, s.password);
      const { AuthenticationResult: b } = await passwordAuth(s.username, s.password);
      const { AuthenticationResult: aRefreshed } = await refreshAuth(a.RefreshToken);

      await sdk.send(new RevokeTokenCommand({ ClientId: s.clientId, Token: a.RefreshToken }));

      await expectError(refreshAuth(a.RefreshToken), 'NotAuthorizedException', 'refresh with a revoked token');
      await expectError(getUser(a.AccessToken), 'NotAuthorizedException', 'GetUser with the revoked session');
      await expectError(getUser(aRefreshed.AccessToken), 'NotAuthorizedException',
        'GetUser with an access token refreshed from the revoked token');

      // The other sign-in is untouched.
      assert.equal((await getUser(b.AccessToken)).Username, s.username);
      assert.ok((await refreshAuth(b.RefreshToken)).AuthenticationResult?.AccessToken);
      s.session = b;
    });

    it('GlobalSignOut: GetUser and refresh fail for every session; a new sign-in works', async () => {
      const { AuthenticationResult: other } = await passwordAuth(s.username, s.password);
      await sdk.send(new GlobalSignOutCommand({ AccessToken: s.session.AccessToken }));

      await expectError(getUser(s.session.AccessToken), 'NotAuthorizedException', 'GetUser after GlobalSignOut');
      await expectError(refreshAuth(s.session.RefreshToken), 'NotAuthorizedException', 'refresh after GlobalSignOut');
      await expectError(getUser(other.AccessToken), 'NotAuthorizedException',
        'GetUser with another session after GlobalSignOut');
      await expectError(refreshAuth(other.RefreshToken), 'NotAuthorizedException',
        'refresh of another session after GlobalSignOut');
      await expectError(sdk.send(new GlobalSignOutCommand({ AccessToken: s.session.AccessToken })),
        'NotAuthorizedException', 'GlobalSignOut with a signed-out token');

      const { AuthenticationResult: fresh } = await passwordAuth(s.username, s.password);
      assert.equal((await getUser(fresh.AccessToken)).Username, s.username);
    });
  });
});
