/**
 * The standards issuer's sign-in and consent steps at `/standard/interaction/{uid}`, finished through
 * oidc-provider's interaction API. Users are the sandbox directory's (SANDBOX_USERS), signing in with
 * their user principal name and password; no second factor here.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type Provider from 'oidc-provider';
import { findUserById, findUserByName } from '../directory.ts';
import { readBody, sendHtml, sendRedirect } from '../http-utils.ts';
import { standardConsentPage, standardErrorPage, standardSignInPage } from './pages.ts';

/** Where the sign-in and consent pages live (below the issuer's path). */
export const STANDARD_INTERACTION_PREFIX = '/standard/interaction/';

type Interaction = Awaited<ReturnType<Provider['interactionDetails']>>;

/** Handles one request below {@link STANDARD_INTERACTION_PREFIX}. */
export async function handleStandardInteraction(
  provider: Provider,
  req: IncomingMessage,
  res: ServerResponse,
  pathname: string,
): Promise<void> {
  let interaction: Interaction | undefined;
  try {
    interaction = await provider.interactionDetails(req, res);
  } catch {
    interaction = undefined;
  }
  const [uid = '', step = ''] = pathname.slice(STANDARD_INTERACTION_PREFIX.length).split('/');
  if (!interaction || interaction.uid !== uid) {
    sendHtml(
      res,
      400,
      standardErrorPage(
        'Sign-in expired',
        'This sign-in has expired or its cookie is missing.',
        'Start again from the client application.',
      ),
    );
    return;
  }
  const base = `${STANDARD_INTERACTION_PREFIX}${uid}`;
  const form =
    req.method === 'POST' ? new URLSearchParams((await readBody(req)).toString('utf8')) : undefined;
  const clientName = await clientNameOf(provider, interaction);

  if (interaction.prompt.name === 'login') {
    if (form && step === 'login') {
      const username = form.get('username') ?? '';
      const user = findUserByName(username);
      if (!user || (form.get('password') ?? '') !== user.password) {
        sendHtml(
          res,
          200,
          standardSignInPage({
            action: `${base}/login`,
            clientName,
            username,
            error:
              'Wrong username or password. The sandbox users and their passwords are on the standards portal.',
          }),
        );
        return;
      }
      await provider.interactionFinished(
        req,
        res,
        { login: { accountId: user.oid, amr: ['pwd'] } },
        { mergeWithLastSubmission: false },
      );
      return;
    }
    const hint = interaction.params['login_hint'];
    sendHtml(
      res,
      200,
      standardSignInPage({
        action: `${base}/login`,
        clientName,
        username: typeof hint === 'string' ? hint : '',
      }),
    );
    return;
  }
  if (interaction.prompt.name === 'consent') {
    const details = interaction.prompt.details as {
      missingOIDCScope?: string[];
      missingOIDCClaims?: string[];
      missingResourceScopes?: Record<string, string[]>;
    };
    if (form && step === 'consent') {
      if (form.get('action') !== 'accept') {
        // RFC 6749 §4.1.2.1: the resource owner denied the request.
        await provider.interactionFinished(
          req,
          res,
          { error: 'access_denied', error_description: 'The user denied the request.' },
          { mergeWithLastSubmission: false },
        );
        return;
      }
      const accountId = interaction.session?.accountId ?? '';
      const clientId = String(interaction.params['client_id'] ?? '');
      const grant =
        (interaction.grantId ? await provider.Grant.find(interaction.grantId) : undefined) ??
        new provider.Grant({ accountId, clientId });
      if (details.missingOIDCScope) grant.addOIDCScope(details.missingOIDCScope.join(' '));
      if (details.missingOIDCClaims) grant.addOIDCClaims(details.missingOIDCClaims);
      for (const [resource, scopes] of Object.entries(details.missingResourceScopes ?? {})) {
        grant.addResourceScope(resource, scopes.join(' '));
      }
      const grantId = await grant.save();
      await provider.interactionFinished(
        req,
        res,
        { consent: { grantId } },
        { mergeWithLastSubmission: true },
      );
      return;
    }
    const user = findUserById(interaction.session?.accountId ?? '');
    sendHtml(
      res,
      200,
      standardConsentPage({
        action: `${base}/consent`,
        clientName,
        username: user?.userPrincipalName ?? '',
        scopes: [
          ...(details.missingOIDCScope ?? []),
          ...Object.entries(details.missingResourceScopes ?? {}).flatMap(([resource, scopes]) =>
            scopes.map((s) => `${s} (${resource})`),
          ),
        ],
      }),
    );
    return;
  }
  sendRedirect(res, interaction.returnTo, 303);
}

async function clientNameOf(provider: Provider, interaction: Interaction): Promise<string> {
  const clientId = String(interaction.params['client_id'] ?? '');
  const client = await provider.Client.find(clientId);
  return client?.clientName ?? clientId;
}
