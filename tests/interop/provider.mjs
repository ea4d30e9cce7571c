// An independent OpenID Provider (oidc-provider, OpenID Certified) dressed up
// as Kinde, for tests/interop/test_interop.c. Everything it does is plain
// oidc-provider configuration plus one small Koa middleware of our own: the
// Kinde profile route, a test-only counter route, and Kinde's spellings of
// logout (`redirect`) and sign-up (`prompt=create`).
//
//   node provider.mjs --key <private key PEM> --kid <kid> --ready-file <path> [--port N]
//
// It listens on 127.0.0.1 only, writes its port to the ready file once it is
// listening, exits on SIGTERM/SIGINT and also when its standard input reaches
// end of file (the test holds the other end of a pipe: if the test dies,
// the provider follows, so no orphan outlives a crashed test).
//
// See README.md for every place where this provider differs from Kinde.
import {
  createPrivateKey, createPublicKey, generateKeyPairSync, verify as rsaVerify,
} from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import process from 'node:process';

import Provider from 'oidc-provider';

const args = {};
for (let i = 2; i < process.argv.length; i += 2) {
  const name = process.argv[i].replace(/^--/, '');
  args[name] = process.argv[i + 1];
}
for (const needed of ['key', 'kid', 'ready-file']) {
  if (!args[needed]) {
    console.error(`provider.mjs: --${needed} is required`);
    process.exit(2);
  }
}

// ---- the fixed world the C test asserts against ------------------------
const CLIENT_ID = 'kinde_interop_client';
const CLIENT_SECRET = 'kinde_interop_secret_0123456789abcdef';
const CALLBACK = 'http://127.0.0.1:8000/callback';
const LOGOUT_REDIRECT = 'http://127.0.0.1:8000/';
const API_AUDIENCE = 'https://api.interop.test';
// An API whose access tokens live five seconds: the expiry-driven refresh test.
const SHORT_AUDIENCE = 'https://short.interop.test';

// Users by account id. The subject is the account id: oidc-provider has no
// notion of Kinde's kp_ prefix, and the SDK must not need one.
const USERS = {
  'dave-interop': {
    given_name: 'Dave',
    family_name: 'Smith',
    email: 'dave@smith.test',
    picture: 'https://img.interop.test/dave.png',
    org_codes: ['org_interop_1', 'org_interop_2'],
    org_code: 'org_interop_1',
    permissions: ['read:todos', 'create:todos'],
    roles: [{ id: 'role_01', key: 'admin', name: 'Admin' }],
  },
};
const FEATURE_FLAGS = {
  theme: { t: 's', v: 'pink' },
  is_dark_mode: { t: 'b', v: true },
  competitions_limit: { t: 'i', v: 5 },
};

