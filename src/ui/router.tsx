import { lazy, useState, type ComponentType } from 'react';
import { Route, Routes } from 'react-router';
import { FLOWS, flowPath } from '../flows/registry.ts';
import { ATTACKS_PATH } from '../flows/attacks/path.ts';
import { FLOW_PAGES } from './flow-routes.ts';
import { AppLayout } from './app-layout.tsx';
import { Home } from './routes/home.tsx';

interface LazyRoute {
  readonly Page: ComponentType;
  /** Loads the page's code; afterwards the page renders at once, without suspending. */
  readonly preload: () => Promise<void>;
}

/** A page loaded on demand that can also be loaded ahead of its first render (see {@link preloadRoute}). */
function lazyRoute(load: () => Promise<{ default: ComponentType }>): LazyRoute {
  let loaded: ComponentType | undefined;
  const Lazy = lazy(async () => {
    const module = await load();
    loaded = module.default;
    return module;
  });
  function Page() {
    // Chosen once per mount: switching component types later would remount the page and lose its state.
    const [Component] = useState<ComponentType>(() => loaded ?? Lazy);
    return <Component />;
  }
  return {
    Page,
    preload: async () => {
      loaded ??= (await load()).default;
    },
  };
}

const settingsRoute = lazyRoute(() => import('./routes/settings.tsx'));
const callbackRoute = lazyRoute(() => import('./routes/callback.tsx'));
const notFoundRoute = lazyRoute(() => import('./routes/not-found.tsx'));
const tokensRoute = lazyRoute(() => import('./routes/token-inspector.tsx'));
const chooseRoute = lazyRoute(() => import('./routes/choose.tsx'));
const registrationCheckRoute = lazyRoute(() => import('./routes/registration-check.tsx'));
const sandboxCodeRoute = lazyRoute(() => import('./routes/sandbox-code.tsx'));
const attacksRoute = lazyRoute(() => import('./routes/attacks.tsx'));
const attackRoute = lazyRoute(() => import('./routes/attack.tsx'));
const flowPages = FLOWS.map((flow) => ({ path: flowPath(flow.id), ...lazyRoute(FLOW_PAGES[flow.id]) }));
const SettingsPage = settingsRoute.Page;
const CallbackPage = callbackRoute.Page;
const NotFound = notFoundRoute.Page;
const TokenInspectorPage = tokensRoute.Page;
const ChoosePage = chooseRoute.Page;
const RegistrationCheckPage = registrationCheckRoute.Page;
const SandboxCodePage = sandboxCodeRoute.Page;
const AttacksPage = attacksRoute.Page;
const AttackPage = attackRoute.Page;

/**
 * Loads the code of the page at `pathname` (nothing for the home page, which is in the main bundle).
 * Never rejects: a page that fails to load shows its error where it renders.
 */
export async function preloadRoute(pathname: string): Promise<void> {
  const route =
    pathname === '/'
      ? undefined
      : pathname === '/settings'
        ? settingsRoute
        : pathname === '/callback'
          ? callbackRoute
          : pathname === '/tokens'
            ? tokensRoute
            : pathname === '/choose'
              ? chooseRoute
              : pathname === '/registration-check'
                ? registrationCheckRoute
                : pathname === '/sandbox-code'
                  ? sandboxCodeRoute
                  : pathname === ATTACKS_PATH
                    ? attacksRoute
                    : pathname.startsWith(`${ATTACKS_PATH}/`)
                      ? attackRoute
                      : (flowPages.find((p) => p.path === pathname) ?? notFoundRoute);
  await route?.preload().catch(() => undefined);
}

/** The route table: home, settings, the redirect URI, and one route per registered flow. */
export function AppRoutes() {
  return (
    <Routes>
      <Route element={<AppLayout />}>
        <Route index element={<Home />} />
        <Route path="/settings" element={<SettingsPage />} />
        <Route path="/callback" element={<CallbackPage />} />
        <Route path="/tokens" element={<TokenInspectorPage />} />
        <Route path="/choose" element={<ChoosePage />} />
        <Route path="/registration-check" element={<RegistrationCheckPage />} />
        <Route path="/sandbox-code" element={<SandboxCodePage />} />
        <Route path={ATTACKS_PATH} element={<AttacksPage />} />
        <Route path={`${ATTACKS_PATH}/:attackId`} element={<AttackPage />} />
        {flowPages.map(({ path, Page }) => (
          <Route key={path} path={path} element={<Page />} />
        ))}
        <Route path="*" element={<NotFound />} />
      </Route>
    </Routes>
  );
}
