// Helpers shared by the sign-in compat tests: pools and app clients created
// through the real AWS SDK v3, codes read from the dev outbox, and small
// JWT utilities (decoding only: verification is the job of the libraries
// under test).

import assert from 'node:assert/strict';
import {
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { outbox } from './server.mjs';
import { rejects, uniqueName } from './env.mjs';

/** A password that satisfies Cognito's default policy (8+, upper, lower, digit, symbol). */
export function strongPassword(tag = '') {
  return `Passw0rd!${tag}${Math.random().toString(36).slice(2, 8)}`;
}

/**
 * CreateUserPool through the SDK; returns the pool id.
 * @param {import('@aws-sdk/client-cognito-identity-provider').CognitoIdentityProviderClient} client
 * @param {object} [input] extra CreateUserPool input (PoolName defaults to a unique name)
 */
export async function createPool(client, input = {}) {
  const { UserPool } = await client.send(new CreateUserPoolCommand({
    PoolName: uniqueName('compat-pool'),
    ...input,
  }));
  assert.ok(UserPool?.Id, 'CreateUserPool returned an Id');
  return UserPool.Id;
}

/** The sign-in flows a public (secret-less) web/mobile client enables. */
export const PUBLIC_CLIENT_FLOWS = [
  'ALLOW_USER_SRP_AUTH',
  'ALLOW_USER_PASSWORD_AUTH',
  'ALLOW_REFRESH_TOKEN_AUTH',
];

/**
 * CreateUserPoolClient (no secret by default); returns the client id.
 * @param {object} [input] extra CreateUserPoolClient input
 */
export async function createClient(client, poolId, input = {}) {
  const { UserPoolClient } = await client.send(new CreateUserPoolClientCommand({
    UserPoolId: poolId,
    ClientName: uniqueName('compat-app'),
    GenerateSecret: false,
    ExplicitAuthFlows: PUBLIC_CLIENT_FLOWS,
    ...input,
  }));
  assert.ok(UserPoolClient?.ClientId, 'CreateUserPoolClient returned a ClientId');
  return UserPoolClient.ClientId;
}

/**
 * The newest dev-outbox message for a user of one pool, optionally of one kind
 * (SignUp, ResendCode, ForgotPassword, AdminCreateUser, ...). Fails when none.
 */
export async function latestMessage(endpoint, poolId, username, kind) {
  const msgs = await outbox(endpoint, username);
  assert.ok(Array.isArray(msgs), 'outbox answers a JSON array');
  const msg = msgs.find((m) => m.poolId === poolId && (!kind || m.kind === kind));
  assert.ok(msg, `no ${kind ?? ''} message for ${username} in pool ${poolId} ` +
    `(outbox: ${JSON.stringify(msgs.map((m) => ({ poolId: m.poolId, kind: m.kind })))})`);
  return msg;
}

/** The code of the newest matching outbox message (6 digits). */
export async function latestCode(endpoint, poolId, username, kind) {
  const msg = await latestMessage(endpoint, poolId, username, kind);
  assert.match(String(msg.code ?? ''), /^\d{6}$/, `outbox ${msg.kind} message carries a 6-digit code`);
  return msg.code;
}

/** A 6-digit code that differs from `code`. */
export function otherCode(code) {
  return String((Number(code) + 1) % 1_000_000).padStart(6, '0');
}

/** Decode (without verifying) the header and payload of a JWT. */
export function decodeJwt(token) {
  const parts = String(token).split('.');
  assert.equal(parts.length, 3, 'a JWT has three dot-separated parts');
  const dec = (s) => JSON.parse(Buffer.from(s, 'base64url').toString('utf8'));
  return { header: dec(parts[0]), payload: dec(parts[1]), signature: parts[2] };
}

/**
 * Re-encode a JWT with a modified payload but the ORIGINAL signature: a
 * forgery any verifier must reject.
 */
export function tamperJwt(token, mutate) {
  const [h, p, sig] = String(token).split('.');
  const payload = JSON.parse(Buffer.from(p, 'base64url').toString('utf8'));
  mutate(payload);
  const p2 = Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url');
  assert.notEqual(p2, p, 'tampering changed the payload');
  return `${h}.${p2}.${sig}`;
}

/** Await a promise that must reject with an error named `name` (SDK v3 or identity-js). */
export async function expectErrorName(promise, name, what = `call expecting ${name}`) {
  const err = await rejects(promise, what);
  const got = err?.name ?? err?.code;
  assert.equal(got, name, `${what}: expected ${name}, got ${got}: ${err?.message}`);
  return err;
}