// ---- signing key (from the test, so it can restart us with a new one) ----
const privatePem = readFileSync(args.key, 'utf8');
const privateKey = createPrivateKey(privatePem);
const publicKey = createPublicKey(privateKey);
const jwk = { ...privateKey.export({ format: 'jwk' }), kid: args.kid, alg: 'RS256', use: 'sig' };
// Real key sets hold more than the key that signs: an EC key (ES256, which
// this provider is not allowed to sign with) is published beside it, and the
// SDK must pick the RS256 key by kid and skip the other (SECURITY.md A6).
// (oidc-provider refuses a `use: enc` key unless encryption is configured.)
const { privateKey: ecKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const otherJwks = [
  { ...ecKey.export({ format: 'jwk' }), kid: `${args.kid}-ec`, alg: 'ES256', use: 'sig' },
];

// ---- counters for the test ------------------------------------------------
const counts = {
  jwks: 0, token: 0, revoke: 0, user_profile: 0, register: 0,
};

function one(v) {
  return Array.isArray(v) ? v[0] : v;
}

// Kinde takes `audience`; RFC 8707 (what oidc-provider implements) takes
// `resource`. Both name the API the access token is for; map one onto the
// other. Kinde's default, without any audience, is still a JWT access token:
// here that is the test API.
function requestedAudience(ctx) {
  const fromAuthorize = ctx.oidc.params && ctx.oidc.params.audience;
  const fromBody = ctx.oidc.body && ctx.oidc.body.audience;
  return fromAuthorize || fromBody || API_AUDIENCE;
}

function b64urlJson(part) {
  return JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
}

// The Kinde profile route checks the bearer JWT access token itself: RS256
// with our key, our issuer, not expired.
function verifyAccessToken(token, issuer) {
  const parts = String(token).split('.');
  if (parts.length !== 3) return null;
  let header;
  let payload;
  try {
    header = b64urlJson(parts[0]);
    payload = b64urlJson(parts[1]);
  } catch {
    return null;
  }
  if (header.alg !== 'RS256' || header.kid !== args.kid) return null;
  const ok = rsaVerify('RSA-SHA256', Buffer.from(`${parts[0]}.${parts[1]}`), publicKey,
    Buffer.from(parts[2], 'base64url'));
  if (!ok || payload.iss !== issuer || !(payload.exp > Date.now() / 1000)) return null;
  return payload;
}

const server = http.createServer();
server.listen(Number(args.port || 0), '127.0.0.1', () => {
  const { port } = server.address();
  const issuer = `http://127.0.0.1:${port}`;

  const provider = new Provider(issuer, {
    clients: [{
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
      redirect_uris: [CALLBACK],
      post_logout_redirect_uris: [LOGOUT_REDIRECT],
      response_types: ['code'],
      grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
      // Kinde's documented form; the SDK sends client_id/client_secret in the body.
      token_endpoint_auth_method: 'client_secret_post',
      id_token_signed_response_alg: 'RS256',
    }],
    jwks: { keys: [jwk, ...otherJwks] },
    // RS256 only, like Kinde (the key set holds one RSA key anyway).
    enabledJWA: {
      idTokenSigningAlgValues: ['RS256'],
      userinfoSigningAlgValues: ['RS256'],
      introspectionSigningAlgValues: ['RS256'],
      authorizationSigningAlgValues: ['RS256'],
    },
    cookies: { keys: ['kinde-interop-cookie-key-not-a-secret'] },
    routes: {
      authorization: '/oauth2/auth',
      token: '/oauth2/token',
      jwks: '/.well-known/jwks.json',
      end_session: '/logout',
      revocation: '/oauth2/revoke',
      introspection: '/oauth2/introspect',
      userinfo: '/oauth2/userinfo',
    },
    // PKCE on every authorization-code login (oidc-provider only knows S256).
    pkce: { required: () => true },
    // Kinde's refresh scope is `offline`; OpenID Connect's is `offline_access`.
    scopes: ['openid', 'offline_access', 'offline', 'profile', 'email'],
    claims: {
      openid: ['sub'],
      profile: ['name', 'given_name', 'family_name', 'picture', 'updated_at', 'org_codes'],
      email: ['email', 'email_verified'],
    },
    // Kinde puts the profile claims in the ID token of a code flow too.
    conformIdTokenClaims: false,
    // Kinde's authorization parameters that this provider should see.
    extraParams: ['audience', 'org_code', 'org_name', 'is_create_org', 'lang', 'connection_id'],
    async findAccount(ctx, sub) {
      const u = USERS[sub];
      if (!u) return undefined;
      return {
        accountId: sub,
        async claims() {
          return {
            sub,
            name: `${u.given_name} ${u.family_name}`,
            given_name: u.given_name,
            family_name: u.family_name,
            email: u.email,
            email_verified: true,
            picture: u.picture,
            org_codes: u.org_codes,
            updated_at: 1700000000,
          };
        },
      };
    },
    issueRefreshToken: async (ctx, client, code) => client.grantTypeAllowed('refresh_token')
      && (code.scopes.has('offline') || code.scopes.has('offline_access')),
    expiresWithSession: async (ctx, code) => !(code.scopes.has('offline') || code.scopes.has('offline_access')),
    // Kinde rotates the refresh token on every use.
    rotateRefreshToken: () => true,
    // Kinde's custom claims, on user and machine access tokens.
    async extraTokenClaims(ctx, token) {
      if (token.kind === 'AccessToken') {
        const u = USERS[token.accountId];
        if (!u) return undefined;
        return {
          org_code: u.org_code,
          permissions: u.permissions,
          roles: u.roles,
          feature_flags: FEATURE_FLAGS,
        };
      }
      if (token.kind === 'ClientCredentials') {
        return { feature_flags: { m2m_enabled: { t: 'b', v: true } } };
      }
      return undefined;
    },
    features: {
      devInteractions: { enabled: true },
      clientCredentials: { enabled: true },
      revocation: { enabled: true },
      introspection: { enabled: true },
      userinfo: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        async logoutSource(ctx, form) {
          ctx.type = 'html';
          ctx.body = `<!DOCTYPE html><html><body>${form}
<button type="submit" form="op.logoutForm" value="yes" name="logout">Sign out</button>
</body></html>`;
        },
      },
      resourceIndicators: {
        enabled: true,
        defaultResource: async (ctx, client, oneOf) => {
          if (oneOf) return oneOf;
          return one(requestedAudience(ctx));
        },
        // The access token of a code or refresh grant is for the API that
        // the login asked for (Kinde: the `audience` of the login URL).
        useGrantedResource: async () => true,
        getResourceServerInfo: async (ctx, resourceIndicator) => ({
          audience: resourceIndicator,
          scope: 'read:todos create:todos',
          accessTokenFormat: 'jwt',
          accessTokenTTL: resourceIndicator === SHORT_AUDIENCE ? 5 : 3600,
          jwt: { sign: { alg: 'RS256' } },
        }),
      },
    },
  });

  // Kinde's own routes and the test's counters, in front of the provider.
  provider.use(async (ctx, next) => {
    if (ctx.path === '/.well-known/jwks.json') counts.jwks += 1;
    if (ctx.path === '/oauth2/token') counts.token += 1;
    if (ctx.path === '/oauth2/revoke') counts.revoke += 1;

    if (ctx.method === 'GET' && ctx.path === '/_interop/stats') {
      ctx.type = 'json';
      ctx.body = JSON.stringify(counts);
      return;
    }

    // Kinde: GET /oauth2/v2/user_profile with the user's access token.
    if (ctx.path === '/oauth2/v2/user_profile') {
      counts.user_profile += 1;
      const m = /^Bearer (.+)$/.exec(ctx.get('authorization'));
      const claims = m && verifyAccessToken(m[1], issuer);
      const u = claims && USERS[claims.sub];
      if (!u) {
        ctx.status = 401;
        ctx.set('WWW-Authenticate', 'Bearer error="invalid_token"');
        ctx.body = '';
        return;
      }
      ctx.type = 'json';
      ctx.body = JSON.stringify({
        sub: claims.sub,
        id: claims.sub,
        provided_id: null,
        name: `${u.given_name} ${u.family_name}`,
        given_name: u.given_name,
        family_name: u.family_name,
        updated_at: 1700000000,
        email: u.email,
        email_verified: true,
        picture: u.picture,
        preferred_username: null,
      });
      return;
    }

    // Kinde: prompt=create opens the sign-up page. oidc-provider knows no
    // `create` prompt (OpenID Connect's "Initiating User Registration" is
    // not among its prompts); its sign-in form stands in for sign-up here.
    if (ctx.method === 'GET' && ctx.path === '/oauth2/auth' && ctx.query.prompt === 'create') {
      counts.register += 1;
      const q = new URLSearchParams(ctx.querystring);
      q.set('prompt', 'login');
      ctx.querystring = q.toString();
    }

    // Kinde: /logout?redirect=<url>. OpenID Connect RP-Initiated Logout:
    // post_logout_redirect_uri with client_id (or id_token_hint). Same
    // allow-list check, exact match, done by the provider itself.
    if (ctx.method === 'GET' && ctx.path === '/logout' && ctx.query.redirect !== undefined) {
      const redirect = one(ctx.query.redirect);
      ctx.querystring = new URLSearchParams({
        client_id: CLIENT_ID,
        post_logout_redirect_uri: redirect,
      }).toString();
    }
    await next();
  });

  server.on('request', provider.callback());

  const ready = args['ready-file'];
  writeFileSync(`${ready}.tmp`, `${port}\n`);
  renameSync(`${ready}.tmp`, ready);
});

function stop() {
  server.close();
  server.closeAllConnections();
  process.exit(0);
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
// The test holds our stdin: end of file means the test is gone.
process.stdin.on('end', stop);
process.stdin.on('error', stop);
process.stdin.resume();
