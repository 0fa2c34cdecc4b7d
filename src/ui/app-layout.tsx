import { Suspense } from 'react';
import { NavLink, Outlet, useLocation } from 'react-router';
import { ErrorBoundary } from './error-boundary.tsx';
import { FLOWS, flowPath } from '../flows/registry.ts';
import { useLabConfig } from '../state/lab-config.ts';
import { useSettings } from '../state/settings.ts';

/** The frame around every page: skip link, navigation derived from the flow registry, main. */
export function AppLayout() {
  const location = useLocation();
  const authority = useSettings((s) => s.authority);
  const sandboxOrigin = useLabConfig((s) => s.sandboxOrigin);
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="app-header">
        <NavLink to="/" className="brand" end>
          OAuth Flow Lab
        </NavLink>
        <nav aria-label="Flows">
          <ul>
            {FLOWS.map((flow) => (
              <li key={flow.id}>
                <NavLink to={flowPath(flow.id)}>{flow.title}</NavLink>
              </li>
            ))}
            <li>
              <NavLink to="/tokens">Token inspector</NavLink>
            </li>
            <li>
              <NavLink to="/settings">Settings</NavLink>
            </li>
          </ul>
        </nav>
        <p className="authority-badge">
          {authority === 'sandbox' ? (
            <>
              Sandbox tenant · <a href={`${sandboxOrigin}/`}>portal</a>
            </>
          ) : (
            'Entra ID'
          )}
        </p>
      </header>
      <main id="main" tabIndex={-1}>
        <ErrorBoundary resetKey={location.pathname}>
          <Suspense fallback={<p role="status">Loading…</p>}>
            <Outlet />
          </Suspense>
        </ErrorBoundary>
      </main>
    </>
  );
}
