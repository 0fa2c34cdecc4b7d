/**
 * Starts everything `npm start` and `npm run dev` need: the sandbox tenant, then the app (Vite dev
 * server or a preview of the production build) with the relay mounted on the app's own origin.
 * Ports: APP_PORT (5173) and SANDBOX_PORT (5174); both bind to loopback only and fail if taken.
 */
import { createServer, preview } from 'vite';
import { startSandbox } from './sandbox/index.ts';
import { labServerPlugin } from './lab-plugin.ts';

const mode = process.argv.includes('--mode=dev') ? 'dev' : 'preview';
const appPort = Number(process.env['APP_PORT'] ?? 5173);
const sandboxPort = Number(process.env['SANDBOX_PORT'] ?? 5174);
const appOrigins = [`http://localhost:${appPort}`, `http://127.0.0.1:${appPort}`];

const sandbox = await startSandbox({ port: sandboxPort });
// startSandbox binds 127.0.0.1 only (server/sandbox/index.ts): the relay connects there, not to ::1.
const plugin = labServerPlugin({
  appOrigins,
  port: appPort,
  sandboxOrigin: sandbox.origin,
  sandboxAddress: '127.0.0.1',
});
const serverOptions = { host: '127.0.0.1', port: appPort, strictPort: true };

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

console.log(`\nOAuth Flow Lab (${mode}) → http://localhost:${appPort}`);
console.log(`Sandbox tenant portal → ${sandbox.origin}/`);
console.log(
  `Standards sandbox issuer → ${sandbox.standard.issuer} (portal ${sandbox.origin}/standard/portal)`,
);
console.log('Local relay → mounted on the app at /relay/forward (loopback only)\n');

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  await Promise.allSettled([app.close(), sandbox.close()]);
  process.exit(0);
}
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
