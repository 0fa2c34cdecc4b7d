/**
 * Prerendering at build time: each route's page, as a first-time visitor sees it, is rendered to HTML
 * (src/entry-server.tsx) and written next to index.html, so the browser paints the page from the HTML
 * alone, before any script has loaded; the app then renders the same page over it (src/main.tsx).
 * Each page also carries, in its <head>, the styles it needs (inlined: no stylesheet request delays the
 * first paint). A page that is not drawn (the redirect URI's) preloads every chunk its route loads
 * instead, fetched at once rather than one after the other as each import is discovered.
 *
 * Files written (served by the app server, server/page-html.ts, which also embeds runtime data):
 *   index.html                    the home page
 *   flows/<flow id>.html, tokens.html, choose.html, registration-check.html, sandbox-code.html,
 *   settings.html,
 *   attacks.html, attacks/<attack id>.html
 *   app-shell.html                no page drawn: /callback and any unknown path, drawn by the app alone
 *
 * Pages are rendered with the sandbox's real directory, read from a sandbox started for the build on a
 * free port with its own data folder; its origin and this app's are written as the defaults
 * (SANDBOX_DEFAULT_ORIGIN, APP_DEFAULT_ORIGIN) for the server to replace with the real ones. Client
 * secrets are left out of the directory the pages are drawn with.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createServer, type Plugin, type ResolvedConfig, type Rollup, type ViteDevServer } from 'vite';
import { installPrerenderGlobals, setPrerenderLocation } from './prerender-globals.ts';

/** The origins prerendered pages are written with; the app server swaps in the real ones. */
export const APP_DEFAULT_ORIGIN = 'http://localhost:5173';
export const SANDBOX_DEFAULT_ORIGIN = 'http://localhost:5174';
/**
 * The only script a drawn page carries inline (its hash is in the CSP, vite.config.ts): once the page has
 * painted, it preloads the main bundle's chunks and runs the main bundle. Scripts requested while the
 * page is still parsed would share the first bytes with it and hold back its first paint; the app
 * renders over the drawn page a little later instead. Its text never changes; what it loads is named
 * in its data attributes.
 */
export const DEFERRED_START_SCRIPT =
  "const s=document.querySelector('script[data-main]');" +
  'requestAnimationFrame(()=>setTimeout(()=>{' +
  "for(const h of JSON.parse(s.dataset.preload)){const l=document.createElement('link');l.rel='modulepreload';l.href=h;document.head.append(l)}" +
  'import(s.dataset.main)}))';

const MAIN_SCRIPT = /\s*<script type="module" crossorigin src="([^"]+)"><\/script>/;
const MODULE_PRELOAD = /\s*<link rel="modulepreload" crossorigin href="([^"]+)">/g;

/**
 * `html` with its main script and the main bundle's preload links replaced by the deferred start
 * (DEFERRED_START_SCRIPT) at the end of the body. Throws when the page has no main script.
 */
export function deferMainScript(html: string): string {
  const main = MAIN_SCRIPT.exec(html)?.[1];
  if (main === undefined) throw new Error('the page has no main module script to defer');
  const preload = [...html.matchAll(MODULE_PRELOAD)].map((m) => m[1]);
  const attribute = (value: string) => value.replaceAll('&', '&amp;').replaceAll('"', '&quot;');
  return html
    .replace(MAIN_SCRIPT, '')
    .replace(MODULE_PRELOAD, '')
    .replace(
      '</body>',
      `<script type="module" data-main="${attribute(main)}" data-preload="${attribute(JSON.stringify(preload))}">${DEFERRED_START_SCRIPT}</script>\n  </body>`,
    );
}

/** The page written for paths that have no prerendered page of their own. */
export const APP_SHELL_FILE = 'app-shell.html';
/**
 * The sandbox's ids (tenant, client ids) are not written into the build: each is a marker in the pages,
 * listed in this file with what it stands for, and the app server writes the live value in its place.
 */
export const SANDBOX_IDS_FILE = 'sandbox-id-markers.json';

/** What one marker stands for: the tenant's id, or the client id of the app with this display name. */
export type SandboxIdMarker =
  | { readonly marker: string; readonly of: 'tenant' }
  | { readonly marker: string; readonly of: 'app'; readonly displayName: string };

