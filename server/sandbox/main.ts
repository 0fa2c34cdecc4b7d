/**
 * Command-line entry: `npm run sandbox`. Starts the sandbox tenant on `SANDBOX_PORT` (default 5174)
 * and prints its directory. Every password and secret printed is sandbox-only test data.
 * `SANDBOX_REDIS_URL` (and `SANDBOX_REDIS_PREFIX`) keep the tenant in Redis, shared by every instance
 * started with the same ones; `SANDBOX_PUBLIC_ORIGIN` names the reverse proxy in front of them (issue 15).
 * `--https` or `SANDBOX_HTTPS=1` serves it over https with a local CA made on first start (tls.ts, issue 17).
 */
import { HostingOptionError, parseHostingOptions, TRAINER_USER } from '../hosting.ts';
import { startSandbox } from './index.ts';
import { buildDirectory } from './portal.ts';
import {
  describeSharedStore,
  openSharedStoreFromEnv,
  sharedStoreOriginWarning,
} from './store/open-store.ts';
import { describeTls, parseHttpsOption } from './tls.ts';
import type { SharedStore } from './store/shared-store.ts';

const port = Number(process.env['SANDBOX_PORT'] ?? 5174);
// Hosting mode (`--host`, LAB_HOST, LAB_TRAINER_PASSWORD; server/hosting.ts): several instances behind
// a proxy (compose.yaml) each need it, with one password set for all of them.
let hosting: ReturnType<typeof parseHostingOptions>;
try {
  hosting = parseHostingOptions(process.argv.slice(2), process.env);
} catch (error) {
  if (!(error instanceof HostingOptionError)) throw error;
  console.error(`Not started: ${error.message}`);
  process.exit(1);
}
let https: boolean | undefined;
try {
  https = parseHttpsOption(process.argv.slice(2), process.env);
} catch (error) {
  console.error(`Not started: ${(error as Error).message}`);
  process.exit(1);
}
let store: SharedStore;
try {
  // A Redis that cannot be reached stops the start here, saying which URL and what to do.
  store = await openSharedStoreFromEnv();
} catch (error) {
  console.error(`Not started: ${(error as Error).message}`);
  process.exit(1);
}
const sandbox = await startSandbox({
  port,
  quiet: true,
  store,
  ...(https === undefined ? {} : { https }),
  ...(hosting ? { host: hosting.address, trainerPassword: hosting.trainerPassword } : {}),
});
const d = buildDirectory(sandbox.origin);
const storeWarning = sharedStoreOriginWarning();

const lines = [
  `Sandbox tenant "${d.tenant.displayName}" — SANDBOX ONLY, not Microsoft Entra ID`,
  `  portal      ${sandbox.origin}/   (JSON: ${sandbox.origin}/directory.json)`,
  ...(sandbox.origin === `${sandbox.tls ? 'https' : 'http'}://localhost:${sandbox.port}`
    ? []
    : [`  listening   port ${sandbox.port}, public origin ${sandbox.origin} (SANDBOX_PUBLIC_ORIGIN)`]),
  ...(sandbox.tls ? describeTls(sandbox.tls, sandbox.origin) : []),
  `  store       ${describeSharedStore()}`,
  ...(storeWarning === undefined ? [] : [`  ${storeWarning}`]),
  `  tenant      ${d.tenant.id}  (${d.tenant.domain}; also common, organizations, consumers)`,
  ...Object.entries(d.endpoints).map(([k, v]) => `  ${k.padEnd(11)} ${v}`),
  '',
  'Users (sandbox-only passwords):',
  ...d.users.map(
    (u) =>
      `  ${u.userPrincipalName}  password ${u.password}${u.mfaRequired ? `  MFA code ${u.mfaCode ?? ''}` : ''}`,
  ),
  '',
  'App registrations (sandbox-only secrets):',
  ...d.apps.flatMap((a) => [
    `  ${a.displayName} [${a.platform}]  client_id ${a.clientId}`,
    ...(a.clientSecret ? [`    secret      ${a.clientSecret}`] : []),
    ...(a.redirectUris.length ? [`    redirects   ${a.redirectUris.join(', ')}`] : []),
    ...(a.identifierUri
      ? [`    exposes     ${a.exposedScopes.map((s) => `${a.identifierUri}/${s}`).join(', ')}`]
      : []),
    `    may ask for ${
      Object.entries(a.delegatedPermissions)
        .flatMap(([r, v]) => v.map((s) => `${r}/${s}`))
        .join(', ') || 'nothing'
    }`,
  ]),
  '',
  `Standards-only OpenID provider (PAR, JAR, JARM, DPoP, introspection, revocation, registration, token exchange):`,
  `  issuer      ${sandbox.standard.issuer}`,
  `  portal      ${sandbox.origin}/standard/portal   (JSON: ${sandbox.origin}/standard/directory.json)`,
  '',
  ...(hosting
    ? [
        `Hosting mode: listening on ${hosting.address}; portal changes need the trainer password (user ${TRAINER_USER}).`,
        // The only place the password is ever shown, and only when it was made here.
        ...(hosting.passwordGenerated ? [`  trainer password ${hosting.trainerPassword}`] : []),
        '',
      ]
    : []),
  'Press Ctrl+C to stop.',
];
console.log(lines.join('\n'));

let stopping = false;
const stop = (signal: NodeJS.Signals): void => {
  if (stopping) return;
  stopping = true;
  sandbox
    .close()
    .then(() => store.close())
    .then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(`sandbox: error while stopping on ${signal}`, err);
        process.exit(1);
      },
    );
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
