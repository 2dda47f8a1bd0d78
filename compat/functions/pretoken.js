// Pre token generation trigger (V1 event): adds the app's claims to the ID
// token — the user's plan, and the legacy id of migrated users under a
// short name the old apps already read.
'use strict';

exports.handler = async (event) => {
  const attrs = event.request.userAttributes || {};
  const claims = { plan: process.env.DEFAULT_PLAN || 'free' };
  if (attrs['custom:legacy_id']) claims.legacy_id = attrs['custom:legacy_id'];
  event.response = {
    claimsOverrideDetails: { claimsToAddOrOverride: claims },
  };
  return event;
};
