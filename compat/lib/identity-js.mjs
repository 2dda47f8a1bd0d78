// Promise wrappers and test plumbing for amazon-cognito-identity-js (the
// callback-style Cognito client behind Amplify v5 and many web apps).
//
// Pointing it at cogito: `new CognitoUserPool({ UserPoolId, ClientId, endpoint })`.
// The library POSTs every call to that endpoint with the cognito-idp JSON 1.1
// headers. It calls the global fetch at request time (it imports
// isomorphic-unfetch, which keeps an existing global fetch), so on Node >= 18
// nothing needs polyfilling; SRP randomness comes from globalThis.crypto.

import {
  AuthenticationDetails,
  CognitoUser,
  CognitoUserAttribute,
  CognitoUserPool,
} from 'amazon-cognito-identity-js';

/**
 * A per-test in-memory Storage (the library's default MemoryStorage is one
 * module-wide object shared by every pool and user, which would let tests
 * see each other's cached tokens / LastAuthUser).
 */
export class TestStorage {
  constructor() { this.items = new Map(); }
  setItem(key, value) { this.items.set(key, String(value)); return value; }
  getItem(key) { return this.items.has(key) ? this.items.get(key) : null; }
  removeItem(key) { return this.items.delete(key); }
  clear() { this.items.clear(); }
}

export function userPool(endpoint, poolId, clientId, storage = new TestStorage()) {
  return new CognitoUserPool({ UserPoolId: poolId, ClientId: clientId, endpoint, Storage: storage });
}

export function cognitoUser(pool, username) {
  return new CognitoUser({ Username: username, Pool: pool, Storage: pool.storage });
}

export function attribute(name, value) {
  return new CognitoUserAttribute({ Name: name, Value: value });
}

const nodeCb = (resolve, reject) => (err, data) => (err ? reject(err) : resolve(data));

export function signUp(pool, username, password, attributes = []) {
  return new Promise((resolve, reject) => {
    pool.signUp(username, password, attributes, null, nodeCb(resolve, reject));
  });
}

export function confirmRegistration(user, code) {
  return new Promise((resolve, reject) => {
    user.confirmRegistration(code, true, nodeCb(resolve, reject));
  });
}

/**
 * user.authenticateUser with the flow the user is set to (USER_SRP_AUTH by
 * default). Resolves { session } on success or { newPasswordRequired:
 * { userAttributes, requiredAttributes } }; rejects with onFailure's error.
 * Any other challenge callback rejects.
 */
export function authenticate(user, username, password) {
  return new Promise((resolve, reject) => {
    user.authenticateUser(new AuthenticationDetails({ Username: username, Password: password }),
      authCallbacks(resolve, reject));
  });
}

export function completeNewPasswordChallenge(user, newPassword, requiredAttributes = {}) {
  return new Promise((resolve, reject) => {
    user.completeNewPasswordChallenge(newPassword, requiredAttributes, authCallbacks(resolve, reject));
  });
}

function authCallbacks(resolve, reject) {
  const unexpected = (name) => (...args) =>
    reject(new Error(`unexpected ${name} callback: ${JSON.stringify(args)}`));
  return {
    onSuccess: (session) => resolve({ session }),
    onFailure: reject,
    newPasswordRequired: (userAttributes, requiredAttributes) =>
      resolve({ newPasswordRequired: { userAttributes, requiredAttributes } }),
    mfaRequired: unexpected('mfaRequired'),
    totpRequired: unexpected('totpRequired'),
    mfaSetup: unexpected('mfaSetup'),
    selectMFAType: unexpected('selectMFAType'),
    customChallenge: unexpected('customChallenge'),
  };
}

export function refreshSession(user, refreshToken) {
  return new Promise((resolve, reject) => {
    user.refreshSession(refreshToken, nodeCb(resolve, reject));
  });
}

export function changePassword(user, oldPassword, newPassword) {
  return new Promise((resolve, reject) => {
    user.changePassword(oldPassword, newPassword, nodeCb(resolve, reject));
  });
}

/** Resolves { name: value } of the user's attributes (GetUser). */
export function getUserAttributes(user) {
  return new Promise((resolve, reject) => {
    user.getUserAttributes((err, list) => {
      if (err) return reject(err);
      resolve(Object.fromEntries(list.map((a) => [a.getName(), a.getValue()])));
    });
  });
}

export function globalSignOut(user) {
  return new Promise((resolve, reject) => {
    user.globalSignOut({ onSuccess: resolve, onFailure: reject });
  });
}

/**
 * Record the cognito-idp calls the library makes through the global fetch
 * (operation, request body, HTTP status, response body) so tests can assert
 * which flow actually ran on the wire. Returns { calls, restore }.
 */
export function recordCognitoCalls(endpoint) {
  const original = globalThis.fetch;
  const calls = [];
  globalThis.fetch = async (input, init = {}) => {
    const url = String(input?.url ?? input);
    const headers = new Headers(init.headers ?? {});
    const target = headers.get('x-amz-target');
    const res = await original(input, init);
    if (url.startsWith(endpoint) && target) {
      const call = {
        operation: target.split('.').pop(),
        request: safeJson(init.body),
        status: res.status,
        response: undefined,
      };
      calls.push(call);
      try { call.response = safeJson(await res.clone().text()); } catch { /* body unreadable */ }
    }
    return res;
  };
  return {
    calls,
    restore: () => { globalThis.fetch = original; },
  };
}

function safeJson(text) {
  try { return JSON.parse(text); } catch { return text; }
}
