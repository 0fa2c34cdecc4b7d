/**
 * Server-rendered HTML for the standards issuer: sign-in, consent, logout and error pages. No
 * JavaScript (the sandbox's CSP allows none of ours); every interpolated value goes through `escapeHtml`.
 */
import type { KoaContextWithOIDC } from 'oidc-provider';
import { escapeHtml } from '../pages.ts';

const STYLE = `
*{box-sizing:border-box}
body{margin:0;font-family:system-ui,-apple-system,"Segoe UI",sans-serif;background:#f4f4f6;color:#1b1b1b;line-height:1.45}
main{max-width:32rem;margin:2rem auto;background:#fff;padding:2rem 2.5rem;box-shadow:0 2px 6px rgba(0,0,0,.2)}
main.wide{max-width:64rem}
.banner{background:#e8f0fe;color:#0b2a5b;border:1px solid #2f5fb3;padding:.5rem .75rem;margin:0 0 1.25rem;font-weight:600}
h1{font-size:1.5rem;margin:0 0 1rem}
h2{font-size:1.2rem;margin:1.75rem 0 .5rem}
label{display:block;font-weight:600;margin:1rem 0 .25rem}
.hint{color:#474747;font-size:.9rem;margin:.25rem 0}
input[type=text],input[type=email],input[type=password],input[type=number]{width:100%;font:inherit;padding:.5rem;border:1px solid #5e5e5e;border-radius:2px}
button{font:inherit;padding:.5rem 1.5rem;margin:1.25rem .5rem 0 0;border:1px solid #2f5fb3;border-radius:2px;cursor:pointer}
button.primary{background:#2f5fb3;color:#fff}
button.secondary{background:#fff;color:#2f5fb3}
:focus-visible{outline:3px solid #1b1b1b;outline-offset:2px}
.error{color:#a80000;border-left:4px solid #a80000;padding:.25rem .75rem;margin:1rem 0}
code{background:#f2f2f2;padding:0 .2rem;word-break:break-all}
td code{word-break:normal;overflow-wrap:anywhere}
td.nowrap code{white-space:nowrap;overflow-wrap:normal}
table{border-collapse:collapse;width:100%;margin:.5rem 0}
th,td{border:1px solid #8a8a8a;padding:.35rem .5rem;text-align:left;vertical-align:top}
th{background:#ececec}
a{color:#1d4f9c}
ul{padding-left:1.25rem}
`;

/** Wraps page content in the standards issuer's document: `lang`, title, viewport, banner. */
export function standardLayout(
  title: string,
  body: string,
  options: { readonly wide?: boolean } = {},
): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · Standards sandbox</title>
<style>${STYLE}</style>
</head>
<body>
<main${options.wide ? ' class="wide"' : ''}>
<p class="banner">Standards sandbox — a local, standards-only OpenID provider for learning. Not a real sign-in.</p>
${body}
</main>
</body>
</html>`;
}

function errorBlock(message: string | undefined): string {
  return message ? `<div class="error" role="alert"><p>${escapeHtml(message)}</p></div>` : '';
}

/** The username + password page. */
export function standardSignInPage(input: {
  readonly action: string;
  readonly clientName: string;
  readonly username: string;
  readonly error?: string | undefined;
}): string {
  return standardLayout(
    'Sign in',
    `<h1>Sign in</h1>
<p>to continue to <strong>${escapeHtml(input.clientName)}</strong></p>
${errorBlock(input.error)}
<form method="post" action="${escapeHtml(input.action)}">
<label for="username">Username</label>
<p class="hint" id="username-hint">A sandbox user's name, e.g. adele@flowlab-sandbox.onmicrosoft.com (listed on the standards portal).</p>
<input id="username" name="username" type="email" autocomplete="username" required aria-describedby="username-hint" value="${escapeHtml(input.username)}"${input.username ? '' : ' autofocus'}>
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required${input.username ? ' autofocus' : ''}>
<button type="submit" class="primary">Sign in</button>
</form>`,
  );
}

/** The consent page: the client, the signed-in user, the scopes and resources asked for. */
export function standardConsentPage(input: {
  readonly action: string;
  readonly clientName: string;
  readonly username: string;
  readonly scopes: readonly string[];
}): string {
  const items = input.scopes.map((s) => `<li><code>${escapeHtml(s)}</code></li>`).join('\n');
  return standardLayout(
    'Allow access',
    `<h1>Allow access?</h1>
<p><strong>${escapeHtml(input.clientName)}</strong> asks for access as <strong>${escapeHtml(input.username)}</strong> to:</p>
<ul>${items}</ul>
<p class="hint">Deny sends <code>error=access_denied</code> back to the client (RFC 6749 §4.1.2.1).</p>
<form method="post" action="${escapeHtml(input.action)}">
<button type="submit" name="action" value="accept" class="primary">Allow</button>
<button type="submit" name="action" value="deny" class="secondary">Deny</button>
</form>`,
  );
}

/** An error page for requests that cannot go back to the client. */
export function standardErrorPage(title: string, message: string, detail?: string): string {
  return standardLayout(
    title,
    `<h1>${escapeHtml(title)}</h1>
