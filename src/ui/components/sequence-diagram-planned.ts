/**
 * Every planned sequence diagram a flow page can show before any step has sent anything: each flow
 * with each combination of variant tags its route can pass (PKCE or not, a secret or not, how the
 * answer comes back, …), and each attack page's two (defence off, defence on). The build-time renderer
 * draws these; the store's test checks none is missing.
 * Not imported by the app: it would pull every flow into one chunk.
 */
import { buildSequenceDiagram } from '../../flows/diagram.ts';
import { plannedDiagram } from '../../flows/live-diagram.ts';
import { authCodeVariants, authorizationCodeFlow } from '../../flows/authorization-code.ts';
import { callApiFlow, callApiVariant } from '../../flows/call-api.ts';
import { CLIENT_CREDENTIALS_VARIANTS, clientCredentialsFlow } from '../../flows/client-credentials.ts';
import { deviceCodeFlow } from '../../flows/device-code.ts';
import { IMPLICIT_RESPONSE_TYPES, implicitFlow, implicitVariants } from '../../flows/implicit.ts';
import { onBehalfOfFlow, oboVariant, type AssertionSource } from '../../flows/on-behalf-of.ts';
import { passwordFlow } from '../../flows/password.ts';
import { refreshTokenFlow } from '../../flows/refresh-token.ts';
import { dpopFlow } from '../../flows/dpop.ts';
import { dynamicRegistrationFlow } from '../../flows/dynamic-registration.ts';
import { tokenExchangeFlow } from '../../flows/token-exchange.ts';
import { tokenManagementFlow } from '../../flows/token-management.ts';
import type { DiagramSpec } from '../../flows/types.ts';
import { ATTACK_DEFINITIONS } from '../../flows/attacks/definitions.ts';
import { ATTACK_MODES } from '../../flows/attacks/types.ts';
import { diagramKey, drawableText } from './sequence-diagram-config.ts';

export interface PlannedDiagram {
  readonly flowId: string;
  readonly variants: readonly string[];
  /** The text the page gives mermaid. */
  readonly text: string;
  readonly key: string;
}

/** The id under which an attack's diagrams are listed (attacks share no ids with flows this way). */
export function attackDiagramId(attackId: string): string {
  return `attacks/${attackId}`;
}

const APP_ORIGIN = 'http://localhost';
const OWN_CALLBACK = `${APP_ORIGIN}/callback`;

/** The variant tags each route can pass before a step ran, from the routes' own variant functions. */
function variantSets(): { flowId: string; diagram: DiagramSpec; variants: string[][] }[] {
  const authCode: string[][] = [];
  for (const usePkce of [true, false])
    for (const clientSecret of ['', 'secret'])
      for (const [redirect, mode] of [
        [OWN_CALLBACK, 'query'],
        [OWN_CALLBACK, 'fragment'],
        [OWN_CALLBACK, 'form_post'],
        ['https://elsewhere.example/cb', 'query'],
      ] as const)
        authCode.push(
          authCodeVariants(
            { usePkce, clientSecret, params: { redirect_uri: redirect, response_mode: mode } },
            APP_ORIGIN,
          ),
        );
  // Beyond RFC 6749 (a generic issuer): PAR, JAR and the JARM modes, for a public and a confidential client.
  for (const clientSecret of ['', 'secret'])
    for (const [usePar, jar] of [
      [true, false],
      [false, true],
      [true, true],
      [false, false],
    ] as const)
      for (const mode of ['query', 'jwt', 'form_post.jwt'])
        if (usePar || jar || mode !== 'query')
          authCode.push(
            authCodeVariants(
              {
                usePkce: true,
                clientSecret,
                usePar,
                ...(jar ? { jarAlg: 'HS256' as const } : {}),
                params: { redirect_uri: OWN_CALLBACK, response_mode: mode },
              },
              APP_ORIGIN,
            ),
          );
  const implicit = IMPLICIT_RESPONSE_TYPES.flatMap((type) =>
    ['fragment', 'form_post'].map((mode) =>
      implicitVariants({ params: { response_type: type, response_mode: mode } }),
    ),
  );
  const sources: AssertionSource[] = ['sign-in', 'earlier-run', 'pasted'];
  const apiUrls = [
    'https://graph.microsoft.com/v1.0/me',
    'https://graph.microsoft.com/v1.0/users',
    'https://api.example/x',
  ];
  return [
    { flowId: 'authorization-code', diagram: authorizationCodeFlow.diagram, variants: authCode },
    {
      flowId: 'client-credentials',
      diagram: clientCredentialsFlow.diagram,
      variants: CLIENT_CREDENTIALS_VARIANTS.map((k) => [k]),
    },
    { flowId: 'call-api', diagram: callApiFlow.diagram, variants: apiUrls.map((u) => [callApiVariant(u)]) },
    { flowId: 'device-code', diagram: deviceCodeFlow.diagram, variants: [[]] },
    { flowId: 'password', diagram: passwordFlow.diagram, variants: [[]] },
    { flowId: 'implicit', diagram: implicitFlow.diagram, variants: implicit },
    { flowId: 'refresh-token', diagram: refreshTokenFlow.diagram, variants: [[]] },
    {
      flowId: 'on-behalf-of',
      diagram: onBehalfOfFlow.diagram,
      variants: sources.map((assertionSource) => [oboVariant({ assertionSource })]),
    },
    // The feature routes draw one planned diagram each (their pages pass no variant).
    { flowId: 'dpop', diagram: dpopFlow.diagram, variants: [[]] },
    { flowId: 'token-exchange', diagram: tokenExchangeFlow.diagram, variants: [[]] },
    { flowId: 'token-management', diagram: tokenManagementFlow.diagram, variants: [[]] },
    { flowId: 'dynamic-registration', diagram: dynamicRegistrationFlow.diagram, variants: [[]] },
    // Each attack page draws its planned diagram for one run at a time: the defence off, or on.
    ...ATTACK_DEFINITIONS.map((attack) => ({
      flowId: attackDiagramId(attack.id),
      diagram: attack.diagram,
      variants: ATTACK_MODES.map((mode) => [mode]),
    })),
  ];
}

/** Each distinct planned diagram once (variant sets that draw the same text share it), in flow order. */
export function plannedDiagrams(): PlannedDiagram[] {
  const seen = new Set<string>();
  const out: PlannedDiagram[] = [];
  for (const { flowId, diagram, variants } of variantSets()) {
    for (const tags of variants) {
      const text = drawableText(buildSequenceDiagram(plannedDiagram(diagram, tags)));
      const key = diagramKey(text);
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ flowId, variants: tags, text, key });
    }
  }
  return out;
}
