// A real OpenID Provider (panva's oidc-provider) for the gateway's tests. Test use only: open dev interactions
// (any login, any password), in-memory storage, a /__test/* control surface without authentication.
//
// Configuration: a JSON object, as the first command-line argument or in OIDC_PROVIDER_CONFIG (see README.md).
// When listening, prints one line to stdout:  OIDC-PROVIDER-READY {"issuer":"http://127.0.0.1:<port>","port":<port>}
// Exits when stdin closes (the test process went away) or on SIGTERM/SIGINT.
import * as crypto from 'node:crypto';
import * as http from 'node:http';
import { promisify } from 'node:util';

import Provider, { errors } from 'oidc-provider';
// Not part of oidc-provider's public API (the package has no "exports" map, so the path resolves): the function
// the Provider constructor uses to load `jwks`. Calling it again swaps the signing keys of a running provider,
// which is what a key rotation at a real IdP looks like from outside: a new kid signs, the old kid leaves the JWKS.
import initializeKeystore from 'oidc-provider/lib/helpers/initialize_keystore.js';
// oidc-provider's own in-memory adapter, configured explicitly: clients added at run time go into its store the way
// dynamically registered clients do, and Client.find reads them from there.
import MemoryAdapter from 'oidc-provider/lib/adapters/memory_adapter.js';

const generateKeyPair = promisify(crypto.generateKeyPair);

const raw = process.argv[2] ?? process.env.OIDC_PROVIDER_CONFIG ?? '{}';
const config = JSON.parse(raw);

const host = config.host ?? '127.0.0.1';
const port = Number(config.port ?? 0);
const signingAlgs = config.signingAlgs ?? ['ES256', 'RS256', 'PS256'];
const resources = new Map((config.resources ?? [{ indicator: 'https://api.test', scope: 'api:read api:write' }])
  .map((r) => [r.indicator, r]));
// Switchable at run time through POST /__test/settings.
const settings = {
  accessTokenSid: config.accessTokenSid ?? true,
  dpopRequireNonce: config.dpopRequireNonce ?? true,
};
const ttl = {
  accessToken: 300, clientCredentials: 300, idToken: 300, refreshToken: 3600, session: 3600, ...config.ttl,
};

const events = [];
function record(name, detail) {
  events.push({ at: Math.floor(Date.now() / 1000), name, ...detail });
  if (events.length > 200) events.shift();
}

let generation = 0;
async function newKey(alg) {
  const options = alg.startsWith('ES')
    ? ['ec', { namedCurve: { ES256: 'P-256', ES384: 'P-384', ES512: 'P-521' }[alg] }]
    : ['rsa', { modulusLength: 2048 }];
  const { privateKey } = await generateKeyPair(...options);
  const jwk = privateKey.export({ format: 'jwk' });
  return { ...jwk, alg, use: 'sig', kid: `${alg.toLowerCase()}-g${generation}-${crypto.randomBytes(4).toString('hex')}` };
}

async function newKeySet() {
  generation += 1;
  return { keys: await Promise.all(signingAlgs.map(newKey)) };
}

let jwks = await newKeySet();
// RSA key generation takes a moment on a busy machine: the next rotation's keys are made in the background.
let nextKeySet = newKeySet();

// Listen first (port 0: the OS picks one), then build the provider for the issuer that port makes.
let handler = (_req, res) => { res.statusCode = 503; res.end(); };
const server = http.createServer((req, res) => handler(req, res));
await new Promise((resolve, reject) => {
  server.once('error', reject);
  server.listen(port, host, resolve);
});
const actualPort = server.address().port;
const issuer = `http://${host}:${actualPort}`;

const clients = (config.clients ?? []).map((c) => ({
  grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
  response_types: ['code'],
  ...c,
}));

const clientStore = new MemoryAdapter('Client');

const provider = new Provider(issuer, {
  adapter: MemoryAdapter,
  clients,
  jwks,
  cookies: { keys: [crypto.randomBytes(32).toString('base64url')] },
  scopes: ['openid', 'offline_access', 'profile', 'email'],
  // Any login works (devInteractions); the account is the login name.
  async findAccount(_ctx, sub) {
    return { accountId: sub, async claims() { return { sub }; } };
  },
  pkce: { methods: ['S256'], required: () => true },
  // Refresh tokens rotate on every use: the one presented is consumed, a new one comes back.
  rotateRefreshToken: true,
  issueRefreshToken: async (_ctx, client, code) => client.grantTypeAllowed('refresh_token') && code.scopes.has('offline_access'),
  // RFC 9068 leaves `sid` out of access tokens; oidc-provider does too unless told. token.sid is only set for
  // clients whose sessions oidc-provider tracks for them (backchannel_logout_uri with
  // backchannel_logout_session_required, or `sid` asked for through the claims parameter), so otherwise the
  // session's sid for this client is looked up by the token's sessionUid. Client credentials have no session.
  async extraTokenClaims(_ctx, token) {
    if (!settings.accessTokenSid || !token.accountId) {
      return undefined;
    }
    let { sid } = token;
    if (!sid && token.sessionUid) {
      const session = await provider.Session.findByUid(token.sessionUid);
      sid = session?.sidFor(token.clientId);
    }
    return sid ? { sid } : undefined;
  },
  ttl: {
    AccessToken: (_ctx, token) => token.resourceServer?.accessTokenTTL ?? ttl.accessToken,
    ClientCredentials: (_ctx, token) => token.resourceServer?.accessTokenTTL ?? ttl.clientCredentials,
    IdToken: ttl.idToken,
    RefreshToken: ttl.refreshToken,
    Session: ttl.session,
    Grant: ttl.session,
    Interaction: 600,
    AuthorizationCode: 60,
  },
  features: {
    devInteractions: { enabled: true },
    clientCredentials: { enabled: true },
    backchannelLogout: { enabled: true },
    rpInitiatedLogout: { enabled: true },
    revocation: { enabled: true },
    introspection: { enabled: true },
    dPoP: {
      enabled: true,
      nonceSecret: crypto.randomBytes(32),
      requireNonce: () => settings.dpopRequireNonce,
    },
    resourceIndicators: {
      enabled: true,
      defaultResource: async (_ctx, _client, oneOf) => oneOf ?? resources.keys().next().value,
      // The token endpoint may omit `resource`: the granted one is used (so a refresh needs no resource parameter).
      useGrantedResource: async () => true,
      async getResourceServerInfo(_ctx, indicator) {
        const resource = resources.get(indicator);
        if (!resource) {
          throw new errors.InvalidTarget(`unknown resource ${indicator}`);
        }
        return {
          scope: resource.scope,
          audience: resource.audience ?? indicator,
          accessTokenTTL: resource.accessTokenTtl,
          accessTokenFormat: 'jwt',
          jwt: { sign: { alg: resource.alg ?? 'ES256' } },
        };
      },
    },
  },
  // oidc-provider 8.x posts back-channel logouts with `got` and node's plain dns.lookup: loopback receivers work
  // as they are. (9.x refuses special-use addresses, 127.0.0.0/8 included; see README.md for its override.)
  // 10 s rather than the default 2.5 s: a receiver on a loaded CI machine may be slow to answer.
  httpOptions: () => ({ signal: AbortSignal.timeout(10_000) }),
});

