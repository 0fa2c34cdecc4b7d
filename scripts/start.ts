/**
 * `npm start`: serves the production build (with the sandbox tenant and the relay, see server/main.ts),
 * building it first only when what the build is made from changed since the build in the out dir
 * (LAB_DIST_DIR, else dist/) was made. What it was made from is recorded in that dir as one SHA-256 per
 * input file; a build made some other way (`npm run build`) has no record, so the first start rebuilds.
 * Prints "build is current" or "rebuilding because … changed", then hands over to server/main.ts.
 *
 * Run as `node --import oidc-provider --import jose --import vite --import tsx scripts/start.ts` (the
 * start script): the server's large dependencies are loaded by Node itself before tsx registers its
 * loader hooks, which would otherwise see every one of their hundreds of files (several times slower to
 * start; only our own TypeScript needs tsx).
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Everything the production build reads, besides node_modules (which package-lock.json pins). The
 * sandbox is one: the prerender (build/prerender.ts) draws each page with the sandbox's directory.
 */
const INPUT_PATHS = [
  'src',
  'index.html',
  'public',
  'vite.config.ts',
  'build',
  'server/sandbox',
  'package-lock.json',
];
/** Root files read by the build that are matched by name: every tsconfig, Vite's .env files. */
const INPUT_NAMES = /^(tsconfig.*\.json|\.env(\..*)?)$/;
/** Unit tests and their snapshots sit beside the code in src/ but are never part of the build. */
const NOT_INPUT = /(\.test\.tsx?$|\/__snapshots__\/)/;
/** Where the record of the inputs is kept: under the out dir's .vite/, which preview does not serve. */
export const INPUTS_RECORD = join('.vite', 'build-inputs.json');

/** Input file (path relative to the repository, with /) → SHA-256 of its bytes, hex. */
export type InputHashes = Readonly<Record<string, string>>;

function listFiles(path: string): string[] {
  if (!existsSync(path)) return [];
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path, { withFileTypes: true }).flatMap((entry) => listFiles(join(path, entry.name)));
}

/** Hashes every input of the build under `root`, sorted by path. */
export function hashBuildInputs(root: string): InputHashes {
  const roots = [
    ...INPUT_PATHS.map((path) => join(root, path)),
    ...readdirSync(root)
      .filter((name) => INPUT_NAMES.test(name))
      .map((name) => join(root, name)),
  ];
  const files = roots
    .flatMap(listFiles)
    .map((file) => relative(root, file).split(sep).join('/'))
    .filter((file) => !NOT_INPUT.test(file));
  return Object.fromEntries(
    [...new Set(files)].sort().map((file) => [
      file,
      createHash('sha256')
        .update(readFileSync(join(root, file)))
        .digest('hex'),
    ]),
  );
}

/**
 * Why the build in `outDir` cannot be served as it is, in words ("src/ui/app.css changed"), or
 * undefined when it was made from exactly `current`.
 */
export function staleReason(outDir: string, current: InputHashes): string | undefined {
  if (!existsSync(join(outDir, 'index.html'))) return `there is no build in ${outDir}/ yet`;
  let recorded: InputHashes;
  try {
    recorded = (JSON.parse(readFileSync(join(outDir, INPUTS_RECORD), 'utf8')) as { files: InputHashes })
      .files;
  } catch {
    return `the build in ${outDir}/ has no record of what it was built from`;
  }
  const changed = [
    ...Object.keys(current).filter((file) => recorded[file] !== current[file]),
    ...Object.keys(recorded).filter((file) => !(file in current)),
  ];
  if (changed.length === 0) return undefined;
  const [first] = changed;
  const what = first !== undefined && first in current ? first : `${first ?? ''} (removed)`;
  const more = changed.length - 1;
  return `${what} changed${more === 0 ? '' : ` (and ${more} more file${more === 1 ? '' : 's'})`}`;
}

/** Records in `outDir` what its build was made from. */
export function recordBuildInputs(outDir: string, files: InputHashes): void {
  const path = join(outDir, INPUTS_RECORD);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify({ files }, null, 1)}\n`);
}

async function main(): Promise<void> {
  const root = fileURLToPath(new URL('..', import.meta.url));
  // vite.config.ts and the server resolve their paths from the working directory.
  process.chdir(root);
  const outDir = process.env['LAB_DIST_DIR'] ?? 'dist';
  const inputs = hashBuildInputs(root);
  const reason = staleReason(outDir, inputs);
  if (reason === undefined) {
    console.log(`build is current (${outDir}/)`);
  } else {
    console.log(`rebuilding because ${reason}`);
    // In a process of its own: the build renders pages with browser globals set up in Node (prerender),
    // which the server must not inherit.
    const vite = join(root, 'node_modules', 'vite', 'bin', 'vite.js');
    const built = spawnSync(process.execPath, [vite, 'build'], { stdio: 'inherit' });
    if (built.status !== 0) {
      console.error('The build failed: nothing was started.');
      process.exit(built.status ?? 1);
    }
    recordBuildInputs(outDir, inputs);
  }
  await import('../server/main.ts');
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) await main();
