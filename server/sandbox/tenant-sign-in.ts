/**
 * The HTTP side of the supported-account-types rules (tenant-audience.ts): at the authorization endpoint,
 * once the client and redirect URI are known good, and on the sign-in page of a sign-in that started on
 * `/consumers`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { buildAuthorizationErrorResponse, type ResponseMode } from './authorize-gate.ts';
import type { TenantSegment } from './directory.ts';
import { readBody, sendHtml, sendRedirect } from './http-utils.ts';
import { escapeHtml, layout, signInPage } from './pages.ts';
import type { Interaction } from './interactions.ts';
import { INTERACTION_PREFIX } from './provider-config.ts';
import type { AppLookup } from './registrations.ts';
import { checkSignInAudience, TENANT_ALIAS_PARAM, workAccountOnConsumers } from './tenant-audience.ts';

/** The response mode an authorization request checked by the gate will be answered in. */
function responseModeOf(params: URLSearchParams): ResponseMode {
  const asked = params.get('response_mode');
  if (asked === 'fragment' || asked === 'form_post' || asked === 'query') return asked;
  // OAuth 2.0 Multiple Response Type Encoding Practices §5: fragment once a token is in the response.
  return (params.get('response_type') ?? '').split(' ').some((t) => t === 'token' || t === 'id_token')
    ? 'fragment'
    : 'query';
}

/** The Microsoft account service's page for an app not enabled for personal accounts (no AADSTS number). */
export function notEnabledForConsumersPage(clientId: string, message: string): string {
  return layout(
    'We’re unable to complete your request',
    `<h1>We’re unable to complete your request</h1>
<div class="error" role="alert"><p><strong>unauthorized_client:</strong> ${escapeHtml(message)}</p></div>
<p class="hint">/consumers is the sign-in for personal Microsoft accounts. The app ${escapeHtml(clientId)} supports work or school accounts only; use the tenant id or /organizations, or change its supported account types on the sandbox portal.</p>`,
  );
}

/**
 * Applies the app's supported account types to an authorization request the gate let through
 * (`params` as rewritten for oidc-provider). Returns true when it answered; otherwise it may add the
 * `/consumers` marker to `params` for the sign-in page.
 */
export function answerAudienceAtAuthorize(
  tenant: TenantSegment,
  params: URLSearchParams,
  findApp: AppLookup,
  res: ServerResponse,
): boolean {
  const app = findApp(params.get('client_id') ?? undefined);
  if (!app) return false;
  const verdict = checkSignInAudience(tenant, app);
  if (verdict.kind === 'consumers-client') {
    sendHtml(res, 400, notEnabledForConsumersPage(app.clientId, verdict.message));
    return true;
  }
  if (verdict.kind === 'entra') {
    // The redirect URI is registered (the gate checked it), so the error goes back to the app
    // (RFC 6749 §4.1.2.1), as Entra sends AADSTS50194 back as invalid_request.
    const response = buildAuthorizationErrorResponse({
      action: 'redirect',
      redirectUri: params.get('redirect_uri') ?? '',
      responseMode: responseModeOf(params),
      state: params.get('state') ?? undefined,
      error: verdict.error,
    });
    if ('location' in response) sendRedirect(res, response.location);
    else sendHtml(res, 200, response.html);
    return true;
  }
  if (tenant.kind === 'alias' && tenant.segment === 'consumers') params.set(TENANT_ALIAS_PARAM, 'consumers');
  return false;
}

/**
 * On the sign-in page of a sign-in that began on `/consumers`: the credentials posted are a sandbox work
 * account, which cannot sign in there (AADSTS50020 on the page; the password is not even checked, since
 * the account does not exist in the consumer tenant). Returns true when it answered.
 */
export async function refuseConsumersSignIn(
  interaction: Interaction | undefined,
  findApp: AppLookup,
  req: IncomingMessage,
  res: ServerResponse,
  pathname: string,
): Promise<boolean> {
  const [uid = '', step = ''] = pathname.slice(INTERACTION_PREFIX.length).split('/');
  if (req.method !== 'POST' || step !== 'login') return false;
  // No interaction: the interaction pages explain an expired sign-in.
  if (interaction?.uid !== uid || interaction.params[TENANT_ALIAS_PARAM] !== 'consumers') return false;
  const app = findApp(String(interaction.params['client_id'] ?? ''));
  if (!app) return false;
  const username = new URLSearchParams((await readBody(req)).toString('utf8')).get('username')?.trim() ?? '';
  sendHtml(
    res,
    200,
    signInPage({
      action: `${INTERACTION_PREFIX}${uid}/login`,
      clientName: app.displayName,
      username,
      error: workAccountOnConsumers(username, app),
    }),
  );
  return true;
}
