import { lazy } from 'react';
import { Route, Routes } from 'react-router';
import { FLOWS, flowPath } from '../flows/registry.ts';
import { FLOW_PAGES } from './flow-routes.ts';
import { AppLayout } from './app-layout.tsx';
import { Home } from './routes/home.tsx';

const SettingsPage = lazy(() => import('./routes/settings.tsx'));
const CallbackPage = lazy(() => import('./routes/callback.tsx'));
const NotFound = lazy(() => import('./routes/not-found.tsx'));
const TokenInspectorPage = lazy(() => import('./routes/token-inspector.tsx'));
const flowPages = FLOWS.map((flow) => ({ path: flowPath(flow.id), Page: lazy(FLOW_PAGES[flow.id]) }));

/** The route table: home, settings, the redirect URI, and one route per registered flow. */
export function AppRoutes() {
  return (
    <Routes>
      <Route element={<AppLayout />}>
        <Route index element={<Home />} />
        <Route path="/settings" element={<SettingsPage />} />
        <Route path="/callback" element={<CallbackPage />} />
        <Route path="/tokens" element={<TokenInspectorPage />} />
        {flowPages.map(({ path, Page }) => (
          <Route key={path} path={path} element={<Page />} />
        ))}
        <Route path="*" element={<NotFound />} />
      </Route>
    </Routes>
  );
}
