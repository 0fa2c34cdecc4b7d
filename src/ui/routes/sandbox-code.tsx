import { useEffect, useMemo, useState } from 'react';
import {
  buildSandboxCodeGuide,
  HTTPS_REQUIRED_NOTE,
  JAVASCRIPT_NOTE,
  LIBRARY_NAMES,
  parseSandboxCaFile,
  parseSandboxUsers,
  type CodeSnippet,
  type LibrarySection,
  type SandboxCodeUser,
} from '../../flows/sandbox-code.ts';
import { useLabConfig } from '../../state/lab-config.ts';
import { useSandboxDirectory } from '../../state/sandbox-directory.ts';
import { CopyButton } from '../components/copy-button.tsx';
import '../components/components.css';
import './sandbox-code.css';

/** How long the read of the sandbox's user list may take, in milliseconds. */
const USERS_TIMEOUT_MS = 5000;

/** What the page reads from the sandbox's `/directory.json` beyond the app directory. */
interface DirectoryExtras {
  readonly users: readonly SandboxCodeUser[] | undefined;
  /** The https sandbox's CA file, absolute (`tls.caFile`); undefined over http or before a read. */
  readonly caFile: string | undefined;
}

/**
 * The demo users and CA file from the sandbox's `/directory.json`, read again whenever the app's
 * directory changes (its ETag). Users stay `undefined` until a read succeeds (the snippets that need a
 * user say so); a failed read keeps the last values.
 */
function useDirectoryExtras(origin: string, etag: string | undefined): DirectoryExtras {
  const [extras, setExtras] = useState<DirectoryExtras>({ users: undefined, caFile: undefined });
  useEffect(() => {
    const controller = new AbortController();
    const timeout = setTimeout(() => controller.abort(), USERS_TIMEOUT_MS);
    fetch(`${origin}/directory.json`, { cache: 'no-store', signal: controller.signal })
      .then(async (response) => (response.ok ? ((await response.json()) as unknown) : undefined))
      .then((json) => {
        if (json === undefined) return;
        const list = parseSandboxUsers(json);
        if (list.length > 0) setExtras({ users: list, caFile: parseSandboxCaFile(json) });
      })
      .catch(() => {
        // Unreachable, too slow or not JSON: the last list read stays; before any, the snippets that
        // name a user say the list was not read.
      })
      .finally(() => clearTimeout(timeout));
    return () => {
      clearTimeout(timeout);
      controller.abort();
    };
  }, [origin, etag]);
  return extras;
}

function Snippet({ snippet, library }: { readonly snippet: CodeSnippet; readonly library: string }) {
  const codeId = `code-${snippet.id}`;
  return (
    // A div, not a section: the same grant appears under several libraries, and landmarks need unique names.
    <div className="sandbox-code__snippet" data-snippet={snippet.id}>
      <h3 id={`${codeId}-title`}>{snippet.grant}</h3>
      {snippet.notes.length > 0 && (
        <ul className="sandbox-code__notes">
          {snippet.notes.map((note) => (
            <li key={note}>{note}</li>
          ))}
        </ul>
      )}
      <pre className="lab-code" id={codeId} tabIndex={0} aria-label={`${library}: ${snippet.grant}`}>
        <code>{snippet.code}</code>
      </pre>
      <CopyButton text={snippet.code} targetId={codeId} label={`Copy ${library}: ${snippet.grant}`} />
    </div>
  );
}