/** The markers for a directory as the sandbox serves it (`/app-directory/v1.json`), with their values. */
export function sandboxIdMarkers(directory: unknown): { marker: SandboxIdMarker; value: string }[] {
  const body = (typeof directory === 'object' && directory !== null ? directory : {}) as {
    tenant?: { id?: unknown };
    apps?: { clientId?: unknown; displayName?: unknown }[];
  };
  const found: { marker: SandboxIdMarker; value: string }[] = [];
  const marker = () => `__sandbox_id_${found.length}__`;
  if (typeof body.tenant?.id === 'string')
    found.push({ marker: { marker: marker(), of: 'tenant' }, value: body.tenant.id });
  for (const app of Array.isArray(body.apps) ? body.apps : [])
    if (typeof app.clientId === 'string' && typeof app.displayName === 'string')
      found.push({
        marker: { marker: marker(), of: 'app', displayName: app.displayName },
        value: app.clientId,
      });
  return found;
}

/** The live value of each marker in `directory` ('' when it has none: the app fills it in itself). */
export function sandboxIdValues(
  markers: readonly SandboxIdMarker[],
  directory: unknown,
): Map<string, string> {
  const live = sandboxIdMarkers(directory);
  const values = new Map<string, string>();
  for (const m of markers) {
    const match = live.find(({ marker }) =>
      m.of === 'tenant'
        ? marker.of === 'tenant'
        : marker.of === 'app' && marker.displayName === m.displayName,
    );
    values.set(m.marker, match?.value ?? '');
  }
  return values;
}

/** One prerendered route: its path, the module of its page (undefined: in the main bundle), its file. */
export interface PrerenderRoute {
  readonly path: string;
  readonly module: string | undefined;
  readonly file: string;
  /** false: nothing drawn (the page depends on its address), only its code preloaded. */
  readonly draw?: boolean;
  /** Pages the user lands on next, preloaded too. */
  readonly next?: readonly string[];
}

/** The routes to prerender, from the flow registry (a new flow is prerendered without a change here). */
export async function prerenderRoutes(
  load: (id: string) => Promise<Record<string, unknown>>,
): Promise<PrerenderRoute[]> {
  const registry = (await load('/src/flows/registry.ts')) as typeof import('../src/flows/registry.ts');
  const attacks = (await load(
    '/src/flows/attacks/registry.ts',
  )) as typeof import('../src/flows/attacks/registry.ts');
  return [
    { path: '/', module: undefined, file: 'index.html' },
    ...registry.FLOWS.map((flow) => ({
      path: registry.flowPath(flow.id),
      module: `src/ui/routes/${flow.id}.tsx`,
      file: `${registry.flowPath(flow.id).slice(1)}.html`,
    })),
    { path: '/tokens', module: 'src/ui/routes/token-inspector.tsx', file: 'tokens.html' },
    { path: '/choose', module: 'src/ui/routes/choose.tsx', file: 'choose.html' },
    {
      path: '/registration-check',
      module: 'src/ui/routes/registration-check.tsx',
      file: 'registration-check.html',
    },
    { path: '/sandbox-code', module: 'src/ui/routes/sandbox-code.tsx', file: 'sandbox-code.html' },
    { path: attacks.ATTACKS_PATH, module: 'src/ui/routes/attacks.tsx', file: 'attacks.html' },
    // Each attack's page draws its catalogue entry; its steps load with it.
    ...attacks.builtAttacks().map((attack) => ({
      path: attacks.attackPath(attack.id),
      module: 'src/ui/routes/attack.tsx',
      file: `${attacks.attackPath(attack.id).slice(1)}.html`,
    })),
    { path: '/settings', module: 'src/ui/routes/settings.tsx', file: 'settings.html' },
    // The redirect URI: what it shows depends on the answer in its address, and it hands the run to
    // the flow's page (most often the code flow's) within a moment.
    {
      path: '/callback',
      module: 'src/ui/routes/callback.tsx',
      file: 'callback.html',
      draw: false,
      next: ['src/ui/routes/authorization-code.tsx'],
    },
  ];
}

const STYLESHEET = /<link rel="stylesheet"[^>]*href="([^"]+)"[^>]*>/g;
const ROOT = '<div id="root"></div>';

/** `</style` inside CSS would end the element early; CSS never needs it. */
function styleElement(css: string): string {
  return `<style>${css.replaceAll('</style', '<\\/style')}</style>`;
}

