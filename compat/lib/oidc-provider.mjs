// A local OpenID Provider for the federation compat tests, built on the
// certified `oidc-provider` package (panva). It listens on 127.0.0.1:0 and
// serves discovery, authorization, token, userinfo and JWKS; its own
// interaction pages are one small sign-in form (email and password, a
// "Sign in" button) that the browser submits. Consent is granted together
// with the sign-in, so the browser goes straight back to the relying party.
//
// The relying party's redirect URI is only known once the caller has set up
// its side (Cogito's pool id is part of it), so the provider is created in
// two steps: startOidcProvider() listens and fixes the issuer URL;
// op.register(redirectUris) creates the oidc-provider instance with its one
// client. Requests before that answer 503.
//
// Like Google, the id token carries the email claims itself (not only
// userinfo): conformIdTokenClaims is off unless the caller turns it on (then
// those claims come from userinfo only). PKCE (S256) is required, the
// client authenticates with client_secret_post, id tokens are RS256.

import crypto from 'node:crypto';
import http from 'node:http';
import { exportJWK, generateKeyPair } from 'jose';
import Provider from 'oidc-provider';

const esc = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * Start the provider.
 * @param {object} [opts]
 * @param {string} [opts.clientId]
 * @param {string} [opts.clientSecret]
 * @param {{sub: string, email: string, password: string, name?: string}} [opts.user]
 *   the one account that can sign in
 * @param {boolean} [opts.conformIdTokenClaims] true: the id token carries only
 *   sub and the protocol claims (no email, name), so a relying party has to
 *   read them from userinfo; default false (the Google-like behaviour)
 * @returns {Promise<{issuer: string, clientId: string, clientSecret: string, user: object,
 *   register: (redirectUris: string[]) => Promise<void>, requests: {method: string, path: string, query: object}[],
 *   close: () => Promise<void>}>}
 */
export async function startOidcProvider({
  clientId = 'local-google-client',
  clientSecret = crypto.randomBytes(24).toString('base64url'),
  user = { sub: '1049000000000000000001', email: 'bob@gmail.example', password: 'correct horse battery staple', name: 'Bob' },
  conformIdTokenClaims = false,
} = {}) {
  const requests = [];
  let provider = null;
  let callback = null;

  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    requests.push({ method: req.method, path: url.pathname, query: Object.fromEntries(url.searchParams) });
    if (!provider) {
      res.statusCode = 503;
      res.end('provider not configured yet');
      return;
    }
    const m = /^\/interaction\/([^/]+)$/.exec(url.pathname);
    if (m) {
      interaction(req, res, m[1]).catch((err) => {
        if (!res.headersSent) {
          res.statusCode = 400;
          res.setHeader('Content-Type', 'text/plain; charset=utf-8');
        }
        res.end(`interaction failed: ${err.message}`);
      });
      return;
    }
    callback(req, res);
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const issuer = `http://127.0.0.1:${server.address().port}`;

  function page(res, status, title, body) {
    res.statusCode = status;
    res.setHeader('Content-Type', 'text/html; charset=utf-8');
    res.setHeader('Cache-Control', 'no-store');
    res.end(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>body{font-family:sans-serif;max-width:22rem;margin:3rem auto}label,input,button{display:block;width:100%;margin:.4rem 0}
input{padding:.4rem;box-sizing:border-box}button{padding:.5rem;background:#1a73e8;color:#fff;border:0}.err{color:#b00020}</style>
</head><body><h1 id="op">Local OpenID Provider</h1>${body}</body></html>`);
  }

  function loginForm(res, uid, params, error) {
    page(res, error ? 401 : 200, 'Sign in · Local OpenID Provider', `
<p>Sign in to continue to <b>${esc(params.client_id)}</b>.</p>
${error ? `<p class="err" id="op-error">${esc(error)}</p>` : ''}
<form method="post" action="/interaction/${esc(uid)}">
  <label for="email">Email</label><input id="email" name="email" type="email" autocomplete="username" required>
  <label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required>
  <button type="submit" id="op-sign-in">Sign in</button>
</form>`);
  }

  async function readForm(req) {
    let body = '';
    for await (const chunk of req) {
      body += chunk;
      if (body.length > 64 * 1024) throw new Error('form too large');
    }
    return new URLSearchParams(body);
  }

  /** The interaction pages: GET shows the form, POST signs in and grants. */
  async function interaction(req, res, uid) {
    const details = await provider.interactionDetails(req, res);
    if (details.uid !== uid) throw new Error('interaction uid mismatch');
    const { prompt, params } = details;
    if (req.method === 'GET') {
      if (prompt.name !== 'login' && prompt.name !== 'consent') throw new Error(`prompt ${prompt.name} not supported`);
      if (prompt.name === 'consent') return grant(req, res, details, details.session.accountId, {});
      return loginForm(res, uid, params);
    }
    if (req.method !== 'POST') throw new Error(`method ${req.method}`);
    const form = await readForm(req);
    if (form.get('email') !== user.email || form.get('password') !== user.password) {
      return loginForm(res, uid, params, 'Wrong email or password.');
    }
    return grant(req, res, details, user.sub, { login: { accountId: user.sub } });
  }

  /** Grant the requested scopes to the client and finish the interaction. */
  async function grant(req, res, details, accountId, result) {
    const g = details.grantId
      ? await provider.Grant.find(details.grantId)
      : new provider.Grant({ accountId, clientId: details.params.client_id });
    const missing = details.prompt.details ?? {};
    g.addOIDCScope(String(details.params.scope ?? 'openid'));
    if (missing.missingOIDCClaims) g.addOIDCClaims(missing.missingOIDCClaims);
    const grantId = await g.save();
    await provider.interactionFinished(req, res, { ...result, consent: { grantId } }, { mergeWithLastSubmission: false });
  }

  async function register(redirectUris) {
    const { privateKey } = await generateKeyPair('RS256', { extractable: true });
    const jwk = { ...(await exportJWK(privateKey)), kid: crypto.randomUUID(), alg: 'RS256', use: 'sig' };
    provider = new Provider(issuer, {
      clients: [{
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: redirectUris,
        response_types: ['code'],
        grant_types: ['authorization_code'],
        token_endpoint_auth_method: 'client_secret_post',
        id_token_signed_response_alg: 'RS256',
      }],
      jwks: { keys: [jwk] },
      cookies: { keys: [crypto.randomBytes(32).toString('base64url')] },
      claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
      conformIdTokenClaims,
      pkce: { required: () => true },
      ttl: { AuthorizationCode: 60, AccessToken: 600, IdToken: 600, Interaction: 600, Grant: 600, Session: 600 },
      features: { devInteractions: { enabled: false } },
      interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
      async findAccount(ctx, id) {
        if (id !== user.sub) return undefined;
        return {
          accountId: id,
          claims: async () => ({ sub: user.sub, email: user.email, email_verified: true, name: user.name }),
        };
      },
      renderError(ctx, out) {
        ctx.type = 'html';
        ctx.body = `<!doctype html><title>Error</title><h1 id="op-error">${esc(out.error)}</h1><p>${esc(out.error_description ?? '')}</p>`;
      },
    });
    callback = provider.callback();
  }

  return {
    issuer,
    clientId,
    clientSecret,
    user,
    register,
    requests,
    close: () => new Promise((resolve) => { server.closeAllConnections?.(); server.close(() => resolve()); }),
  };
}