function Section({ section }: { readonly section: LibrarySection }) {
  const headingId = `library-${section.library}`;
  return (
    <section className="sandbox-code__library" aria-labelledby={headingId}>
      <h2 id={headingId}>{section.title}</h2>
      {section.install !== undefined && (
        <p>
          Install: <code>{section.install}</code>
        </p>
      )}
      {section.needsHttps && (
        <p className="lab-message sandbox-code__https" role="note">
          <strong>Needs https.</strong> {HTTPS_REQUIRED_NOTE}
        </p>
      )}
      {section.beyondAuthority.length > 0 && (
        <>
          <h3 className="sandbox-code__subhead">Beyond “authority = the sandbox”</h3>
          <ul>
            {section.beyondAuthority.map((line) => (
              <li key={line}>{line}</li>
            ))}
          </ul>
        </>
      )}
      {section.snippets.map((snippet) => (
        <Snippet key={snippet.id} snippet={snippet} library={section.title} />
      ))}
      {section.missing.length > 0 && (
        <>
          <h3 className="sandbox-code__subhead">Not shown</h3>
          <ul className="sandbox-code__missing">
            {section.missing.map((m) => (
              <li key={m.grant}>
                <strong>{m.grant}:</strong> {m.reason}
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

/** "Use the sandbox from your code": each library's configuration, filled with the sandbox's live values. */
export default function SandboxCodePage() {
  const sandboxOrigin = useLabConfig((s) => s.sandboxOrigin);
  const status = useSandboxDirectory((s) => s.status);
  const directory = useSandboxDirectory((s) => s.directory);
  const etag = useSandboxDirectory((s) => s.etag);
  const problem = useSandboxDirectory((s) => s.problem);
  const { users, caFile } = useDirectoryExtras(sandboxOrigin, etag);
  const guide = useMemo(
    () => (directory === undefined ? undefined : buildSandboxCodeGuide(directory, users, caFile)),
    [directory, users, caFile],
  );
  const httpsCommands = guide === undefined ? '' : `${HTTPS_START}\n${guide.caExport}`;

  return (
    <section aria-labelledby="sandbox-code-title" className="sandbox-code">
      <h1 id="sandbox-code-title">Use the sandbox from your code</h1>
      <p className="lede">
        The sandbox tenant answers like Entra ID, so your own code can sign in against it offline, unchanged
        but for its configuration. Below, for each library, that configuration and the calls for every grant
        it supports, filled with this sandbox’s values as it runs now (a change on the portal shows here
        within seconds).
      </p>
      <p className="lab-message" role="note">
        Every secret and password on this page is sandbox-only test data, published on purpose. Never put a
        real secret in a sandbox, or a sandbox value in production.
      </p>
      {(status === 'unreachable' || status === 'invalid') && (
        <p className="lab-message sandbox-code__problem" role="alert">
          {problem ??
            `The sandbox at ${sandboxOrigin} could not be read. Start it with npm start, then reload this page.`}
          {directory !== undefined && ' The values below are the last ones read.'}
        </p>
      )}
      {guide === undefined ? (
        status !== 'unreachable' &&
        status !== 'invalid' && <p role="status">Reading the sandbox’s directory…</p>
      ) : (
        <>
          <h2>The sandbox’s values</h2>
          <dl className="sandbox-code__values">
            <dt>Authority (MSAL)</dt>
            <dd>
              <code data-value="authority">{guide.authority}</code>
            </dd>
            <dt>Issuer (OpenID Connect)</dt>
            <dd>
              <code data-value="issuer">{guide.issuer}</code>
            </dd>
            <dt>Tenant id</dt>
            <dd>
              <code data-value="tenant">{guide.tenantId}</code>
            </dd>
            <dt>Discovery</dt>
            <dd>
              <code>{`${guide.authority}/v2.0/.well-known/openid-configuration`}</code>
            </dd>
          </dl>
          <h2>Run the sandbox over https</h2>
          <p>
            MSAL (Node and browser) and Azure Identity refuse an authority on plain http. Start the sandbox
            with https: it makes a local certificate authority and a certificate for localhost on first start,
            keeps them beside its signing key, and prints the CA file’s path. Tell Node to trust that CA:
          </p>
          <pre className="lab-code" id="code-https" tabIndex={0} aria-label="Start with https">
            <code>{httpsCommands}</code>
          </pre>
          <CopyButton text={httpsCommands} targetId="code-https" label="Copy the https commands" />
          <p className="help">
            {guide.https
              ? 'The sandbox runs on https now: the snippets below use its https address.'
              : 'The sandbox runs on http now: after a start with https, this page shows the https address in every snippet.'}{' '}
            For MSAL.js in a browser, also import that CA as a trusted authority in the browser (steps in
            docs/sandbox-https.md).
          </p>
          <p className="help">{JAVASCRIPT_NOTE}</p>
          <nav aria-label="Libraries" className="sandbox-code__toc">
            <ul>
              {guide.sections.map((section) => (
                <li key={section.library}>
                  <a href={`#library-${section.library}`}>{section.title}</a>
                </li>
              ))}
            </ul>
          </nav>
          {guide.sections.map((section) => (
            <Section key={section.library} section={section} />
          ))}
          <details className="sandbox-code__names">
            <summary>Every option and call used above, with its documentation</summary>
            <table>
              <caption>Library names used in the snippets</caption>
              <thead>
                <tr>
                  <th scope="col">Library</th>
                  <th scope="col">Name</th>
                  <th scope="col">What it does here</th>
                </tr>
              </thead>
              <tbody>
                {LIBRARY_NAMES.map((n) => (
                  <tr key={`${n.library}:${n.name}`}>
                    <td>{n.library}</td>
                    <td>
                      <a href={n.docs}>
                        <code>{n.name}</code>
                      </a>
                    </td>
                    <td>{n.what}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </details>
        </>
      )}
    </section>
  );
}

/**
 * The https start, as server/sandbox/tls.ts prints it; the trust step (the guide's caExport) follows, in
 * the shell that runs your code.
 */
const HTTPS_START = `npm start -- --https
# or: SANDBOX_HTTPS=1 npm start   (the sandbox alone: npm run sandbox -- --https)
# In the shell that runs your code, trust the sandbox's CA:`;
