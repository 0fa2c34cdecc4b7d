/**
 * Server-rendered HTML for the sandbox's sign-in, verification, consent and error pages. No JavaScript;
 * every interpolated value goes through `escapeHtml`.
 */
import type { KoaContextWithOIDC } from 'oidc-provider';
import { buildEntraErrorBody, type EntraError } from './entra-errors.ts';
import { mapProviderError } from './error-mapping.ts';
import { FORM_POST_SCRIPT } from './http-utils.ts';
import { SANDBOX_TENANT } from './seed.ts';

/** Escapes text for HTML element content and double-quoted attribute values. */
export function escapeHtml(value: string): string {
  return value
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

const STYLE = `
*{box-sizing:border-box}
body{margin:0;font-family:"Segoe UI",system-ui,-apple-system,sans-serif;background:#f2f2f2;color:#1b1b1b;line-height:1.45}
main{max-width:30rem;margin:2rem auto;background:#fff;padding:2rem 2.5rem;box-shadow:0 2px 6px rgba(0,0,0,.2)}
main.wide{max-width:64rem}
.banner{background:#fff4ce;color:#3b2e00;border:1px solid #8a6d00;padding:.5rem .75rem;margin:0 0 1.25rem;font-weight:600}
h1{font-size:1.5rem;margin:0 0 1rem}
h2{font-size:1.2rem;margin:1.75rem 0 .5rem}
label{display:block;font-weight:600;margin:1rem 0 .25rem}
.hint{color:#474747;font-size:.9rem;margin:.25rem 0}
input[type=text],input[type=email],input[type=password],input[type=number],input[type=url],textarea{width:100%;font:inherit;padding:.5rem;border:1px solid #5e5e5e;border-radius:2px}
button{font:inherit;padding:.5rem 1.5rem;margin:1.25rem .5rem 0 0;border:1px solid #0067b8;border-radius:2px;cursor:pointer}
button.primary{background:#0067b8;color:#fff}
button.secondary{background:#fff;color:#0067b8}
:focus-visible{outline:3px solid #1b1b1b;outline-offset:2px}
.error{color:#a80000;border-left:4px solid #a80000;padding:.25rem .75rem;margin:1rem 0}
.error pre{white-space:pre-wrap;word-break:break-word;font-size:.85rem;color:#1b1b1b}
code{background:#f2f2f2;padding:0 .2rem;word-break:break-all}
table{border-collapse:collapse;width:100%;margin:.5rem 0}
th,td{border:1px solid #8a8a8a;padding:.35rem .5rem;text-align:left;vertical-align:top}
th{background:#ececec}
a{color:#005a9e}
ul{padding-left:1.25rem}
h3{font-size:1.1rem;margin:2rem 0 .5rem;padding-top:1rem;border-top:2px solid #8a8a8a}
h4{font-size:1rem;margin:1.25rem 0 .25rem}
fieldset{border:1px solid #8a8a8a;margin:1rem 0 0;padding:.5rem 1rem}
legend{font-weight:600;padding:0 .25rem}
label.inline{display:inline;font-weight:400;margin:0}
td button,td form{margin:0}
.notice{border-left:4px solid #107c10;background:#f1faf1;padding:.25rem .75rem;margin:1rem 0}
`;

/** Wraps page content in the shared document: `lang`, title, viewport, the "Sandbox tenant" banner. */
export function layout(title: string, body: string, options: { readonly wide?: boolean } = {}): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · Sandbox tenant</title>
<style>${STYLE}</style>
</head>
<body>
<main${options.wide ? ' class="wide"' : ''}>
<p class="banner">Sandbox tenant · ${escapeHtml(SANDBOX_TENANT.displayName)} — a local imitation of Microsoft Entra ID, not a real sign-in.</p>
${body}
</main>
</body>
</html>`;
}

function errorBlock(err: EntraError | undefined): string {
  if (!err) return '';
  const body = buildEntraErrorBody(err);
  return `<div class="error" role="alert"><p><strong>AADSTS${err.code}:</strong> ${escapeHtml(err.message)}</p><pre>${escapeHtml(
    body.error_description.split('\r\n').slice(1).join('\n'),
  )}</pre></div>`;
}

/** The username + password page (Entra's first sign-in screen). */
export function signInPage(input: {
  readonly action: string;
  readonly clientName: string;
  readonly username: string;
  readonly error?: EntraError | undefined;
}): string {
  return layout(
    'Sign in',
    `<h1>Sign in</h1>
<p>to continue to <strong>${escapeHtml(input.clientName)}</strong></p>
${errorBlock(input.error)}
<form method="post" action="${escapeHtml(input.action)}">
<label for="username">Username</label>
<p class="hint" id="username-hint">Email, phone, or Skype — e.g. a user listed on the sandbox portal.</p>
<input id="username" name="username" type="email" autocomplete="username" required aria-describedby="username-hint" value="${escapeHtml(input.username)}"${input.username ? '' : ' autofocus'}>
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required${input.username ? ' autofocus' : ''}>
<button type="submit" class="primary">Sign in</button>
</form>`,
  );
}

/** The second-factor page for users with MFA; the sandbox code is shown as a hint. */
export function mfaPage(input: {
  readonly action: string;
  readonly username: string;
  readonly code: string;
  readonly error?: EntraError | undefined;
}): string {
  return layout(
    'Enter code',
    `<h1>Enter code</h1>
<p>${escapeHtml(input.username)} must verify their identity with a one-time code.</p>
${errorBlock(input.error)}
<form method="post" action="${escapeHtml(input.action)}">
<label for="otc">Verification code</label>
<p class="hint" id="otc-hint">Sandbox hint: this user's code is always <code>${escapeHtml(input.code)}</code>.</p>
<input id="otc" name="otc" type="text" inputmode="numeric" autocomplete="one-time-code" required autofocus aria-describedby="otc-hint">
<button type="submit" class="primary">Verify</button>
</form>`,
  );
}

/** One requested permission as listed on the consent page. */
export interface ConsentItem {
  readonly api: string;
  readonly value: string;
  readonly description: string;
}

/** The consent page: the app, the signed-in user and each permission asked for. */
export function consentPage(input: {
  readonly action: string;
  readonly clientName: string;
  readonly username: string;
  readonly items: readonly ConsentItem[];
}): string {
  const items = input.items
    .map(
      (i) =>
        `<li><strong>${escapeHtml(i.description)}</strong> <span class="hint">(${escapeHtml(i.api)}: <code>${escapeHtml(i.value)}</code>)</span></li>`,
    )
    .join('\n');
  return layout(
    'Permissions requested',
    `<h1>Permissions requested</h1>
<p><strong>${escapeHtml(input.clientName)}</strong> wants to access resources as <strong>${escapeHtml(input.username)}</strong>.</p>
<h2>This app would like to:</h2>
<ul>${items}</ul>
<p class="hint">Accepting lets the app use these permissions for this sign-in session. Cancel returns <code>error=access_denied</code> (AADSTS65004) to the app.</p>
<form method="post" action="${escapeHtml(input.action)}">
<button type="submit" name="action" value="accept" class="primary">Accept</button>
<button type="submit" name="action" value="cancel" class="secondary">Cancel</button>
</form>`,
  );
}

/**
 * An authorization response in the form_post response mode (OAuth 2.0 Form Post Response Mode §2): a
 * form the browser posts to the redirect URI. A small script submits it (the sandbox's CSP allows it by
 * its hash); with scripts off the person presses Continue.
 */
export function formPostPage(action: string, fields: URLSearchParams): string {
  const inputs = [...fields]
    .map(([k, v]) => `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(v)}">`)
    .join('');
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Returning to the app</title></head><body><form method="post" action="${escapeHtml(action)}">${inputs}<p>Sandbox tenant: returning to the app.</p><button type="submit">Continue</button></form><script>${FORM_POST_SCRIPT}</script></body></html>`;
}

/** Entra's error page for requests that cannot be sent back to the app (e.g. AADSTS50011). */
export function errorPage(err: EntraError): string {
  return layout(
    'Sign in error',
    `<h1>Sorry, but we’re having trouble signing you in.</h1>
${errorBlock(err)}
<p class="hint">${
      err.code === 90094
        ? // Entra's "Need admin approval" page: the request is sound, but only an administrator may consent.
          'Only an administrator can approve this permission. Sign in again as an administrator (Isaiah in the sandbox) to consent for the organization, or go back to the app and ask without it.'
        : 'The sandbox shows this page instead of redirecting because the request could not be returned to the app safely.'
    }</p>`,
  );
}

/** oidc-provider's `renderError` hook: the same Entra error page for errors raised inside the library. */
export async function renderProviderError(
  ctx: KoaContextWithOIDC,
  _out: unknown,
  error: Error,
): Promise<void> {
  const err = mapProviderError(error, ctx);
  ctx.type = 'html';
  ctx.status = err.status >= 500 ? 500 : 400;
  ctx.body = errorPage(err);
}
