/**
 * The sandbox tenant: an oidc-provider authorization server behind a small `node:http` router that
 * speaks Entra ID v2.0's paths, errors and token shapes, plus the portal (directory, settings,
 * certificates), the device login page and a Graph look-alike. Listens on 127.0.0.1 only.
 */
import { createServer, type IncomingMessage, type RequestListener, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { JWK } from 'jose';
import Provider, { type ClientMetadata } from 'oidc-provider';
import { createMemoryAdapter, type AdapterOptions, type ArtifactStore } from './adapter.ts';
import { createSharedStoreAdapter } from './store/redis-adapter.ts';
import { createMemoryStore } from './store/memory-store.ts';
import type { SharedStore } from './store/shared-store.ts';
import { ATTACK_LAB_PREFIX, AttackLab, handleAttackLabRequest } from './attack-lab.ts';
import { wildcardRedirectUriMatches } from './attack-lab-redirect-uri-wildcard.ts';
import { handlePayrollApiRequest, PAYROLL_API_PATH } from './attack-lab-wrong-audience.ts';
import { handleMixUpRequest, MIX_UP_AS_PREFIX } from './attack-lab-mix-up.ts';
import { handleDirectoryRequest, isDirectoryPath } from './app-directory.ts';
import {
  buildAuthorizationErrorResponse,
  checkAuthorizationRequest,
  redirectUriMatches,
} from './authorize-gate.ts';
import { CertificateStore } from './certificates.ts';
import { checkDeviceAuthorizationRequest, DEVICE_LOGIN_PATH } from './device-flow.ts';
import { DevicePollRegistry } from './device-polling.ts';
import { aadsts, buildEntraErrorBody, type EntraError } from './entra-errors.ts';
import { captureProviderErrors, entraShape } from './entra-shape.ts';
import { ConsentStore } from './consents.ts';
import { resolveTenantSegment, type TenantSegment } from './directory.ts';
import { GRAPH_PREFIX, handleGraphRequest } from './graph-api.ts';
import {
  enforceSecurityHeaders,
  isFormBody,
  mountRequest,
  readBody,
  replayRequest,
  sendHtml,
  sendJson,
  sendRedirect,
  type MountedRequest,
} from './http-utils.ts';
import { findInteraction, handleInteraction, PendingMfa } from './interactions.ts';
import { loadOrCreateKeys } from './keys.ts';
import { loadOrCreateTls, parseHttpsOption, type SandboxTls } from './tls.ts';
import { applyEntraIdTokenRules } from './response-extras.ts';
import { handleLogout } from './logout.ts';
import { USERINFO_PATH } from './published-metadata.ts';
import { handleUserInfo } from './userinfo.ts';
import { handleV1Request, isV1Path } from './v1-endpoints.ts';
import { checkTokenAudience } from './tenant-audience.ts';
import { answerAudienceAtAuthorize, refuseConsumersSignIn } from './tenant-sign-in.ts';
import { SmartLockout } from './lockout.ts';
import { TenantState } from './tenant-state.ts';
import { SignInMethods } from './access-token-claims.ts';
import { errorPage } from './pages.ts';
import { OBO_GRANT, OBO_GRANT_PARAMS, onBehalfOfGrantHandler } from './obo-grant.ts';
import { portalPage, type MemoryReport, type PortalView } from './portal.ts';
import { answerTrainerGate, createTrainerGate, type TrainerGate } from '../hosting.ts';
import { classifyHostedRequest } from './hosted-access.ts';
import { handlePortalRequest, PORTAL_API_PREFIX, type PortalState } from './portal-api.ts';
import { buildProviderConfig, clientMetadata, INTERACTION_PREFIX, ROUTES } from './provider-config.ts';
import { AppRegistry, type AppRegistration } from './registrations.ts';
import { markClientCredential } from './request-marks.ts';
import { PASSWORD_GRANT, PASSWORD_GRANT_PARAMS, passwordGrantHandler } from './ropc-grant.ts';
import { DEFAULT_SETTINGS, parseSettingsPatch, SharedSettings, type SandboxSettings } from './settings.ts';
import { checkTokenRequest, type TokenGateDeps } from './token-gate.ts';
import { createSandboxTokenVerifier, type SandboxTokenVerifier } from './token-verifier.ts';
import { SANDBOX_TENANT } from './seed.ts';
import type { StandardSettings } from './standard/config.ts';
import { createStandardIssuer, type StandardIssuer } from './standard/issuer.ts';

/** Options for {@link startSandbox}. */
export interface SandboxOptions {
  /** Port on 127.0.0.1; 0 picks a free one. */
  readonly port: number;
  /** Where keys are kept; default `$SANDBOX_DATA_DIR` or `<repo>/.sandbox/`. */
  readonly dataDir?: string;
  /** Print nothing at all (no start-up line, no server-error logs). */
  readonly quiet?: boolean;
  /** Rotate refresh tokens (the old one becomes invalid). Off by default: Entra keeps old ones valid. */
  readonly rotateRefreshTokens?: boolean;
  /** Device code lifetime in seconds (default 900, as Entra); also a runtime setting on the portal. */
  readonly deviceCodeLifetimeSeconds?: number;
  /** Initial settings of the standards issuer at `/standard` (standard/config.ts). */
  readonly standard?: Partial<StandardSettings>;
  /**
   * Where the state every instance of one tenant must share is kept (store/shared-store.ts). Default: a
   * new in-memory store, closed with the sandbox; a store passed in is the caller's to close.
   */
  readonly store?: SharedStore;
  /** The address to listen on: 127.0.0.1 (loopback only) unless hosting mode (server/hosting.ts) asks. */
  readonly host?: string;
  /** Hosting mode: every portal write needs this trainer password, learners see it read-only. */
  readonly trainerPassword?: string;
  /**
   * The origin learners' browsers use (`https://lab.example:8443`), when instances run behind a reverse
   * proxy: issuer, endpoints, discovery, accepted client-assertion audiences and page links name it, and
   * every request is served as if addressed to it. Default `$SANDBOX_PUBLIC_ORIGIN`, else
   * `http://localhost:<port>`.
   */
  readonly publicOrigin?: string;
  /**
   * Cuts every artifact's lifetime (codes, tokens, sessions, grants, interactions) to at most this many
   * seconds, for load tests that wait for them to expire (`npm run bench -- --only=workshop`). Default
   * `$SANDBOX_MAX_ARTIFACT_LIFETIME_SECONDS`, else none: Entra's lifetimes.
   */
  readonly maxArtifactLifetimeSeconds?: number;
  /**
   * Serve over https with a local CA and a localhost certificate kept in the data dir (tls.ts, issue 17):
   * the origin becomes `https://localhost:<port>` unless a public origin is set. Default
   * `$SANDBOX_HTTPS` (`1` or `true`), else plain http.
   */
  readonly https?: boolean;
}

/** The maximum artifact lifetime from the option or its variable; throws unless a positive integer. */
function parseMaxLifetime(options: SandboxOptions): number | undefined {
  const value = options.maxArtifactLifetimeSeconds ?? process.env['SANDBOX_MAX_ARTIFACT_LIFETIME_SECONDS'];
  if (value === undefined || value === '') return undefined;
  const seconds = Number(value);
  if (!Number.isInteger(seconds) || seconds < 1)
    throw new Error(
      `maxArtifactLifetimeSeconds (SANDBOX_MAX_ARTIFACT_LIFETIME_SECONDS) ${JSON.stringify(value)} is not a whole number of seconds of 1 or more`,
    );
  return seconds;
}

/** A running sandbox. */
export interface RunningSandbox {
  /** The public origin, or `http://localhost:<port>`; the issuer is `${origin}/<tenant id>/v2.0`. */
  readonly origin: string;
  readonly port: number;
  readonly issuer: string;
  /** The live runtime settings (the portal's `/portal/settings` changes the same object). */
  readonly settings: Readonly<SandboxSettings>;
  /** The local CA and certificate when serving https (tls.ts); undefined over plain http. */
  readonly tls: SandboxTls | undefined;
  /** The standards-only OpenID provider at `${origin}/standard` (standard/issuer.ts). */
  readonly standard: StandardIssuer;
  /** The attack lab's vulnerable-mode switches (attack-lab.ts), all off unless a run turned one on. */
  readonly attackLab: AttackLab;
  close(): Promise<void>;
}

const DEFAULT_DATA_DIR = join(fileURLToPath(new URL('../..', import.meta.url)), '.sandbox');

type ProviderHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void> | void;

interface Context {
  readonly provider: Provider;
  readonly handle: ProviderHandler;
  readonly store: ArtifactStore;
  /** The state shared with every other instance of this tenant (memory or Redis). */
  readonly shared: SharedStore;
  readonly origin: string;
  readonly pendingMfa: PendingMfa;
  /** The tenant's rarely-written state (registrations, certificates, settings, attack lab), versioned. */
  readonly tenant: TenantState;
  readonly sharedSettings: SharedSettings;
  readonly signInMethods: SignInMethods;
  readonly settings: SandboxSettings;
  readonly certificates: CertificateStore;
  readonly registry: AppRegistry;
  readonly consents: ConsentStore;
  readonly devicePolls: DevicePollRegistry;
  readonly lockout: SmartLockout;
  readonly verifyToken: SandboxTokenVerifier;
  /** The signing key's public members and certificate, for the v1 key set. */
  readonly publicSigningKey: JWK;
  readonly standard: StandardIssuer;
  readonly attackLab: AttackLab;
  /** Hosting mode's trainer gate (server/hosting.ts); absent: every portal action is open, as on loopback. */
  readonly trainerGate?: TrainerGate;
  /** The local CA file's absolute path when serving https (tls.ts); shown in /directory.json. */
  readonly tlsCaFile?: string;
}


function initialSettings(options: SandboxOptions): SandboxSettings {
  const requested = parseSettingsPatch({
    ...(options.rotateRefreshTokens === undefined
      ? {}
      : { rotateRefreshTokens: options.rotateRefreshTokens }),
    ...(options.deviceCodeLifetimeSeconds === undefined
      ? {}
      : { deviceCodeLifetimeSeconds: options.deviceCodeLifetimeSeconds }),
  });
  if (!requested.ok) throw new Error(`startSandbox: ${requested.message}`);
  return { ...DEFAULT_SETTINGS, ...requested.patch };
}

/**
 * The public origin as `scheme://host[:port]`: an http(s) URL with nothing after the host. Throws an error
 * that names the option and shows an example when it is not one.
 */
export function parsePublicOrigin(value: string): URL {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (
    !url ||
    (url.protocol !== 'http:' && url.protocol !== 'https:') ||
    url.username ||
    url.password ||
    (url.pathname !== '/' && url.pathname !== '') ||
    url.search ||
    url.hash ||
    /[?#]$/.test(value)
  ) {
    throw new Error(
      `publicOrigin (SANDBOX_PUBLIC_ORIGIN) ${JSON.stringify(value)} is not an origin: give the scheme, ` +
        'host and port the browsers use, with no path, e.g. https://lab.example.org or http://10.0.0.5:8080',
    );
  }
  return url;
}

/** The port in an origin, the scheme's default (80, 443) when it names none. */
function portOfOrigin(url: URL): number {
  return Number(url.port || (url.protocol === 'https:' ? 443 : 80));
}

/** Starts the sandbox tenant and resolves once it accepts connections. */
export async function startSandbox(options: SandboxOptions): Promise<RunningSandbox> {
  const dataDir = options.dataDir ?? process.env['SANDBOX_DATA_DIR'] ?? DEFAULT_DATA_DIR;
  const publicOriginText = options.publicOrigin ?? process.env['SANDBOX_PUBLIC_ORIGIN'];
  const publicOrigin = publicOriginText ? parsePublicOrigin(publicOriginText) : undefined;
  const maxArtifactLifetimeSeconds = parseMaxLifetime(options);
  const tls = (options.https ?? parseHttpsOption([])) ? await loadOrCreateTls(dataDir) : undefined;
  const settings = initialSettings(options);
  const shared = options.store ?? createMemoryStore();
  // On Redis: one signing key and cookie keys for every instance (keys.ts); in memory: the data dir's.
  const keys = await loadOrCreateKeys(dataDir, shared);
  const ready: { context?: Context } = {};
  const listener: RequestListener = (req, res) => {
    // Every response, including oidc-provider's own pages and koa's error answers (issue 9, item 5).
    enforceSecurityHeaders(res);
    // Behind a proxy every instance answers as the public origin, whatever Host the proxy forwarded:
    // oidc-provider builds its endpoint URLs from the request (with `proxy` on, from X-Forwarded-*).
    if (publicOrigin) {
      req.headers.host = publicOrigin.host;
      req.headers['x-forwarded-host'] = publicOrigin.host;
      req.headers['x-forwarded-proto'] = publicOrigin.protocol.slice(0, -1);
    }
    adoptClientRequestId(req, res);
    const { context } = ready;
    if (!context) {
      res.writeHead(503).end();
      return;
    }
    route(context, req, res).catch((err: unknown) => {
      if (!options.quiet) console.error('sandbox: request failed', err);
      if (!res.headersSent)
        sendJson(
          res,
          500,
          buildEntraErrorBody({
            status: 500,
            error: 'server_error',
            code: 90100,
            message: 'Unexpected sandbox error.',
          }),
        );
      else res.end();
    });
  };
  const server = tls ? createHttpsServer({ key: tls.key, cert: tls.cert }, listener) : createServer(listener);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const origin = publicOrigin?.origin ?? `${tls ? 'https' : 'http'}://localhost:${port}`;
  // Cookie names carry the port browsers see (provider-config.ts), the same on every instance.
  const cookiePort = publicOrigin ? portOfOrigin(publicOrigin) : port;
  const issuer = `${origin}/${SANDBOX_TENANT.id}/v2.0`;

  // Issue 15: what one instance changes, every instance of the tenant sees (tenant-state.ts for the
  // rarely-written state, per-key records in the shared store for the rest).
  const tenant = new TenantState(shared);
  const sharedSettings = new SharedSettings(settings, tenant);
  const certificates = new CertificateStore(tenant);
  const registry = new AppRegistry(certificates, tenant);
  const consents = new ConsentStore(shared);
  const signInMethods = new SignInMethods(shared);
  // One metadata object per registration snapshot (registrations.ts keeps a snapshot until the app
  // changes), so the client oidc-provider built from it can be reused without hashing it again.
  const metadataBySnapshot = new WeakMap<AppRegistration, ClientMetadata>();
  const metadataOf = (clientId: string): ClientMetadata | undefined => {
    const app = registry.find(clientId);
    if (!app) return undefined;
    let metadata = metadataBySnapshot.get(app);
    if (!metadata) {
      metadata = clientMetadata(app, registry.internalSecret(app.clientId));
      metadataBySnapshot.set(app, metadata);
    }
    return metadata;
  };
  const adapterOptions: AdapterOptions = {
    rotateRefreshTokens: () => settings.rotateRefreshTokens,
    findClient: metadataOf,
  };
  // Issue 15: on Redis oidc-provider's artifacts are shared too, so any instance redeems any code.
  const { Adapter, store } =
    shared.kind === 'redis'
      ? createSharedStoreAdapter({ ...adapterOptions, store: shared, namespace: 'tenant:oidc:' })
      : createMemoryAdapter(adapterOptions);
  const provider = new Provider(
    issuer,
    buildProviderConfig({
      keys,
      adapter: Adapter,
      port: cookiePort,
      settings,
      registry,
      consents,
      signInMethods,
      maxArtifactLifetimeSeconds,
    }),
  );
  provider.proxy = publicOrigin !== undefined;
  reuseClientsPerMetadata(provider, metadataOf);
  // Entra's redirect URI rule (localhost port ignored) must hold inside oidc-provider too, for every
  // client: its own rule applies only to native clients.
  provider.Client.prototype.redirectUriAllowed = function redirectUriAllowed(
    this: { redirectUris?: string[] },
    value: string,
  ) {
    // The attack lab's vulnerable mode only (off by default): wildcard reading of the registered URIs.
    return attackLab.switches.wildcardRedirectUris
      ? wildcardRedirectUriMatches(this.redirectUris ?? [], value)
      : redirectUriMatches(this.redirectUris ?? [], value);
  };
  allowLoopbackImplicitRedirects(provider);
  applyEntraIdTokenRules(provider);
  provider.registerGrantType(PASSWORD_GRANT, passwordGrantHandler, PASSWORD_GRANT_PARAMS);
  provider.registerGrantType(OBO_GRANT, onBehalfOfGrantHandler, OBO_GRANT_PARAMS);
  captureProviderErrors(provider, (err) => {
    if (!options.quiet) console.error('sandbox: oidc-provider server error', err);
  });
  // Issue 9 item 8: nothing the sandbox remembers may outlive its use. The artifact store sweeps itself
  // (adapter.ts); device polls, lockouts and verification-code steps are shared-store records with a
  // time to live. Consents are bounded by users × apps.
  const devicePolls = new DevicePollRegistry(shared);
  const lockout = new SmartLockout(shared, () => settings);
  const pendingMfa = new PendingMfa(shared);
  provider.use(
    entraShape(issuer, {
      deviceLoginUri: `${origin}${DEVICE_LOGIN_PATH}`,
      onDeviceCode: (deviceCode, clientId, expiresIn) =>
        devicePolls.register(deviceCode, clientId, expiresIn),
    }) as Parameters<Provider['use']>[0],
  );
  const standard = await createStandardIssuer({
    origin,
    port: cookiePort,
    proxy: publicOrigin !== undefined,
    dataDir,
    shared,
    tenant,
    ...(options.quiet === undefined ? {} : { quiet: options.quiet }),
    ...(options.standard ? { settings: options.standard } : {}),
  });
  const attackLab = new AttackLab(Date.now, tenant);
  await tenant.refreshIfChanged();
  await tenant.listen();
  ready.context = {
    tenant,
    sharedSettings,
    signInMethods,
    ...(options.trainerPassword === undefined
      ? {}
      : { trainerGate: createTrainerGate(options.trainerPassword) }),
    ...(tls === undefined ? {} : { tlsCaFile: tls.caPath }),
    standard,
    attackLab,
    provider,
    handle: provider.callback(),
    store,
    shared,
    origin,
    pendingMfa,
    settings,
    certificates,
    registry,
    consents,
    devicePolls,
    lockout,
    verifyToken: createSandboxTokenVerifier(keys.signingKey, issuer),
    publicSigningKey: {
      kty: keys.signingKey.kty,
      use: 'sig',
      kid: keys.x5t,
      n: keys.signingKey.n,
      e: keys.signingKey.e,
      x5c: keys.signingKey.x5c,
    } as JWK,
  };

  if (!options.quiet) console.log(`Sandbox tenant listening on ${origin} (issuer ${issuer})`);
  return {
    origin,
    port,
    issuer,
    settings,
    tls,
    standard,
    attackLab,
    close: () =>
      new Promise<void>((resolve, reject) => {
        // Unsubscribing may fail once a Redis connection is gone; closing goes on.
        void tenant.close().catch(() => undefined);
        store.close();
        standard.close();
        if (!options.store) void shared.close();
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * MSAL sends its request id as a `client-request-id` query parameter (and in the body), not only as the
 * header: the query's is taken as the header when there is none, so Entra-shaped error bodies carry it
 * as `correlation_id` and MSAL's error shows the id it logged. With `return-client-request-id: true` the
 * id is echoed in the `client-request-id` response header, Entra's (and ADAL's) convention. Every other
 * MSAL telemetry field (`x-client-SKU`, `x-client-VER`, `x-client-OS`, `x-client-CPU`, `x-app-name`,
 * `x-app-ver`, `x-ms-lib-capability`, `x-client-current-telemetry`, `x-client-last-telemetry`) is left
 * alone and never refused: the token and authorize gates look only at the parameters they know.
 */
function adoptClientRequestId(req: IncomingMessage, res: ServerResponse): void {
  let id = req.headers['client-request-id'];
  if (typeof id !== 'string') {
    const query = (req.url ?? '').indexOf('?');
    const fromQuery =
      query === -1 ? null : new URLSearchParams((req.url ?? '').slice(query + 1)).get('client-request-id');
    if (fromQuery === null || !GUID.test(fromQuery)) return;
    req.headers['client-request-id'] = id = fromQuery;
  }
  if (req.headers['return-client-request-id']?.toString().toLowerCase() === 'true' && GUID.test(id))
    res.setHeader('client-request-id', id);
}

/**
 * oidc-provider looks the client up on nearly every request and, for clients read through the adapter,
 * fingerprints the metadata (object-hash, SHA-256 over every member) to find the client it built from
 * the same metadata before. The metadata here is one object per registration snapshot, so its identity
 * already says whether it changed: the client built for it is kept with it, and the library's own
 * lookup (fingerprint, validation, its cache) runs only for metadata it has not seen.
 */
function reuseClientsPerMetadata(
  provider: Provider,
  metadataOf: (clientId: string) => ClientMetadata | undefined,
): void {
  type Client = InstanceType<Provider['Client']>;
  const Client = provider.Client as unknown as { find(id: unknown): Promise<Client | undefined> };
  const find = Client.find.bind(Client);
  const built = new WeakMap<ClientMetadata, Client>();
  Client.find = async function findClient(id: unknown): Promise<Client | undefined> {
    if (typeof id !== 'string') return undefined;
    const metadata = metadataOf(id);
    if (!metadata) return undefined;
    const known = built.get(metadata);
    if (known) return known;
    const client = await find(id);
    // Kept only when the library built it from this very metadata (it read the same snapshot).
    if (client && metadataOf(id) === metadata) built.set(metadata, client);
    return client;
  };
}

/**
 * Entra accepts http://localhost redirect URIs for the implicit flow; oidc-provider refuses them for
 * implicit clients (OAuth 2.0 Security BCP advice), so those two schema checks are waived, as is its rule
 * against custom schemes for web clients (registration applies Entra's per-platform rules).
 */
function allowLoopbackImplicitRedirects(provider: Provider): void {
  const schema = (
    provider.Client as unknown as { Schema: { prototype: { invalidate(m: string, c?: string): void } } }
  ).Schema.prototype;
  const invalidate = schema.invalidate;
  schema.invalidate = function invalidateUnlessLoopbackImplicit(message: string, code?: string): void {
    if (code === 'implicit-force-https' || code === 'implicit-forbid-localhost') return;
    // Custom-scheme redirect URIs (mobile and desktop platform) on oidc-provider's `web` clients: the
    // sandbox's own per-platform rules (redirect-uri-rules.ts) already decided at registration.
    if (message.endsWith(' must only contain web uris')) return;
    invalidate.call(this, message, code);
  };
}

/** What the sandbox holds now: the artifact store, and the shared store's per-flow records. */
async function memoryReport(ctx: Context): Promise<MemoryReport> {
  const [devicePolls, lockouts, pendingMfa, shared] = await Promise.all([
    ctx.devicePolls.count(),
    ctx.lockout.count(),
    ctx.pendingMfa.count(),
    ctx.shared.stats(),
  ]);
  return {
    store: await ctx.store.stats(),
    devicePolls,
    lockouts,
    pendingMfa,
    shared: { kind: ctx.shared.kind, ...shared },
  };
}

/** What the portal renders, read now from the shared store (consents, lockouts, memory figures). */
async function portalView(ctx: Context): Promise<PortalView> {
  const [consents, lockout, memory] = await Promise.all([
    ctx.consents.snapshot(),
    ctx.lockout.snapshot(),
    memoryReport(ctx),
  ]);
  return {
    settings: ctx.settings,
    certificates: ctx.certificates,
    registry: ctx.registry,
    consents,
    lockout,
    memory: () => memory,
    attackLab: ctx.attackLab,
    ...(ctx.tlsCaFile === undefined ? {} : { tlsCaFile: ctx.tlsCaFile }),
  };
}

function portalState(ctx: Context): PortalState {
  return {
    settings: ctx.settings,
    certificates: ctx.certificates,
    registry: ctx.registry,
    consents: ctx.consents,
    origin: ctx.origin,
    lockout: ctx.lockout,
    changeSettings: (patch) => ctx.sharedSettings.change(patch),
    view: () => portalView(ctx),
    memory: () => memoryReport(ctx),
    sweep: async () => {
      ctx.store.sweep();
    },
  };
}

async function route(ctx: Context, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', ctx.origin);
  const { pathname, search } = url;
  const method = req.method ?? 'GET';
  // Issue 15: the tenant state as the last write on any instance left it (one GET when unchanged).
  await ctx.tenant.refreshIfChanged();
  const gate = ctx.trainerGate;
  // Hosting mode: the trainer's writes, the attack lab off, protocol endpoints open (hosted-access.ts).
  if (gate && answerTrainerGate(gate, req, res, pathname, classifyHostedRequest(method, pathname))) return;

  if (pathname === '/' && (method === 'GET' || method === 'HEAD')) {
    const access = gate ? (gate.admits(req) ? 'trainer' : 'learner') : undefined;
    sendHtml(res, 200, portalPage(ctx.origin, await portalView(ctx), undefined, access));
    return;
  }
  // The standards-only issuer at /standard (and its RFC 8414 metadata path), apart from the tenant.
  if (ctx.standard.owns(pathname)) {
    await ctx.standard.route(req, res, url);
    return;
  }
  // The mix-up attack's malicious authorization server (attack-lab-mix-up.ts).
  if (pathname === MIX_UP_AS_PREFIX || pathname.startsWith(`${MIX_UP_AS_PREFIX}/`)) {
    const honestIssuer = ctx.standard.issuer;
    await handleMixUpRequest({ attackLab: ctx.attackLab, origin: ctx.origin, honestIssuer }, req, res, url);
    return;
  }
  // The wrong-audience attack's payroll API (attack-lab-wrong-audience.ts).
  if (pathname === PAYROLL_API_PATH) {
    const lab = { attackLab: ctx.attackLab, origin: ctx.origin, trustedIssuer: ctx.standard.issuer };
    await handlePayrollApiRequest(lab, req, res);
    return;
  }
  if (pathname.startsWith(ATTACK_LAB_PREFIX)) {
    await handleAttackLabRequest({ attackLab: ctx.attackLab, origin: ctx.origin }, req, res, pathname);
    return;
  }
  if (pathname.startsWith(PORTAL_API_PREFIX)) {
    await handlePortalRequest(portalState(ctx), req, res, pathname);
    return;
  }
  if (pathname === USERINFO_PATH) {
    await handleUserInfo(ctx.verifyToken, ctx.origin, req, res);
    return;
  }
  if (pathname.startsWith(GRAPH_PREFIX)) {
    await handleGraphRequest(ctx.verifyToken, ctx.origin, req, res, pathname);
    return;
  }
  if (pathname === DEVICE_LOGIN_PATH && (method === 'GET' || method === 'HEAD')) {
    // The device login page is oidc-provider's code verification endpoint of the tenant.
    const inner = `${ROUTES.code_verification}${search}`;
    await ctx.handle(mountRequest(req, inner, `/${SANDBOX_TENANT.id}${inner}`), res);
    return;
  }
  if (isDirectoryPath(pathname)) {
    handleDirectoryRequest(req, res, pathname, ctx.origin, await portalView(ctx));
    return;
  }
  if (pathname.startsWith(INTERACTION_PREFIX)) {
    const interaction = await findInteraction(ctx.provider, req, res);
    // A sign-in begun on /consumers cannot sign a sandbox (work) account in (tenant-audience.ts).
    if (await refuseConsumersSignIn(interaction, ctx.registry.find, req, res, pathname)) return;
    await handleInteraction(
      {
        provider: ctx.provider,
        pendingMfa: ctx.pendingMfa,
        consents: ctx.consents,
        settings: ctx.settings,
        lockout: ctx.lockout,
      },
      req,
      res,
      pathname,
      interaction,
    );
    return;
  }

  const [, rawTenant = '', ...rest] = pathname.split('/');
  const sub = `/${rest.join('/')}`;
  const tenant = resolveTenantSegment(rawTenant);
  if (!tenant) {
    if (/^\/(oauth2|v2\.0|discovery)\//.test(sub)) {
      return sendEntraError(req, res, aadsts.unknownTenant(rawTenant), sub === ROUTES.authorization);
    }
    sendJson(res, 404, { error: 'not_found', error_description: `No sandbox endpoint at ${pathname}.` });
    return;
  }
  const mount = `/${tenant.segment}`;

  if (sub === '/v2.0/.well-known/openid-configuration') {
    const inner = `/.well-known/openid-configuration${search}`;
    await ctx.handle(mountRequest(req, inner, `${mount}${inner}`), res);
    return;
  }
  if (sub === ROUTES.end_session && (method === 'GET' || method === 'POST')) {
    await handleLogout(
      { provider: ctx.provider, findApp: ctx.registry.find, verifyToken: ctx.verifyToken },
      req,
      res,
    );
    return;
  }
  if (isV1Path(sub)) {
    handleV1Request(res, req, {
      origin: ctx.origin,
      segment: tenant.segment,
      sub,
      publicKey: ctx.publicSigningKey,
    });
    return;
  }
  if (sub === ROUTES.authorization && (method === 'GET' || method === 'POST')) {
    await authorize(ctx, req, res, mount, url, tenant);
    return;
  }
  if (sub === ROUTES.token && method === 'POST') {
    await token(ctx, req, res, mount, tenant);
    return;
  }
  // https://learn.microsoft.com/entra/identity-platform/reference-error-codes AADSTS900561: the token
  // endpoint takes POST only (a CORS preflight still reaches oidc-provider).
  if (sub === ROUTES.token && method !== 'OPTIONS') {
    return sendEntraError(req, res, aadsts.wrongMethod('POST', method), false);
  }
  if (sub === ROUTES.device_authorization) {
    await deviceAuthorization(ctx, req, res, mount);
    return;
  }
  await ctx.handle(mountRequest(req, `${sub}${search}`, `${mount}${sub}${search}`), res);
}

function sendEntraError(req: IncomingMessage, res: ServerResponse, err: EntraError, asPage: boolean): void {
  if (asPage) {
    sendHtml(res, err.status, errorPage(err));
    return;
  }
  const requestId = req.headers['client-request-id'];
  sendJson(res, err.status, buildEntraErrorBody(err, typeof requestId === 'string' ? requestId : undefined));
}

async function authorize(
  ctx: Context,
  req: IncomingMessage,
  res: ServerResponse,
  mount: string,
  url: URL,
  tenant: TenantSegment,
): Promise<void> {
  const isPost = req.method === 'POST';
  const params = isPost ? new URLSearchParams((await readBody(req)).toString('utf8')) : url.searchParams;
  const decision = checkAuthorizationRequest(params, ctx.registry.find, {
    wildcardRedirectUris: ctx.attackLab.switches.wildcardRedirectUris,
  });
  if (decision.action === 'page') {
    sendHtml(res, 400, errorPage(decision.error));
    return;
  }
  if (decision.action === 'redirect') {
    const response = buildAuthorizationErrorResponse(decision);
    if ('location' in response) sendRedirect(res, response.location);
    else sendHtml(res, 200, response.html);
    return;
  }
  // The app's supported account types against /common, /organizations, /consumers (tenant-audience.ts).
  if (answerAudienceAtAuthorize(tenant, decision.params, ctx.registry.find, res)) return;
  let forwarded: MountedRequest;
  if (isPost) {
    forwarded = replayRequest(
      req,
      decision.params.toString(),
      ROUTES.authorization,
      `${mount}${ROUTES.authorization}`,
    );
  } else {
    const inner = `${ROUTES.authorization}?${decision.params.toString()}`;
    forwarded = mountRequest(req, inner, `${mount}${inner}`);
  }
  await ctx.handle(forwarded, res);
}

async function deviceAuthorization(
  ctx: Context,
  req: IncomingMessage,
  res: ServerResponse,
  mount: string,
): Promise<void> {
  // Not CORS-enabled (as Entra): a preflight gets no Access-Control-Allow-Origin.
  if (req.method === 'OPTIONS') {
    res.writeHead(204, { allow: 'POST' }).end();
    return;
  }
  if (req.method !== 'POST') {
    // AADSTS900561 (https://learn.microsoft.com/entra/identity-platform/reference-error-codes).
    sendEntraError(req, res, aadsts.wrongMethod('POST', req.method ?? 'GET'), false);
    return;
  }
  const body = isFormBody(req) ? (await readBody(req)).toString('utf8') : '';
  const decision = checkDeviceAuthorizationRequest(
    new URLSearchParams(body),
    req.headers.origin,
    ctx.registry.find,
  );
  if (decision.action === 'error') {
    sendEntraError(req, res, decision.error, false);
    return;
  }
  const path = ROUTES.device_authorization;
  await ctx.handle(replayRequest(req, decision.params.toString(), path, `${mount}${path}`), res);
}

async function token(
  ctx: Context,
  req: IncomingMessage,
  res: ServerResponse,
  mount: string,
  tenant: TenantSegment,
): Promise<void> {
  const origin = req.headers.origin;
  const body = isFormBody(req) ? (await readBody(req)).toString('utf8') : '';
  // Parsed once: the gate works on its own copy, the audience check reads it as sent.
  const params = new URLSearchParams(body);
  const deps: TokenGateDeps = {
    store: ctx.store,
    certificates: ctx.certificates,
    registry: ctx.registry,
    consents: ctx.consents,
    devicePolls: ctx.devicePolls,
    lockout: ctx.lockout,
    verifyToken: ctx.verifyToken,
    signInMethods: ctx.signInMethods,
    sandboxOrigin: ctx.origin,
    settings: ctx.settings,
  };
  const decision = await checkTokenRequest(
    { params, authorization: req.headers.authorization, origin, tenant },
    deps,
  );
  if (decision.allowOrigin !== undefined) {
    // Set before oidc-provider runs: its CORS middleware then leaves CORS to us (the gate decided).
    res.setHeader('Access-Control-Allow-Origin', decision.allowOrigin);
    res.setHeader('Vary', 'Origin');
  }
  // A user grant by an app on a tenant segment its supported account types exclude (tenant-audience.ts).
  const audience =
    decision.action === 'error'
      ? undefined
      : checkTokenAudience(tenant, params, ctx.registry.find);
  if (audience) {
    const noStore = { 'cache-control': 'no-store, no-cache', pragma: 'no-cache' };
    if (audience.kind === 'entra') {
      const requestId = req.headers['client-request-id'];
      sendJson(
        res,
        audience.error.status,
        buildEntraErrorBody(audience.error, typeof requestId === 'string' ? requestId : undefined),
        noStore,
      );
    } else if (audience.kind === 'consumers-client') {
      sendJson(res, 400, { error: audience.error, error_description: audience.message }, noStore);
    }
    return;
  }
  if (decision.action === 'error') {
    const requestId = req.headers['client-request-id'];
    sendJson(
      res,
      decision.error.status,
      buildEntraErrorBody(decision.error, typeof requestId === 'string' ? requestId : undefined),
      {
        'cache-control': 'no-store, no-cache',
        pragma: 'no-cache',
      },
    );
    return;
  }
  const forwarded = replayRequest(req, decision.params.toString(), ROUTES.token, `${mount}${ROUTES.token}`);
  // The gate checked the credential and put the internal one oidc-provider knows in the body instead.
  if (decision.credential !== 'none') delete forwarded.headers.authorization;
  markClientCredential(forwarded, decision.credential);
  await ctx.handle(forwarded, res);
}
