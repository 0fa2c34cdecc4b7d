import { lazy, Suspense, useEffect } from 'react';
import { NavLink, Outlet, useLocation } from 'react-router';
import { ErrorBoundary } from './error-boundary.tsx';
import { SandboxStatusNotice } from './components/sandbox-status-notice.tsx';
import { InsecureContextNotice } from './components/hosting-notices.tsx';
import { PresenterToggle } from './components/presenter-toggle.tsx';
import { FLOWS, flowPath } from '../flows/registry.ts';
import { useLabConfig } from '../state/lab-config.ts';
import { relayOriginsOf } from '../protocol/endpoint-checks.ts';
import { allowOnRelay } from '../state/relay.ts';
import { endpointsFor, useSettings } from '../state/settings.ts';

const SharePrompt = lazy(async () => ({
  default: (await import('./settings/share-prompt.tsx')).SharePrompt,
}));

/** The frame around every page: skip link, navigation derived from the flow registry, main. */
export function AppLayout() {
  const location = useLocation();
  const authority = useSettings((s) => s.authority);
  const issuer = useSettings((s) => s.issuer);
  const manualEndpoints = useSettings((s) => s.manualEndpoints);
  const sandboxOrigin = useLabConfig((s) => s.sandboxOrigin);
  const relay = useLabConfig((s) => s.relay);
  const share = new URLSearchParams(location.search).get('share');

  useEffect(() => {
    // The relay forgets its allowlist when it restarts; the user agreed to these origins when saving them.
    if (!relay || (authority !== 'issuer' && authority !== 'manual')) return;
    const endpoints = endpointsFor(
      { authority, entraOrigin: '', tenant: '', issuer, manualEndpoints },
      sandboxOrigin,
    );
    allowOnRelay(relayOriginsOf(endpoints)).catch(() => {
      // A refusal shows up where it matters: on the flow's own request.
    });
  }, [relay, authority, issuer, manualEndpoints, sandboxOrigin]);
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
            <li>
              <NavLink to="/choose">Which flow should I use?</NavLink>
            </li>
            {FLOWS.map((flow) => (
              <li key={flow.id}>
                <NavLink to={flowPath(flow.id)}>{flow.title}</NavLink>
              </li>
            ))}
            <li>
              <NavLink to="/tokens">Token inspector</NavLink>
            </li>
            <li>
              <NavLink to="/attacks">Attack lab</NavLink>
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
          ) : authority === 'entra' ? (
            'Entra ID'
          ) : authority === 'issuer' ? (
            `Issuer: ${issuer === null ? '' : new URL(issuer.issuer).host}`
          ) : (
            'Custom endpoints'
          )}
        </p>
        <PresenterToggle />
      </header>
      <main id="main" tabIndex={-1}>
        {(location.pathname === '/settings' || location.pathname.startsWith('/flows/')) && (
          <SandboxStatusNotice />
        )}
        <InsecureContextNotice />
        <ErrorBoundary resetKey={location.pathname}>
          <Suspense fallback={<p role="status">Loading…</p>}>
            {share === null ? <Outlet /> : <SharePrompt value={share} />}
          </Suspense>
        </ErrorBoundary>
      </main>
    </>
  );
}
