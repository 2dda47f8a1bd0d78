// Custom message trigger: the app's own HTML emails, with links that carry
// the code, instead of Cognito's plain "Your verification code is ...".
// The code itself is never seen here: event.request.codeParameter is a
// placeholder that Cognito replaces with the code after this returns.
//
// APP_URL is the web app's base URL (default https://app.example.com).
// Callback style, as many deployed functions still are.
'use strict';

function link(path, params) {
  const base = process.env.APP_URL || 'https://app.example.com';
  // The code placeholder must reach Cognito intact, so it is not encoded.
  const query = Object.entries(params)
    .map(([k, v]) => `${k}=${k === 'code' ? v : encodeURIComponent(v)}`)
    .join('&');
  return `${base}/${path}?${query}`;
}

exports.handler = (event, context, callback) => {
  const username = event.userName || '';
  const code = event.request.codeParameter || '';
  const response = event.response;

  switch (event.triggerSource) {
    case 'CustomMessage_SignUp':
    case 'CustomMessage_ResendCode':
      response.emailSubject = 'Validate your account';
      response.emailMessage = `Hi <b>${username}</b>!<br>Thank you for signing up.<br>` +
        `Click <a href='${link('confirm-account', { username, code })}'>here</a> to validate your account.`;
      break;
    case 'CustomMessage_ForgotPassword':
      response.emailSubject = 'Reset your password';
      response.emailMessage = `Hi <b>${username}</b>!<br>` +
        `Click <a href='${link('reset-password', { username, code })}'>here</a> to reset your password.`;
      break;
    case 'CustomMessage_UpdateUserAttribute':
    case 'CustomMessage_VerifyUserAttribute':
      response.emailSubject = 'Validate your new email';
      response.emailMessage = `Hi <b>${username}</b>!<br>` +
        `Click <a href='${link('confirm-email', { code })}'>here</a> to validate your new email.`;
      break;
    case 'CustomMessage_AdminCreateUser':
      if (event.request.userAttributes['cognito:user_status'] === 'FORCE_CHANGE_PASSWORD') {
        response.emailSubject = 'Your new account';
        response.emailMessage = `Hi <b>${event.request.usernameParameter}</b>!<br><br>` +
          `Your temporary password is <b>${code}</b>.<br><br>` +
          `Sign in <a href='${link('sign-in', {})}'>here</a>.`;
      }
      break;
    default:
      // Other messages keep Cognito's text.
  }
  callback(null, event);
};
