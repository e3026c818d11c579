// A real OpenID Connect provider (the certified `oidc-provider` package) on loopback, for kik-graph's login tests.
//
// Usage: node server.js CONFIG.json
// CONFIG: {"port": 0, "client_id": "...", "client_secret": "...", "redirect_uri": "http://127.0.0.1:8501/oauth2callback",
//          "users": {"olga": {"password": "...", "email": "olga@kempten.de", "name": "Olga"}}}
// Prints one line `READY http://127.0.0.1:PORT` when it listens. Users log in with their id and password on the
// provider's own login form (wrong passwords are refused); consent is granted automatically (first-party client).
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { generateKeyPairSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { Buffer } from 'node:buffer';

import Provider, { interactionPolicy } from 'oidc-provider';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const users = config.users || {};

const escape = (s) => String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);

function page(title, body) {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escape(title)}</title></head>`
    + `<body><h1>${escape(title)}</h1>${body}</body></html>`;
}

function passwordOk(id, password) {
  const user = Object.prototype.hasOwnProperty.call(users, id) ? users[id] : null;
  const expected = Buffer.from(user ? String(user.password) : randomBytes(16).toString('hex'));
  const given = Buffer.from(String(password || ''));
  return Boolean(user) && expected.length === given.length && timingSafeEqual(expected, given);
}

function readForm(req) {
  return new Promise((resolve, reject) => {
    let data = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => { data += chunk; if (data.length > 10000) reject(new Error('too large')); });
    req.on('end', () => resolve(new URLSearchParams(data)));
    req.on('error', reject);
  });
}

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwk = { ...privateKey.export({ format: 'jwk' }), use: 'sig', alg: 'RS256', kid: 'test-key' };

const port = await new Promise((resolve) => {
  const probe = createServer();
  probe.listen(config.port || 0, '127.0.0.1', () => { const p = probe.address().port; probe.close(() => resolve(p)); });
});
const issuer = `http://127.0.0.1:${port}`;

// Streamlit asks for prompt=select_account (as Google and Entra ID support it): here the user selects the
// account by signing in with it, so that prompt shows the login form too.
const policy = interactionPolicy.base();
policy.add(new interactionPolicy.Prompt({ name: 'select_account', requestable: true }), 0);

const provider = new Provider(issuer, {
  clients: [{
    client_id: config.client_id,
    client_secret: config.client_secret,
    redirect_uris: [config.redirect_uri],
    post_logout_redirect_uris: [config.redirect_uri], // Streamlit returns to /oauth2callback after logout
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
  }],
  jwks: { keys: [jwk] },
  cookies: { keys: [randomBytes(32).toString('hex')] },
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
  conformIdTokenClaims: false, // the ID token carries email and name (what the app reads)
  features: { devInteractions: { enabled: false } },
  interactions: { policy, url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  async findAccount(ctx, id) {
    if (!Object.prototype.hasOwnProperty.call(users, id)) return undefined;
    const user = users[id];
    return {
      accountId: id,
      async claims() {
        return { sub: id, email: user.email, email_verified: true, name: user.name || id };
      },
    };
  },
  async loadExistingGrant(ctx) {
    // First-party client: grant the requested OpenID scopes without a consent screen.
    const { oidc } = ctx;
    const grantId = oidc.result?.consent?.grantId || oidc.session.grantIdFor(oidc.client.clientId);
    if (grantId) return oidc.provider.Grant.find(grantId);
    const grant = new oidc.provider.Grant({ clientId: oidc.client.clientId, accountId: oidc.session.accountId });
    grant.addOIDCScope('openid email profile');
    grant.addOIDCClaims(['email', 'email_verified', 'name']);
    await grant.save();
    return grant;
  },
});

function loginForm(uid, error) {
  return page('Identity provider – sign in',
    (error ? `<p role="alert">${escape(error)}</p>` : '')
    + `<form method="post" action="/interaction/${escape(uid)}/login">`
    + '<label>Username <input name="login" autocomplete="off" required></label> '
    + '<label>Password <input name="password" type="password" required></label> '
    + '<button type="submit">Sign in</button></form>');
}

const callback = provider.callback();
const server = createServer(async (req, res) => {
  const match = req.url.match(/^\/interaction\/([A-Za-z0-9_-]+)(\/login)?$/);
  if (!match) { callback(req, res); return; }
  try {
    const details = await provider.interactionDetails(req, res);
    if (details.uid !== match[1]) throw new Error('interaction mismatch');
    if (!['login', 'select_account'].includes(details.prompt.name)) {
      await provider.interactionFinished(req, res, {}, { mergeWithLastSubmission: true });
      return;
    }
    if (req.method === 'POST' && match[2]) {
      const form = await readForm(req);
      const login = form.get('login') || '';
      if (!passwordOk(login, form.get('password'))) {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
        res.end(loginForm(details.uid, 'Wrong username or password.'));
        return;
      }
      await provider.interactionFinished(req, res, { select_account: {}, login: { accountId: login } },
        { mergeWithLastSubmission: false });
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(loginForm(details.uid, ''));
  } catch (err) {
    res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' });
    res.end(`interaction failed: ${err.message}`);
  }
});

server.listen(port, '127.0.0.1', () => { process.stdout.write(`READY ${issuer}\n`); });
process.on('SIGTERM', () => { server.close(() => process.exit(0)); server.closeAllConnections(); });
