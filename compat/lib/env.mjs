// Shared test environment helpers: CI detection, dependency gating, clients.

import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';

export const REGION = 'us-east-1';

/** True when running in CI (CI=true): missing dependencies are failures there. */
export const isCI = /^(1|true|yes)$/i.test(process.env.CI ?? '');

/**
 * Gate a test on an optional dependency. Returns the skip reason to pass to
 * node:test ({ skip }) when the dependency is missing outside CI; under CI a
 * missing dependency throws from the test instead (see requireDep).
 */
export function skipUnlessCI(missingReason) {
  if (!missingReason) return false;
  return isCI ? false : missingReason;
}

/** Under CI, fail the running test when a dependency is missing. */
export function requireDep(missingReason) {
  if (missingReason) {
    throw new Error(`required dependency missing under CI=true: ${missingReason}`);
  }
}

/** An SDK v3 client for a cogito endpoint (no retries: every call is one request). */
export function cognitoClient(endpoint, extra = {}) {
  return new CognitoIdentityProviderClient({
    region: REGION,
    endpoint,
    credentials: { accessKeyId: 'AKIDCOGITOTEST', secretAccessKey: 'cogito-test-secret' },
    maxAttempts: 1,
    ...extra,
  });
}

/** A name that is unique for this process and call. */
let counter = 0;
export function uniqueName(prefix) {
  counter += 1;
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${counter}`;
}

/** Run async fn over items with at most `limit` in flight; returns results in order. */
export async function mapLimit(items, limit, fn) {
  const results = new Array(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i], i);
    }
  });
  await Promise.all(workers);
  return results;
}

/** Await a promise that must reject; returns the error. */
export async function rejects(promise, what = 'call') {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error(`${what} succeeded but was expected to fail`);
}