${errorBlock(message)}
${detail ? `<p class="hint">${escapeHtml(detail)}</p>` : ''}`,
  );
}

/**
 * oidc-provider's `rpInitiatedLogout.logoutSource`: a confirmation with two real buttons that submit the
 * library's form (it carries the xsrf token), so the page works with a keyboard and without script.
 */
export async function logoutSource(ctx: KoaContextWithOIDC, form: string): Promise<void> {
  const clientName = ctx.oidc.client?.clientName ?? ctx.oidc.client?.clientId;
  ctx.type = 'html';
  ctx.body = standardLayout(
    'Sign out',
    `<h1>Sign out?</h1>
<p>${clientName ? `<strong>${escapeHtml(clientName)}</strong> asks to end your session at the standards sandbox.` : 'End your session at the standards sandbox?'}</p>
${form}
<button type="submit" form="op.logoutForm" name="logout" value="yes" class="primary">Yes, sign me out</button>
<button type="submit" form="op.logoutForm" class="secondary">No, stay signed in</button>`,
  );
}

/** oidc-provider's `rpInitiatedLogout.postLogoutSuccessSource` (no post_logout_redirect_uri given). */
export async function postLogoutSuccessSource(ctx: KoaContextWithOIDC): Promise<void> {
  ctx.type = 'html';
  ctx.body = standardLayout(
    'Signed out',
    `<h1>Signed out</h1>
<p>Your session at the standards sandbox has ended. You can close this page.</p>`,
  );
}

/** oidc-provider's `renderError`: errors that cannot be returned to the client, as a page. */
export async function renderStandardError(
  ctx: KoaContextWithOIDC,
  out: { readonly error?: string | undefined; readonly error_description?: string | undefined },
  _error: Error,
): Promise<void> {
  ctx.type = 'html';
  ctx.body = standardErrorPage(
    'The request could not be completed',
    `${out.error ?? 'server_error'}: ${out.error_description ?? 'unexpected error'}`,
    'The standards sandbox shows this page instead of redirecting because the request could not be returned to the client safely (for example an unknown client or a redirect URI that is not registered).',
  );
}

function attribute(form: string, pattern: RegExp): string {
  return pattern.exec(form)?.[1] ?? '';
}

/** RFC 8628 §3.3: the page where the user types the code shown on the device. */
export async function standardUserCodeInputSource(
  ctx: KoaContextWithOIDC,
  form: string,
  _out?: unknown,
  err?: Error,
): Promise<void> {
  const action = attribute(form, /action="([^"]+)"/);
  const xsrf = attribute(form, /name="xsrf" value="([^"]+)"/);
  ctx.type = 'html';
  ctx.body = standardLayout(
    'Enter code',
    `<h1>Enter code</h1>
<p>Enter the code shown on your device.</p>
${err ? errorBlock("That code didn't work: it is wrong, expired or already used. Check it, or get a new one on the device.") : ''}
<form method="post" action="${escapeHtml(action)}">
<input type="hidden" name="xsrf" value="${escapeHtml(xsrf)}">
<input type="hidden" name="confirm" value="yes">
<label for="user_code">Code</label>
<input id="user_code" name="user_code" type="text" autocomplete="off" autocapitalize="characters" spellcheck="false" required autofocus>
<button type="submit" class="primary">Next</button>
</form>`,
  );
}

/** oidc-provider's confirmation step (the code page above confirms directly). */
export async function standardUserCodeConfirmSource(
  ctx: KoaContextWithOIDC,
  form: string,
  client: { readonly clientId: string; readonly clientName?: string | undefined },
  _deviceInfo: unknown,
  userCode: string,
): Promise<void> {
  ctx.type = 'html';
  ctx.body = standardLayout(
    'Confirm sign-in',
    `<h1>Sign in to ${escapeHtml(client.clientName ?? client.clientId)}?</h1>
<p>Only continue if you started the sign-in on your device with the code <code>${escapeHtml(userCode)}</code>.</p>
${form}
<button type="submit" form="op.deviceConfirmForm" class="primary">Continue</button>`,
  );
}

/** The device flow's last page: the device gets its tokens on its next poll. */
export async function standardDeviceSuccessSource(ctx: KoaContextWithOIDC): Promise<void> {
  ctx.type = 'html';
  ctx.body = standardLayout(
    'Signed in',
    `<h1>You're signed in</h1>
<p>Return to your device to continue; you may close this window.</p>`,
  );
}
