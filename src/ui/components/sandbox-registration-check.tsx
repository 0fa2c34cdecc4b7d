/**
 * Before sign-in in the sandbox: the app registration the request names, as the sandbox's portal has it
 * now, compared with the request. What the sandbox will refuse (AADSTS700016, 50011, 9002326) is said
 * here with the registration's current state, before the browser goes there.
 */
import {
  checkAgainstRegistration,
  type RegistrationFinding,
  type SandboxPlatform,
} from '../../protocol/sandbox-directory.ts';
import { useSandboxDirectory } from '../../state/sandbox-directory.ts';

const PLATFORM_NAMES: Readonly<Record<SandboxPlatform, string>> = {
  spa: 'Single-page application',
  web: 'Web',
  publicClient: 'Mobile and desktop',
};

function PortalLink({ portal, clientId }: { readonly portal: string; readonly clientId: string }) {
  return (
    <a href={`${portal}#app-${clientId}`} target="_blank" rel="noreferrer">
      sandbox portal
    </a>
  );
}

function Finding({ finding, portal }: { readonly finding: RegistrationFinding; readonly portal: string }) {
  if (finding.aadsts === 700016) {
    return (
      <section className="note" role="note" aria-label="AADSTS700016 ahead">
        <p>
          <strong>AADSTS700016 ahead: unknown application.</strong> The sandbox tenant has no app registration
          with client id <code>{finding.clientId}</code>. Pick one the <a href={portal}>sandbox portal</a>{' '}
          lists, or choose another authority in Settings.
        </p>
      </section>
    );
  }
  const { app } = finding;
  if (finding.aadsts === 9002326) {
    return (
      <section className="note" role="note" aria-label="AADSTS9002326 ahead">
        <p>
          <strong>AADSTS9002326 ahead: redeemed from the browser, but not an SPA.</strong> The sandbox’s
          registration <em>{app.displayName}</em> is on the {PLATFORM_NAMES[app.platform]} platform now; only
          a code issued to a Single-page application redirect URI may be redeemed cross-origin. Put it back on
          the SPA platform on the <PortalLink portal={portal} clientId={app.clientId} />, or turn PKCE off to
          redeem with a secret through the relay.
        </p>
      </section>
    );
  }
  return (
    <section className="note" aria-label="AADSTS50011 ahead" role="note">
      <p>
        <strong>AADSTS50011 ahead: redirect URI not registered.</strong> The sandbox’s registration{' '}
        <em>{app.displayName}</em> (<code>{app.clientId}</code>) lists{' '}
        {app.redirectUris.length === 0 ? 'no redirect URI at all' : 'only these redirect URIs'}, and this
        request sends <code>{finding.redirectUri}</code>.
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
        <PortalLink portal={portal} clientId={app.clientId} /> (Single-page application platform), or send one
        it lists.
      </p>
    </section>
  );
}

export function SandboxRegistrationCheck(request: {
  readonly clientId: string;
  readonly redirectUri: string;
  /** The code will be redeemed with an Origin header (from the browser, or by the relay for an SPA). */
  readonly sendsOrigin: boolean;
}) {
  const directory = useSandboxDirectory((s) => s.directory);
  const findings = checkAgainstRegistration(directory, request);
  if (directory === undefined || findings.length === 0) return null;
  return (
    <>
      {findings.map((finding) => (
        <Finding key={finding.aadsts} finding={finding} portal={directory.portal} />
      ))}
    </>
  );
}
