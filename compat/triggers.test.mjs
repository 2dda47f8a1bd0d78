// Lambda triggers with Node.js functions as they are deployed to Lambda
// (compat/functions/*.js, unchanged), run by a small Invoke API runner in
// this process (lib/lambda-runner.mjs) that Cogito calls through
// --lambda-endpoint, driven with the AWS SDK v3:
//
//   - custom message: SignUp's email is the function's HTML with the code;
//   - post confirmation: ConfirmSignUp runs the function, which records the
//     user;
//   - pre token generation: the ID token carries the function's claims;
//   - user migration (the seeds' story): an unknown user signs in with the
//     password of a legacy user service running here, is created CONFIRMED
//     with custom:legacy_id and no message, and later sign-ins leave the
//     function alone; a password the legacy service refuses makes the
//     function throw, which Cognito reports as UserLambdaValidationException
//     "UserMigration failed with error Bad password.".
//
// Cogito runs without AWS credentials, so it calls the runner unsigned (the
// runner does not check signatures; the Go tests check SigV4).

import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  AdminGetUserCommand,
  ConfirmSignUpCommand,
  InitiateAuthCommand,
  SignUpCommand,
} from '@aws-sdk/client-cognito-identity-provider';

import { cognitoClient, rejects, uniqueName } from './lib/env.mjs';
import { startLambdaRunner } from './lib/lambda-runner.mjs';
import { makeTempDir, outbox, startCogito } from './lib/server.mjs';
import { createClient, createPool, decodeJwt, latestMessage, strongPassword } from './lib/userpool.mjs';

const ARN = (name) => `arn:aws:lambda:us-east-1:123456789012:function:${name}`;
const APP_URL = 'https://app.example.com';

/** The legacy user service of the migration story: POST /authenticate. */
async function startLegacyService(accounts) {
  const seen = [];
  const server = http.createServer(async (req, res) => {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    if (req.method !== 'POST' || req.url !== '/authenticate') {
      res.writeHead(404).end();
      return;
    }
    let body = {};
    try { body = JSON.parse(Buffer.concat(chunks).toString('utf8')); } catch { /* 401 below */ }
    seen.push(body.username);
    const a = accounts[body.username];
    if (!a || a.password !== body.password) {
      res.writeHead(401, { 'Content-Type': 'application/json' }).end('{"error":"invalid credentials"}');
      return;
    }
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ id: a.id, email: a.email }));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    seen,
    stop: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

/** The payload of a JWT (decoded, not verified). */
const claimsOf = (token) => decodeJwt(token).payload;