/** The chunks `file` loads at once (static imports, transitively), itself included. */
function staticClosure(bundle: Rollup.OutputBundle, file: string, seen = new Set<string>()): Set<string> {
  if (seen.has(file)) return seen;
  seen.add(file);
  const chunk = bundle[file];
  if (chunk?.type === 'chunk') for (const imported of chunk.imports) staticClosure(bundle, imported, seen);
  return seen;
}

function cssOf(bundle: Rollup.OutputBundle, files: Iterable<string>): string[] {
  const css: string[] = [];
  for (const file of files) {
    const chunk = bundle[file];
    if (chunk?.type !== 'chunk') continue;
    for (const sheet of chunk.viteMetadata?.importedCss ?? []) if (!css.includes(sheet)) css.push(sheet);
  }
  return css;
}

/** Reads the sandbox's directory as the app reads it, from a sandbox started for the occasion. */
async function readSandboxDirectory(): Promise<{ origin: string; body: Record<string, unknown> }> {
  const { startSandbox } = await import('../server/sandbox/index.ts');
  const { SANDBOX_DIRECTORY_PATH } = await import('../src/protocol/sandbox-directory.ts');
  const dataDir = mkdtempSync(join(tmpdir(), 'flow-lab-prerender-'));
  // Plain http whatever SANDBOX_HTTPS says: this process does not trust the sandbox's local CA.
  const sandbox = await startSandbox({ port: 0, dataDir, quiet: true, https: false });
  try {
    const response = await fetch(`${sandbox.origin}${SANDBOX_DIRECTORY_PATH}`);
    if (!response.ok) throw new Error(`the sandbox answered ${response.status} for its directory`);
    const body = (await response.json()) as Record<string, unknown>;
    // Pages are files on disk: no secret goes into them, not even a sandbox one.
    if (Array.isArray(body['apps']))
      body['apps'] = body['apps'].map((app: Record<string, unknown>) => {
        const { sandboxOnlySecret: _secret, ...rest } = app;
        return rest;
      });
    return { origin: sandbox.origin, body };
  } finally {
    await sandbox.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** What the renders need, prepared while the bundle is being built (see `buildStart`). */
interface Renderer {
  readonly directory: { origin: string; body: Record<string, unknown> };
  readonly load: (id: string) => Promise<Record<string, unknown>>;
  readonly entryServer: typeof import('../src/entry-server.tsx');
  close(): Promise<void>;
}

/**
 * Reads the sandbox's directory, then loads the server entry with the directory seeded. Globals are set
 * only once the sandbox is closed: no server code of ours runs while `window` exists.
 */
async function prepareRenderer(root: string): Promise<Renderer> {
  const directory = await readSandboxDirectory();
  const restore = installPrerenderGlobals(new URL(`${APP_DEFAULT_ORIGIN}/`));
  let server: ViteDevServer | undefined;
  try {
    server = await createServer({
      configFile: false,
      root,
      logLevel: 'warn',
      server: { middlewareMode: true, hmr: false, ws: false },
      appType: 'custom',
      optimizeDeps: { noDiscovery: true, include: [] },
      resolve: {
        alias: [{ find: /^zustand$/, replacement: join(import.meta.dirname, 'zustand-prerender.ts') }],
      },
      // The alias must reach the stores' own imports: load zustand through Vite, not Node.
      ssr: { noExternal: ['zustand'] },
    });
    const ssr = server;
    const load = (id: string) => ssr.ssrLoadModule(id);
    const entryServer = (await load('/src/entry-server.tsx')) as typeof import('../src/entry-server.tsx');
    entryServer.seedStores(
      { sandboxOrigin: directory.origin, relay: true, relayToken: '', formPost: true },
      directory.origin,
      directory.body,
    );
    return {
      directory,
      load,
      entryServer,
      close: async () => {
        await ssr.close();
        restore();
      },
    };
  } catch (error) {
    await server?.close();
    restore();
    throw error;
  }
}

/** The build plugin; does nothing in `vite dev` or in an SSR build. */
export function prerenderPlugin(): Plugin {
  let config: ResolvedConfig;
  // Started with the build, so the sandbox and the server-side modules load while the bundle is made.
  let renderer: Promise<Renderer> | undefined;
  // The bundle as written; the pages are rendered once the build has closed (closeBundle).
  let written: { outDir: string; bundle: Rollup.OutputBundle } | undefined;
  const release = async () => {
    const pending = renderer;
    renderer = undefined;
    await pending?.then((r) => r.close()).catch(() => undefined);
  };
  return {
    name: 'flow-lab-prerender',
    apply: 'build',
    configResolved(resolved) {
      config = resolved;
    },
    buildStart() {
      if (config.build.ssr) return;
      renderer = prepareRenderer(config.root);
      // Awaited in writeBundle; a failure there is reported there, not as an unhandled rejection.
      renderer.catch(() => undefined);
    },
    async buildEnd(error) {
      if (error !== undefined) await release();
    },
    writeBundle(options, bundle) {
      if (config.build.ssr || renderer === undefined) return;
      written = { outDir: options.dir ?? config.build.outDir, bundle };
    },
    async closeBundle() {
      if (written === undefined || renderer === undefined) return;
      const { outDir, bundle } = written;
      written = undefined;
      try {
        await writePages(config, outDir, bundle, await renderer);
      } finally {
        await release();
      }
    },
  };
}

/** Writes the app shell and every route's page into `outDir`. */
async function writePages(
  config: ResolvedConfig,
  outDir: string,
  bundle: Rollup.OutputBundle,
  { directory, load, entryServer }: Renderer,
): Promise<void> {
  const template = readFileSync(join(outDir, 'index.html'), 'utf8');
  if (!template.includes(ROOT)) throw new Error(`index.html has no ${ROOT} to render into`);
  // The main bundle's styles, inlined in every page (they were a render-blocking request).
  const withStyles = template.replace(STYLESHEET, (_link, href: string) =>
    styleElement(readFileSync(join(outDir, href), 'utf8')),
  );
  writeFileSync(join(outDir, APP_SHELL_FILE), withStyles);
  const entry = Object.values(bundle).find((c) => c.type === 'chunk' && c.isEntry);
  const inMain = entry === undefined ? new Set<string>() : staticClosure(bundle, entry.fileName);
  const markers = sandboxIdMarkers(directory.body);
  writeFileSync(
    join(outDir, SANDBOX_IDS_FILE),
    `${JSON.stringify(
      markers.map((m) => m.marker),
      null,
      2,
    )}\n`,
  );
  for (const route of await prerenderRoutes(load)) {
    setPrerenderLocation(new URL(`${APP_DEFAULT_ORIGIN}${route.path}`));
    let html =
      route.draw === false
        ? undefined
        : (await entryServer.renderRoute(route.path)).replaceAll(directory.origin, SANDBOX_DEFAULT_ORIGIN);
    for (const { marker, value } of markers) html = html?.replaceAll(value, marker.marker);
    const chunkOf = (module: string) => {
      const modulePath = join(config.root, module);
      const chunk = Object.values(bundle).find(
        (c): c is Rollup.OutputChunk => c.type === 'chunk' && c.facadeModuleId === modulePath,
      );
      if (chunk === undefined) throw new Error(`no chunk in the build for ${module}`);
      return chunk.fileName;
    };
    const modules = [...(route.module === undefined ? [] : [route.module]), ...(route.next ?? [])];
    const own = [...new Set(modules.flatMap((module) => [...staticClosure(bundle, chunkOf(module))]))].filter(
      (f) => !inMain.has(f),
    );
    const head = [
      ...cssOf(bundle, own).map((sheet) => styleElement(readFileSync(join(outDir, sheet), 'utf8'))),
      // A drawn page loads its route's code from the app's start-up (src/main.tsx), after its
      // first paint: preload hints here would compete with the page itself for the first bytes.
      ...(html === undefined
        ? own.map((file) => `<link rel="modulepreload" crossorigin href="/${file}">`)
        : []),
    ].join('\n    ');
    const page = (html === undefined ? withStyles : deferMainScript(withStyles))
      .replace('</head>', `  ${head}\n  </head>`)
      // Inert, hidden from assistive technology and its controls disabled until the app renders over
      // it: a click or keystroke on the drawn page before the script runs would be lost when the app
      // replaces it, so the drawn page takes none, and a screen reader (or a test looking for a
      // control by its role) meets the app's page, not the picture of it. app.css lays the wrapper
      // out as if it were not there.
      .replace(
        ROOT,
        html === undefined
          ? ROOT
          : `<div id="root"><fieldset class="prerendered" disabled inert aria-hidden="true">${html}</fieldset></div>`,
      );
    const target = join(outDir, route.file);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, page);
  }
}
