import { lazy, Suspense, useEffect, useId, useRef, useState, type MouseEvent } from 'react';
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
import './app-layout.css';

const SharePrompt = lazy(async () => ({
  default: (await import('./settings/share-prompt.tsx')).SharePrompt,
}));

/**
 * The frame around every page: skip link, navigation derived from the flow registry, main. On a narrow
 * screen the navigation folds behind a disclosure button (CSS decides when; the state only says open).
 */
export function AppLayout() {
  const location = useLocation();
  const [menuOpen, setMenuOpen] = useState(false);
  const menuId = useId();
  const nav = useRef<HTMLElement>(null);
  const menuButton = useRef<HTMLButtonElement>(null);
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

  useEffect(() => {
    if (!menuOpen) return;
    // An open menu closes on Escape (focus back on its button) or on a press anywhere outside it.
    const onKey = (event: KeyboardEvent) => {
      if (event.key !== 'Escape') return;
      setMenuOpen(false);
      menuButton.current?.focus();
    };
    const onPointer = (event: PointerEvent) => {
      if (!(event.target instanceof Node) || !nav.current?.contains(event.target)) setMenuOpen(false);
    };
    document.addEventListener('keydown', onKey);
    document.addEventListener('pointerdown', onPointer);
    return () => {
      document.removeEventListener('keydown', onKey);
      document.removeEventListener('pointerdown', onPointer);
    };
  }, [menuOpen]);

  // A link followed from the open menu closes it, so the page it opens is not covered.
  function closeOnLink(event: MouseEvent<HTMLUListElement>) {
    if (event.target instanceof Element && event.target.closest('a') !== null) setMenuOpen(false);
  }

  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="app-header">
        <NavLink to="/" className="brand" end>
          OAuth Flow Lab
        </NavLink>
        <nav aria-label="Flows" className={menuOpen ? 'app-nav app-nav--open' : 'app-nav'} ref={nav}>
          <button
            type="button"
            className="app-nav__toggle"
            aria-expanded={menuOpen}
            aria-controls={menuId}
            ref={menuButton}
            onClick={() => setMenuOpen(!menuOpen)}
          >
            <span aria-hidden="true" className="app-nav__icon" />
            Menu
          </button>
          <ul id={menuId} className="app-nav__list" onClick={closeOnLink}>
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
              <NavLink to="/registration-check">Registration checker</NavLink>
            </li>
            <li>
              <NavLink to="/sandbox-code">Sandbox from your code</NavLink>
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
