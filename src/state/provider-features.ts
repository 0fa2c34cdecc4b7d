/**
 * The current authority's features and flow support, for the pages: the metadata subset, a verdict per
 * feature and per flow, and the client authentication methods it takes. The verdicts' texts live here and
 * in the protocol modules this one imports, not in the settings store, so only the pages that show a
 * verdict load them (the landing page does not). The hook recomputes only when the authority changes.
 */
import { useMemo } from 'react';
import { assessFlowSupport, type FlowSupport } from '../protocol/flow-support.ts';
import {
  assessFeature,
  clientAuthMethods,
  ENTRA_LACKS,
  entraFeatureMetadata,
  type AuthenticatedEndpoint,
  type ClientAuthMethod,
  type FeatureMetadata,
  type FeatureVerdict,
  type ProviderFeature,
} from '../protocol/provider-features.ts';
import { useLabConfig } from './lab-config.ts';
import { endpointsFor, tenantFor, useSettings, type Settings } from './settings.ts';

/**
 * Which flows the authority in the settings supports: from its endpoints, and for a provider found
 * by discovery from what its document lists.
 */
export function flowSupportFor(
  settings: Pick<Settings, 'authority' | 'entraOrigin' | 'tenant'> &
    Partial<Pick<Settings, 'issuer' | 'manualEndpoints'>>,
  sandboxOrigin: string,
): FlowSupport[] {
  const endpoints = endpointsFor(settings, sandboxOrigin);
  const metadata = settings.authority === 'issuer' ? settings.issuer?.supportMetadata : undefined;
  const entraShaped = settings.authority === 'entra' || settings.authority === 'sandbox';
  const features = featureMetadataFor(settings, sandboxOrigin);
  return assessFlowSupport(endpoints, metadata, {
    ...(entraShaped ? { entraTenant: tenantFor(settings) } : {}),
    ...(features === undefined ? {} : { features }),
  });
}

/**
 * The feature fields of the authority in the settings: a discovered issuer's own document; for Entra and
 * the Entra-shaped sandbox, what Entra publishes, with the authority's userinfo and logout URLs; nothing
 * for endpoints typed by hand.
 */
export function featureMetadataFor(
  settings: Pick<Settings, 'authority' | 'entraOrigin' | 'tenant'> & Partial<Pick<Settings, 'issuer'>>,
  sandboxOrigin: string,
): FeatureMetadata | undefined {
  if (settings.authority === 'issuer') return settings.issuer?.featureMetadata;
  if (settings.authority === 'manual') return undefined;
  const origin = settings.authority === 'sandbox' ? sandboxOrigin : settings.entraOrigin;
  const tenant = encodeURIComponent(tenantFor(settings).trim());
  return entraFeatureMetadata({
    // The sandbox mirrors Graph's OIDC userinfo on its own origin; Entra's is Graph's.
    userinfo:
      settings.authority === 'sandbox'
        ? `${sandboxOrigin}/oidc/userinfo`
        : 'https://graph.microsoft.com/oidc/userinfo',
    endSession: `${origin.replace(/\/+$/, '')}/${tenant}/oauth2/v2.0/logout`,
  });
}

/** The verdict on one feature for the authority in the settings (see `assessFeature`). */
export function featureVerdictFor(
  feature: ProviderFeature,
  settings: Pick<Settings, 'authority' | 'entraOrigin' | 'tenant'> & Partial<Pick<Settings, 'issuer'>>,
  sandboxOrigin: string,
): FeatureVerdict {
  return assessFeature(feature, featureMetadataFor(settings, sandboxOrigin));
}

/** What a page needs to decide whether to offer a feature, and what to say when it does not. */
export interface ProviderFeatures {
  /** Entra ID or the Entra-shaped sandbox tenant: refusals add what Entra offers instead. */
  readonly entraShaped: boolean;
  readonly metadata: FeatureMetadata | undefined;
  verdict(feature: ProviderFeature): FeatureVerdict;
  /** The verdict's reason, plus Entra's own words when the authority is Entra-shaped and lacks it. */
  explain(feature: ProviderFeature): string;
  authMethods(endpoint?: AuthenticatedEndpoint): ClientAuthMethod[];
}

/** The current authority's features (see `src/protocol/provider-features.ts`). */
export function useProviderFeatures(): ProviderFeatures {
  const sandboxOrigin = useLabConfig((s) => s.sandboxOrigin);
  const authority = useSettings((s) => s.authority);
  const entraOrigin = useSettings((s) => s.entraOrigin);
  const tenant = useSettings((s) => s.tenant);
  const issuer = useSettings((s) => s.issuer);
  return useMemo(() => {
    const metadata = featureMetadataFor({ authority, entraOrigin, tenant, issuer }, sandboxOrigin);
    const entraShaped = authority === 'entra' || authority === 'sandbox';
    const verdict = (feature: ProviderFeature) => assessFeature(feature, metadata);
    return {
      entraShaped,
      metadata,
      verdict,
      explain: (feature: ProviderFeature) => {
        const found = verdict(feature);
        const entra = entraShaped && found.status !== 'offered' ? ENTRA_LACKS[feature] : undefined;
        return entra === undefined ? found.reason : `${entra} ${found.reason}`;
      },
      authMethods: (endpoint?: AuthenticatedEndpoint) => clientAuthMethods(metadata, endpoint),
    };
  }, [authority, entraOrigin, tenant, issuer, sandboxOrigin]);
}
