/**
 * The device login pages (oidc-provider's `userCodeInputSource`, `userCodeConfirmSource` and
 * `successSource`), in the sandbox's own look: "Enter code" (label "Code", button "Next"), then the
 * usual sign-in and consent pages, then a page telling the person to return to the device.
 */
import type { KoaContextWithOIDC } from 'oidc-provider';
import { appDisplayName } from './directory.ts';
import { escapeHtml, layout } from './pages.ts';

function attribute(form: string, pattern: RegExp): string {
  return pattern.exec(form)?.[1] ?? '';
}

function clientName(clientId: string | undefined): string {
  return appDisplayName(clientId) ?? clientId ?? 'the application';
}

/** The message for a re-rendered code page, by oidc-provider's error name. */
function codeError(err: (Error & { userCode?: string }) | undefined): string | undefined {
  if (!err) return undefined;
  switch (err.name) {
    case 'NotFoundError':
    case 'NoCodeError':
      return "That code didn't work. Check the code and try again.";
    case 'ExpiredError':
      return 'That code has expired. Go back to your app or device and get a new code.';
    case 'AlreadyUsedError':
      return 'That code has already been used. Go back to your app or device and get a new code.';
    case 'AbortedError':
      return 'You declined to sign in to the application on your device. You can close this window.';
    default:
      return 'Something went wrong while checking the code. Try again.';
  }
}

/** The "Enter code" page. `confirm=yes` skips oidc-provider's confirmation step: the consent page names the app. */
export async function userCodeInputSource(
  ctx: KoaContextWithOIDC,
  form: string,
  _out?: unknown,
  err?: Error,
): Promise<void> {
  const action = attribute(form, /action="([^"]+)"/);
  const xsrf = attribute(form, /name="xsrf" value="([^"]+)"/);
  const message = codeError(err as (Error & { userCode?: string }) | undefined);
  ctx.type = 'html';
  ctx.body = layout(
    'Enter code',
    `<h1>Enter code</h1>
<p>Enter the code displayed on your app or device.</p>
${message ? `<div class="error" role="alert"><p>${escapeHtml(message)}</p></div>` : ''}
<form method="post" action="${escapeHtml(action)}">
<input type="hidden" name="xsrf" value="${escapeHtml(xsrf)}">
<input type="hidden" name="confirm" value="yes">
<label for="user_code">Code</label>
<input id="user_code" name="user_code" type="text" autocomplete="off" autocapitalize="characters" spellcheck="false" required autofocus>
<button type="submit" class="primary">Next</button>
</form>`,
  );
}

/** oidc-provider's confirmation step (not reached from the sandbox's code page, which confirms directly). */
export async function userCodeConfirmSource(
  ctx: KoaContextWithOIDC,
  form: string,
  client: { readonly clientId: string },
  _deviceInfo: unknown,
  userCode: string,
): Promise<void> {
  ctx.type = 'html';
  ctx.body = layout(
    'Confirm sign-in',
    `<h1>Are you trying to sign in to ${escapeHtml(clientName(client.clientId))}?</h1>
<p>Only continue if you started the sign-in on your device with the code <code>${escapeHtml(userCode)}</code>.</p>
${form}
<button type="submit" form="op.deviceConfirmForm" class="primary">Continue</button>`,
  );
}

/** The final page: the device may continue (it will receive its tokens on its next poll). */
export async function successSource(ctx: KoaContextWithOIDC): Promise<void> {
  ctx.type = 'html';
  ctx.body = layout(
    'Signed in',
    `<h1>You're signed in</h1>
<p>You have signed in to the <strong>${escapeHtml(clientName(ctx.oidc.client?.clientId))}</strong> application on your device. Return to your device to continue; you may now close this window.</p>`,
  );
}
