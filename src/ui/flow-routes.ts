/**
 * The page of each registered flow, loaded on demand. Typed by `FlowId`, so a flow added to the
 * registry without a page fails to compile — and no page exists for a flow that is not built.
 */
import type { ComponentType } from 'react';
import type { FlowId } from '../flows/registry.ts';

export const FLOW_PAGES: Readonly<Record<FlowId, () => Promise<{ default: ComponentType }>>> = {
  'authorization-code': () => import('./routes/authorization-code.tsx'),
  'client-credentials': () => import('./routes/client-credentials.tsx'),
  'call-api': () => import('./routes/call-api.tsx'),
  'device-code': () => import('./routes/device-code.tsx'),
  password: () => import('./routes/password.tsx'),
  implicit: () => import('./routes/implicit.tsx'),
  'refresh-token': () => import('./routes/refresh-token.tsx'),
  'on-behalf-of': () => import('./routes/on-behalf-of.tsx'),
  dpop: () => import('./routes/dpop.tsx'),
  'token-exchange': () => import('./routes/token-exchange.tsx'),
  'token-management': () => import('./routes/token-management.tsx'),
  'dynamic-registration': () => import('./routes/dynamic-registration.tsx'),
};
