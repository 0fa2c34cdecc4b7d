import { startTransition, StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter } from 'react-router';
import { AppRoutes, preloadRoute } from './ui/router.tsx';
import { takeEmbeddedBoot } from './ui/boot.ts';
import { ErrorBoundary } from './ui/error-boundary.tsx';
import { loadLabConfig, useLabConfig } from './state/lab-config.ts';
import { watchSandboxDirectory } from './state/sandbox-directory.ts';
import { useSettings } from './state/settings.ts';
import {
  followRotatedSandboxSecrets,
  refillRestoredSecrets,
  restartRunsWhenSandboxReturns,
} from './state/sandbox-runs.ts';
import './ui/app.css';

// The sandbox's directory (tenant, app registrations) is read from the sandbox the lab config names,
// then kept current while the app is open. The page may carry both already (src/ui/boot.ts).
const embedded = takeEmbeddedBoot();
const watchDirectory = () => watchSandboxDirectory(() => useLabConfig.getState().sandboxOrigin);
if (embedded.config) watchDirectory();
else void loadLabConfig().then(watchDirectory);
restartRunsWhenSandboxReturns(() => useSettings.getState().authority === 'sandbox');
followRotatedSandboxSecrets();
refillRestoredSecrets();

const root = document.getElementById('root');
if (root === null) throw new Error('index.html has no #root element');
// The page's own code is loaded first, so the first render draws the page over its prerendered HTML
// rather than a "Loading" line; the render is a transition, so React splits it into short tasks.
void preloadRoute(window.location.pathname).then(() =>
  startTransition(() =>
    createRoot(root).render(
      <StrictMode>
        <ErrorBoundary>
          <BrowserRouter>
            <AppRoutes />
          </BrowserRouter>
        </ErrorBoundary>
      </StrictMode>,
    ),
  ),
);