provider.on('backchannel.success', (_ctx, client, accountId, sid) => {
  record('backchannel.success', { client_id: client.clientId, sub: accountId, sid });
});
provider.on('backchannel.error', (_ctx, err, client, accountId, sid) => {
  record('backchannel.error', { client_id: client.clientId, sub: accountId, sid, error: err.message });
  process.stderr.write(`backchannel logout to ${client.backchannelLogoutUri} failed: ${err.message}\n`);
});
for (const name of ['server_error', 'grant.error', 'end_session.error', 'end_session_confirm.error', 'authorization.error']) {
  provider.on(name, (_ctx, err) => {
    record(name, { error: err.message, description: err.error_description });
    process.stderr.write(`${name}: ${err.message}${err.error_description ? ` (${err.error_description})` : ''}\n`);
  });
}

function publicJwks() {
  return {
    keys: jwks.keys.map(({
      kty, crv, x, y, n, e, kid, alg, use,
    }) => Object.fromEntries(Object.entries({
      kty, crv, x, y, n, e, kid, alg, use,
    }).filter(([, v]) => v !== undefined))),
  };
}

async function readJson(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? JSON.parse(text) : {};
}

function send(res, status, body) {
  res.statusCode = status;
  res.setHeader('content-type', 'application/json');
  res.setHeader('cache-control', 'no-store');
  res.end(JSON.stringify(body));
}

// The test-only control surface.
const control = {
  'GET /__test/health': async () => ({ status: 'ok', issuer, kids: jwks.keys.map((k) => k.kid) }),
  'GET /__test/events': async () => ({ events }),
  'GET /__test/settings': async () => settings,
  'POST /__test/settings': async (body) => {
    for (const key of Object.keys(settings)) {
      if (typeof body[key] === 'boolean') settings[key] = body[key];
    }
    return settings;
  },
  // Replaces every signing key (one per algorithm) with a new one; with {"retainPrevious":true} the old keys stay
  // in the JWKS (after the new ones, which sign from now on).
  'POST /__test/rotate-keys': async (body) => {
    const previous = jwks;
    const next = await nextKeySet;
    nextKeySet = newKeySet();
    jwks = body.retainPrevious ? { keys: [...next.keys, ...previous.keys] } : next;
    initializeKeystore.call(provider, jwks);
    return { jwks: publicJwks(), removed: body.retainPrevious ? [] : previous.keys.map((k) => k.kid) };
  },
  // Adds (or replaces) a client at run time: the body is its metadata, client_id included. Stored like a
  // dynamically registered client, so oidc-provider validates it on use.
  'POST /__test/clients': async (body) => {
    const metadata = {
      grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
      response_types: ['code'],
      ...body,
    };
    if (typeof metadata.client_id !== 'string' || !metadata.client_id) {
      throw Object.assign(new Error('client_id is required'), { status: 400 });
    }
    if (clients.some((c) => c.client_id === metadata.client_id)) {
      throw Object.assign(new Error(`${metadata.client_id} is a statically configured client`), { status: 409 });
    }
    await provider.Client.validate(metadata);
    await clientStore.upsert(metadata.client_id, metadata);
    const client = await provider.Client.find(metadata.client_id);
    return client.metadata();
  },
};

const oidc = provider.callback();
handler = async (req, res) => {
  const path = req.url.split('?')[0];
  const route = control[`${req.method} ${path}`];
  if (!route) {
    oidc(req, res);
    return;
  }
  try {
    send(res, 200, await route(req.method === 'POST' ? await readJson(req) : {}));
  } catch (err) {
    send(res, err.status ?? 400, { error: err.name ?? 'error', error_description: err.message });
  }
};

function shutdown() {
  server.close();
  server.closeAllConnections?.();
  process.exit(0);
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
process.stdin.on('end', shutdown);
process.stdin.on('error', shutdown);
process.stdin.resume();

process.stdout.write(`OIDC-PROVIDER-READY ${JSON.stringify({ issuer, port: actualPort, node: process.version })}\n`);
