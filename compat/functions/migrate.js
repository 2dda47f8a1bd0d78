// User migration trigger (the seeds' "one user at a time" migration): when
// someone Cognito does not know signs in with a password, sign them in to
// the legacy system with the name and password they typed and, if that
// works, hand Cognito the user to create — email verified, the legacy id
// kept as custom:legacy_id, CONFIRMED so the legacy password keeps working,
// and no welcome message (the user verified their email long ago).
//
// LEGACY_URL is the legacy system's base URL; its POST /authenticate takes
// {"username", "password"} and answers 200 {"id", "email"} or 401.
'use strict';

async function authenticateLegacy(username, password) {
  const res = await fetch(`${process.env.LEGACY_URL}/authenticate`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (res.status !== 200) return null;
  return res.json();
}

exports.handler = async (event) => {
  if (event.triggerSource !== 'UserMigration_Authentication') {
    // Password resets of legacy users are not migrated here.
    return null;
  }
  // Never log the event: it carries the password.
  const legacy = await authenticateLegacy(event.userName, event.request.password);
  if (!legacy) {
    throw new Error('Bad password');
  }
  event.response.userAttributes = {
    email: legacy.email,
    email_verified: 'true',
    'custom:legacy_id': String(legacy.id),
  };
  event.response.finalUserStatus = 'CONFIRMED';
  event.response.messageAction = 'SUPPRESS';
  return event;
};
