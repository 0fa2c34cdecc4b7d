/**
 * Before sign-in in the sandbox: the app registration the request names, as the sandbox's portal has it
 * now, compared with the request. A redirect URI it does not list is AADSTS50011 waiting to happen, and
 * is said here with the registration's current URIs, before the browser goes there.
 */
import { findSandboxApp, isRedirectUriRegistered } from '../../protocol/sandbox-directory.ts';
import { useSandboxDirectory } from '../../state/sandbox-directory.ts';

export function SandboxRegistrationCheck({
  clientId,
  redirectUri,
}: {
  readonly clientId: string;
  readonly redirectUri: string;
}) {
  const directory = useSandboxDirectory((s) => s.directory);
  const app = findSandboxApp(directory, clientId);
  if (directory === undefined || app === undefined || redirectUri === '') return null;
  if (isRedirectUriRegistered(app.redirectUris, redirectUri)) return null;
  const portal = `${directory.portal}#app-${app.clientId}`;
  return (
    <section className="note" aria-label="AADSTS50011 ahead" role="note">
      <p>
        <strong>AADSTS50011 ahead: redirect URI not registered.</strong> The sandbox’s registration{' '}
        <em>{app.displayName}</em> (<code>{app.clientId}</code>) lists{' '}
        {app.redirectUris.length === 0 ? 'no redirect URI at all' : 'only these redirect URIs'}, and this
        request sends <code>{redirectUri}</code>.
      </p>
      {app.redirectUris.length > 0 && (
        <ul aria-label={`Redirect URIs registered on ${app.displayName}`}>
          {app.redirectUris.map((uri) => (
            <li key={uri}>
              <code>{uri}</code>
            </li>
          ))}
        </ul>
      )}
      <p>
        Entra compares the two exactly (only a localhost port may differ) and, on a mismatch, shows its error
        on its own page without redirecting back. Add this URI to the registration on the{' '}
        <a href={portal} target="_blank" rel="noreferrer">
          sandbox portal
        </a>{' '}
        (Single-page application platform), or send one it lists.
      </p>
    </section>
  );
}
