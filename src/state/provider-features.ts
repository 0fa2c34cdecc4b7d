/**
 * The current authority's features, for the pages: the metadata subset, a verdict per feature, and the
 * client authentication methods it takes. Recomputed only when the authority changes.
 */
import { useMemo } from 'react';
import {
  assessFeature,
  clientAuthMethods,
  ENTRA_LACKS,
  type AuthenticatedEndpoint,
  type ClientAuthMethod,
  type FeatureMetadata,
  type FeatureVerdict,
  type ProviderFeature,
} from '../protocol/provider-features.ts';
import { useLabConfig } from './lab-config.ts';
import { featureMetadataFor, useSettings } from './settings.ts';

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