function readLines(file) {
  if (!fs.existsSync(file)) return [];
  return fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

describe('Lambda triggers with Node.js functions', () => {
  let runner;
  let server;
  let legacy;
  let cognito;
  let postconfirmLog;

  before(async () => {
    legacy = await startLegacyService({
      ada: { password: 'legacy-Pa55', id: 'L-1001', email: 'ada@legacy.example' },
      bob: { password: 'bobs-0ld-Secret!', id: 'L-1002', email: 'bob@legacy.example' },
    });
    postconfirmLog = path.join(makeTempDir('cogito-postconfirm-'), 'confirmed.jsonl');
    // The functions read these at invocation time; the runner runs them in
    // this process, so it sets them in process.env.
    runner = await startLambdaRunner({
      env: { LEGACY_URL: legacy.url, POSTCONFIRM_LOG: postconfirmLog, APP_URL, DEFAULT_PLAN: 'pro' },
    });
    // No AWS credentials for the server: it then sends the Invoke calls
    // unsigned (startCogito passes the rest of this environment on).
    server = await startCogito({
      args: ['--lambda-endpoint', runner.endpoint],
      env: { AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined, AWS_SESSION_TOKEN: undefined },
    });
    cognito = cognitoClient(server.endpoint);
  });

  after(async () => {
    cognito?.destroy();
    await server?.stop();
    await runner?.stop();
    await legacy?.stop();
  });

  test('sign-up: custom message, post confirmation, pre token generation', async () => {
    const poolId = await createPool(cognito, {
      AutoVerifiedAttributes: ['email'],
      LambdaConfig: {
        CustomMessage: ARN('custommessage'),
        PostConfirmation: ARN('postconfirmation'),
        PreTokenGeneration: ARN('pretoken'),
      },
    });
    const clientId = await createClient(cognito, poolId);
    const username = uniqueName('zoe');
    const email = `${username}@example.com`;
    const password = strongPassword();

    const su = await cognito.send(new SignUpCommand({
      ClientId: clientId, Username: username, Password: password,
      UserAttributes: [{ Name: 'email', Value: email }],
    }));
    assert.equal(su.UserConfirmed, false);
    assert.equal(su.CodeDeliveryDetails?.DeliveryMedium, 'EMAIL');

    // The function saw the placeholder, never the code, and was called
    // unsigned.
    const cm = runner.calls('custommessage').filter((c) => c.event.userName === username);
    assert.equal(cm.length, 1, 'one CustomMessage invocation for the sign-up');
    assert.equal(cm[0].event.triggerSource, 'CustomMessage_SignUp');
    assert.equal(cm[0].event.userPoolId, poolId);
    assert.equal(cm[0].event.callerContext.clientId, clientId);
    assert.equal(cm[0].event.request.codeParameter, '{####}');
    assert.equal(cm[0].event.request.userAttributes.email, email);
    assert.equal(cm[0].headers.authorization, null, 'Cogito without credentials signs nothing');
    assert.equal(cm[0].error, null);

    // The email is the function's HTML, with the code in place of the
    // placeholder.
    const msg = await latestMessage(server.endpoint, poolId, username, 'SignUp');
    assert.match(String(msg.code), /^\d{6}$/);
    assert.equal(msg.channel, 'EMAIL');
    assert.equal(msg.destination, email);
    assert.equal(msg.subject, 'Validate your account');
    assert.equal(msg.body,
      `Hi <b>${username}</b>!<br>Thank you for signing up.<br>` +
      `Click <a href='${APP_URL}/confirm-account?username=${encodeURIComponent(username)}&code=${msg.code}'>here</a>` +
      ' to validate your account.');
    assert.ok(!msg.body.includes('{####}'), 'no placeholder left in the body');

    // ConfirmSignUp: the post confirmation function records the user.
    assert.deepEqual(readLines(postconfirmLog).filter((r) => r.userName === username), []);
    await cognito.send(new ConfirmSignUpCommand({ ClientId: clientId, Username: username, ConfirmationCode: msg.code }));
    const recorded = readLines(postconfirmLog).filter((r) => r.userName === username);
    assert.equal(recorded.length, 1, `post confirmation recorded ${username} once`);
    assert.equal(recorded[0].triggerSource, 'PostConfirmation_ConfirmSignUp');
    assert.equal(recorded[0].userPoolId, poolId);
    assert.equal(recorded[0].email, email);
    assert.equal(recorded[0].status, 'CONFIRMED');
    assert.equal(recorded[0].clientId, clientId);
    assert.match(String(recorded[0].sub), /^[0-9a-f-]{36}$/);

    // Sign-in: the ID token carries the pre token generation claim (V1
    // leaves the access token alone).
    const auth = await cognito.send(new InitiateAuthCommand({
      ClientId: clientId, AuthFlow: 'USER_PASSWORD_AUTH',
      AuthParameters: { USERNAME: username, PASSWORD: password },
    }));
    const id = claimsOf(auth.AuthenticationResult.IdToken);
    assert.equal(id.plan, 'pro');
    assert.equal(id['cognito:username'], username);
    assert.equal(id.sub, recorded[0].sub);
    assert.equal(claimsOf(auth.AuthenticationResult.AccessToken).plan, undefined);
    const pt = runner.calls('pretoken').filter((c) => c.event.userName === username);
    assert.equal(pt.length, 1);
    assert.equal(pt[0].event.triggerSource, 'TokenGeneration_Authentication');
  });

  test('the seeds\' migration story: legacy users sign in and stay', async () => {
    const poolId = await createPool(cognito, {
      Schema: [{ Name: 'legacy_id', AttributeDataType: 'String', Mutable: true }],
      LambdaConfig: { UserMigration: ARN('migrate'), PreTokenGeneration: ARN('pretoken') },
    });
    const clientId = await createClient(cognito, poolId);
    const migrations = () => runner.calls('migrate').filter((c) => c.event.userPoolId === poolId);
    const signIn = (USERNAME, PASSWORD) => cognito.send(new InitiateAuthCommand({
      ClientId: clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME, PASSWORD },
    }));

    // ada is unknown to the pool; the legacy service knows her password.
    const first = await signIn('ada', 'legacy-Pa55');
    const tokens = first.AuthenticationResult;
    assert.ok(tokens?.IdToken && tokens.AccessToken && tokens.RefreshToken, 'the migrating sign-in returns tokens');
    assert.equal(migrations().length, 1);
    const ev = migrations()[0].event;
    assert.equal(ev.triggerSource, 'UserMigration_Authentication');
    assert.equal(ev.userName, 'ada');
    assert.equal(ev.request.password, 'legacy-Pa55');
    assert.equal(ev.callerContext.clientId, clientId);
    assert.ok(legacy.seen.includes('ada'), 'the function asked the legacy service');

    const id = claimsOf(tokens.IdToken);
    assert.equal(id['custom:legacy_id'], 'L-1001');
    assert.equal(id.email, 'ada@legacy.example');
    assert.equal(id.legacy_id, 'L-1001', 'pre token generation saw the migrated attributes');

    const user = await cognito.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'ada' }));
    assert.equal(user.UserStatus, 'CONFIRMED');
    const attrs = Object.fromEntries(user.UserAttributes.map((a) => [a.Name, a.Value]));
    assert.equal(attrs['custom:legacy_id'], 'L-1001');
    assert.equal(attrs.email, 'ada@legacy.example');
    assert.equal(attrs.email_verified, 'true');

    // messageAction SUPPRESS: nothing was sent.
    for (const who of ['ada', 'ada@legacy.example']) {
      const sent = (await outbox(server.endpoint, who)).filter((m) => m.poolId === poolId);
      assert.deepEqual(sent, [], `no message to ${who}`);
    }

    // The second sign-in finds ada: no migration, no legacy call.
    const legacyCalls = legacy.seen.length;
    const again = await signIn('ada', 'legacy-Pa55');
    assert.ok(again.AuthenticationResult?.IdToken);
    assert.equal(migrations().length, 1, 'the second sign-in does not call the function');
    assert.equal(legacy.seen.length, legacyCalls);

    // bob types a password the legacy service refuses: the function throws.
    const err = await rejects(signIn('bob', 'not-bobs-password'), 'sign-in with a wrong legacy password');
    assert.equal(err.name, 'UserLambdaValidationException');
    assert.equal(err.message, 'UserMigration failed with error Bad password.');
    assert.equal(migrations().length, 2);
    const errorReply = migrations()[1];
    assert.equal(errorReply.error?.errorMessage, 'Bad password');
    const gone = await rejects(cognito.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'bob' })));
    assert.equal(gone.name, 'UserNotFoundException', 'a refused migration creates no user');

    // With his real legacy password bob migrates after all.
    const bobIn = await signIn('bob', 'bobs-0ld-Secret!');
    assert.equal(claimsOf(bobIn.AuthenticationResult.IdToken)['custom:legacy_id'], 'L-1002');
  });
});
