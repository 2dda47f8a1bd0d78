// Post confirmation trigger: the first-time processing of a newly confirmed
// user (the seeds use it to set up their profile in the app's own store).
// Here "the app's store" is a file of JSON lines, POSTCONFIRM_LOG, so a
// test can see who was confirmed and how.
'use strict';

const fs = require('node:fs/promises');

exports.handler = async (event) => {
  const attrs = event.request.userAttributes || {};
  const record = {
    triggerSource: event.triggerSource,
    userPoolId: event.userPoolId,
    userName: event.userName,
    sub: attrs.sub,
    email: attrs.email,
    status: attrs['cognito:user_status'],
    clientId: event.callerContext && event.callerContext.clientId,
  };
  await fs.appendFile(process.env.POSTCONFIRM_LOG, JSON.stringify(record) + '\n');
  return event;
};
