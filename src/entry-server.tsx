/**
 * Build-time rendering of one route to static HTML (build/prerender.ts calls it once per route). The
 * page a first-time visitor sees — default settings, no run, sandbox authority — is painted from the
 * HTML before any script has run; the client then renders the same tree over it (src/main.tsx).
 */
import { StrictMode } from 'react';
import { prerender } from 'react-dom/static';
import { StaticRouter } from 'react-router';
import { AppRoutes } from './ui/router.tsx';
import { ErrorBoundary } from './ui/error-boundary.tsx';
import { applyLabConfig } from './state/lab-config.ts';
import { acceptEmbeddedDirectory } from './state/sandbox-directory.ts';

/**
 * Gives the stores what the app server would embed in a page (src/ui/boot.ts): the lab config and the
 * sandbox's directory, so flow pages render with their app registrations. Throws when either is unusable.
 */
export function seedStores(config: object, directoryOrigin: string, directory: unknown): void {
  if (!applyLabConfig(config) || !acceptEmbeddedDirectory(directoryOrigin, directory, undefined))
    throw new Error('the lab config or the sandbox directory given to the prerender is not usable');
}

/** The HTML inside `#root` for `path` (e.g. `/flows/device-code`), with every lazy route loaded. */
export async function renderRoute(path: string): Promise<string> {
  const { prelude } = await prerender(
    <StrictMode>
      <ErrorBoundary>
        <StaticRouter location={path}>
          <AppRoutes />
        </StaticRouter>
      </ErrorBoundary>
    </StrictMode>,
    // One document with every boundary inline: no fallback plus the inline script that would swap it
    // (the app's CSP allows no inline script).
    { progressiveChunkSize: Number.POSITIVE_INFINITY },
  );
  return new Response(prelude).text();
}
