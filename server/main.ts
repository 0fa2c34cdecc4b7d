/**
 * Starts everything `npm start` and `npm run dev` need: the sandbox tenant, then the app (Vite dev
 * server or a preview of the production build) with the relay mounted on the app's own origin.
 * Ports: APP_PORT (5173) and SANDBOX_PORT (5174); both bind to loopback only and fail if taken.
 * Hosting mode (`--host[=ADDRESS]`, LAB_HOST; server/hosting.ts, docs/workshop.md): both listen on
 * ADDRESS, the portal's write actions need the trainer password, and the relay is off.
 * `--https` or SANDBOX_HTTPS=1: the sandbox is served over https with a local CA (sandbox/tls.ts).
 */
import { createServer, preview } from 'vite';
import { startSandbox } from './sandbox/index.ts';
import {
  describeSharedStore,
  openSharedStoreFromEnv,
  sharedStoreOriginWarning,
} from './sandbox/store/open-store.ts';
import type { SharedStore } from './sandbox/store/shared-store.ts';
import { labServerPlugin } from './lab-plugin.ts';
import { HostingOptionError, parseHostingOptions, TRAINER_USER } from './hosting.ts';
import { describeTls, parseHttpsOption, trustCaInThisProcess } from './sandbox/tls.ts';

const mode = process.argv.includes('--mode=dev') ? 'dev' : 'preview';
const appPort = Number(process.env['APP_PORT'] ?? 5173);
const sandboxPort = Number(process.env['SANDBOX_PORT'] ?? 5174);

let hosting: ReturnType<typeof parseHostingOptions>;
try {
  hosting = parseHostingOptions(process.argv.slice(2), process.env);
} catch (error) {
  if (!(error instanceof HostingOptionError)) throw error;
  console.error(`Not started: ${error.message}`);
  process.exit(1);
}
let sandboxHttps: boolean | undefined;
try {
  sandboxHttps = parseHttpsOption(process.argv.slice(2), process.env);
} catch (error) {
  console.error(`Not started: ${(error as Error).message}`);
  process.exit(1);
}
const listenAddress = hosting?.address ?? '127.0.0.1';
const appOrigins = [
  `http://localhost:${appPort}`,
  `http://127.0.0.1:${appPort}`,
  ...(hosting?.publicOrigin === undefined ? [] : [hosting.publicOrigin]),
];

// SANDBOX_REDIS_URL: the tenant lives in Redis, shared with every instance using it (issue 15); an
// unreachable Redis stops the start here with the reason.
let store: SharedStore;
try {
  store = await openSharedStoreFromEnv();
} catch (error) {
  console.error(`Not started: ${(error as Error).message}`);
  process.exit(1);
}
const sandbox = await startSandbox({
  port: sandboxPort,
  store,
  ...(sandboxHttps === undefined ? {} : { https: sandboxHttps }),
  ...(hosting ? { host: hosting.address, trainerPassword: hosting.trainerPassword } : {}),
});
// The relay and the page prerender reach an https sandbox from this process: it trusts the sandbox's CA.
if (sandbox.tls) trustCaInThisProcess(sandbox.tls.ca);
// startSandbox binds 127.0.0.1 unless hosting (server/sandbox/index.ts): the app's server reads the
// sandbox's directory there, never at whatever `localhost` resolves to first (often ::1).
const plugin = labServerPlugin({
  appOrigins,
  port: appPort,
  sandboxOrigin: sandbox.origin,
  sandboxAddress: listenAddress === '0.0.0.0' || listenAddress === '::' ? '127.0.0.1' : listenAddress,
  ...(hosting ? { hosting: true } : {}),
});
const serverOptions = {
  host: listenAddress,
  port: appPort,
  strictPort: true,
  // Vite answers only Host names it knows (DNS rebinding); behind a reverse proxy the public one is one.
  ...(hosting?.publicOrigin === undefined ? {} : { allowedHosts: [new URL(hosting.publicOrigin).hostname] }),
};

/**
 * The preview of the build, configured from vite.config.ts read as a plain module rather than by Vite's
 * config loader, which bundles the file and its plugins' sources before running it: that was most of
 * the time `npm start` took to answer. Preview needs only the config's `preview` and out dir; the
 * plugins there act on builds, and the app server's own is passed here.
 */
async function startPreview() {
  const { default: config } = await import('../vite.config.ts');
  const outDir = config.build?.outDir;
  return preview({
    configFile: false,
    plugins: [plugin],
    ...(outDir === undefined ? {} : { build: { outDir } }),
    preview: { ...config.preview, ...serverOptions, open: false },
  });
}

const app =
  mode === 'dev'
    ? await createServer({ plugins: [plugin], server: serverOptions }).then((s) => s.listen())
    : await startPreview();

console.log(`\nOAuth Flow Lab (${mode}) → ${hosting?.publicOrigin ?? `http://localhost:${appPort}`}`);
console.log(`Sandbox tenant portal → ${sandbox.origin}/`);
if (sandbox.tls) console.log(describeTls(sandbox.tls, sandbox.origin).join('\n'));
console.log(`Sandbox store → ${describeSharedStore()}`);
const storeWarning = sharedStoreOriginWarning();
if (storeWarning !== undefined) console.warn(storeWarning);
console.log(
  `Standards sandbox issuer → ${sandbox.standard.issuer} (portal ${sandbox.origin}/standard/portal)`,
);
if (hosting) {
  console.log(
    `Hosting mode → app and sandbox listen on ${hosting.address} (ports ${appPort}, ${sandboxPort})`,
  );
  console.log('Local relay → off (a personal tool: not served in hosting mode)');
  // The one line that ever shows the password, and only when it was made here (docs/workshop.md).
  if (hosting.passwordGenerated)
    console.log(
      `Trainer password (user ${TRAINER_USER}) → ${hosting.trainerPassword}  (set LAB_TRAINER_PASSWORD to choose it)`,
    );
  else console.log('Trainer password → from LAB_TRAINER_PASSWORD');
  if (hosting.publicOrigin === undefined)
    console.log(
      'Learners need https (PKCE and DPoP use WebCrypto, which browsers give https pages only): put the app behind TLS and set LAB_PUBLIC_ORIGIN (docs/workshop.md).',
    );
  console.log('');
} else console.log('Local relay → mounted on the app at /relay/forward (loopback only)\n');

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  await Promise.allSettled([app.close(), sandbox.close()]);
  await store.close();
  process.exit(0);
}
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
