import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter } from 'react-router';
import { AppRoutes } from './ui/router.tsx';
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
// then kept current while the app is open.
void loadLabConfig().then(() => watchSandboxDirectory(() => useLabConfig.getState().sandboxOrigin));
restartRunsWhenSandboxReturns(() => useSettings.getState().authority === 'sandbox');
followRotatedSandboxSecrets();
refillRestoredSecrets();

const root = document.getElementById('root');
if (root === null) throw new Error('index.html has no #root element');
createRoot(root).render(
  <StrictMode>
    <ErrorBoundary>
      <BrowserRouter>
        <AppRoutes />
      </BrowserRouter>
    </ErrorBoundary>
  </StrictMode>,
);
