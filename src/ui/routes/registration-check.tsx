import { useId, useRef, useState, type FormEvent } from 'react';
import { FORMAT_NAMES, parseAppManifest, type ManifestReading } from '../../protocol/app-manifest.ts';
import {
  CHECKED_FLOWS,
  checkRegistration,
  parseScopeList,
  type CheckedFlow,
  type Finding,
  type Severity,
  type TenantChoice,
} from '../../protocol/registration-checker.ts';
import { explainFailure, isCatalogued } from '../explain-error.ts';
import './registration-check.css';

const FLOW_IDS = Object.keys(CHECKED_FLOWS) as CheckedFlow[];

const TENANTS: readonly { readonly value: TenantChoice; readonly label: string }[] = [
  { value: 'tenant', label: 'Your tenant (its id or domain)' },
  { value: 'common', label: 'common' },
  { value: 'organizations', label: 'organizations' },
  { value: 'consumers', label: 'consumers' },
];

const GROUPS: readonly { readonly severity: Severity; readonly heading: string }[] = [
  { severity: 'problem', heading: 'Problems' },
  { severity: 'warning', heading: 'Warnings' },
  { severity: 'pass', heading: 'Passed' },
];

/** The explainer's title for an AADSTS number, so a finding and a failed run use the same words. */
export function aadstsTitle(aadsts: number): string | undefined {
  if (!isCatalogued(aadsts)) return undefined;
  return explainFailure({
    code: 'TOKEN_ENDPOINT_ERROR',
    message: `AADSTS${aadsts}`,
    fields: { error: 'invalid_request', error_codes: [aadsts] },
  }).title;
}

interface Result {
  readonly reading: ManifestReading;
  readonly findings: readonly Finding[];
  readonly flow: CheckedFlow;
}

function FindingItem({ finding }: { readonly finding: Finding }) {
  const title = finding.aadsts === undefined ? undefined : aadstsTitle(finding.aadsts);
  return (
    <li
      className={`registration-check__finding registration-check__finding--${finding.severity}`}
      data-finding={finding.id}
    >
      <h4>
        <span className="registration-check__badge">
          {finding.severity === 'pass' ? 'Pass' : finding.severity === 'problem' ? 'Problem' : 'Warning'}
        </span>{' '}
        {finding.title}
      </h4>
      <p>{finding.detail}</p>
      {finding.aadsts !== undefined && finding.severity !== 'pass' && (
        <p>
          Entra answers <strong>AADSTS{finding.aadsts}</strong>
          {title === undefined ? '' : ` (${title})`}.
        </p>
      )}
      {finding.fix !== undefined && (
        <p>
          <strong>Fix:</strong> {finding.fix}
        </p>
      )}
      {finding.field !== undefined && finding.severity !== 'pass' && (
        <p className="help">
          Field: <code>{finding.field}</code>
        </p>
      )}
    </li>
  );
}

export default function RegistrationCheckPage() {
  const ids = {
    manifest: useId(),
    manifestHelp: useId(),
    file: useId(),
    flow: useId(),
    tenant: useId(),
    scopes: useId(),
    scopesHelp: useId(),
    redirect: useId(),
    redirectHelp: useId(),
    results: useId(),
  };
  const [text, setText] = useState('');
  const [flow, setFlow] = useState<CheckedFlow>('spa-code');
  const [tenant, setTenant] = useState<TenantChoice>('tenant');
  const [scopes, setScopes] = useState(CHECKED_FLOWS['spa-code'].defaultScopes);
  const [scopesEdited, setScopesEdited] = useState(false);
  const [redirectUri, setRedirectUri] = useState('');
  const [fileNote, setFileNote] = useState<string>();
  // A checklist belongs to the inputs it was made from: any change clears it until the next check.
  const [result, setResult] = useState<Result>();
  const resultsHeading = useRef<HTMLHeadingElement>(null);

  function check(event: FormEvent) {
    event.preventDefault();
    // Everything happens here, in the page: the manifest is never sent anywhere.
    const reading = parseAppManifest(text);
    const findings = reading.ok
      ? checkRegistration(reading.registration, {
          flow,
          tenant,
          scopes: parseScopeList(scopes),
          redirectUri,
          now: new Date(),
        })
      : [];
    setResult({ reading, findings, flow });
    requestAnimationFrame(() => resultsHeading.current?.focus());
  }

  async function load(file: File | undefined) {
    if (file === undefined) return;
    if (file.size > 1_000_000) {
      setFileNote(
        `${file.name} is ${Math.round(file.size / 1024)} KB; a manifest is a few KB. Pick the downloaded manifest file.`,
      );
      return;
    }
    try {
      setText(await file.text());
      setResult(undefined);
      setFileNote(`Loaded ${file.name} into the box above (read in this page, not uploaded).`);
    } catch {
      setFileNote(`${file.name} could not be read. Paste its text into the box instead.`);
    }
  }

  const counts =
    result === undefined
      ? undefined
      : {
          problem: result.findings.filter((f) => f.severity === 'problem').length,
          warning: result.findings.filter((f) => f.severity === 'warning').length,
          pass: result.findings.filter((f) => f.severity === 'pass').length,
        };

  return (
    <section aria-labelledby="registration-check-title" className="registration-check">
      <h1 id="registration-check-title">Registration checker</h1>
      <p className="lede">
        Paste your app registration and say how you will use it: the checklist shows what will work, what
        Entra will refuse (with the AADSTS error you would see) and how to fix it. The check runs in this
        page; nothing you paste is sent anywhere.
      </p>
      <form onSubmit={check} noValidate>
        <div className="field">
          <label htmlFor={ids.manifest}>App registration JSON</label>
          <textarea
            id={ids.manifest}
            rows={10}
            value={text}
            spellCheck={false}
            autoComplete="off"
            aria-describedby={ids.manifestHelp}
            onChange={(e) => {
              setText(e.target.value);
              setResult(undefined);
            }}
          />
          <p id={ids.manifestHelp} className="help">
            From the Entra admin center: App registrations → your app → Manifest (either the Microsoft Graph
            format or the older Azure AD Graph format). Or a client’s metadata as RFC 7591 defines it
            (redirect_uris, grant_types, token_endpoint_auth_method…). Secret values are not needed.
          </p>
        </div>
        <div className="field">
          <label htmlFor={ids.file}>Or load the manifest file</label>
          <input
            id={ids.file}
            type="file"
            accept=".json,application/json,text/plain"
            onChange={(e) => void load(e.target.files?.[0])}
          />
          {fileNote !== undefined && (
            <p className="help" role="status">
              {fileNote}
            </p>
          )}
        </div>
        <div className="registration-check__choices">
          <div className="field">
            <label htmlFor={ids.flow}>Flow you will run</label>
            <select
              id={ids.flow}
              value={flow}
              onChange={(e) => {
                const next = e.target.value as CheckedFlow;
                setFlow(next);
                setResult(undefined);
                if (!scopesEdited) setScopes(CHECKED_FLOWS[next].defaultScopes);
              }}
            >
              {FLOW_IDS.map((id) => (
                <option key={id} value={id}>
                  {CHECKED_FLOWS[id].label}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor={ids.tenant}>Tenant in the authority URL</label>
            <select
              id={ids.tenant}
              value={tenant}
              onChange={(e) => {
                setTenant(e.target.value as TenantChoice);
                setResult(undefined);
              }}
            >
              {TENANTS.map((t) => (
                <option key={t.value} value={t.value}>
                  {t.label}
                </option>
              ))}
            </select>
          </div>
        </div>
        <div className="field">
          <label htmlFor={ids.scopes}>Scopes you ask for</label>
          <input
            id={ids.scopes}
            value={scopes}
            spellCheck={false}
            autoComplete="off"
            aria-describedby={ids.scopesHelp}
            onChange={(e) => {
              setScopes(e.target.value);
              setScopesEdited(true);
              setResult(undefined);
            }}
          />
          <p id={ids.scopesHelp} className="help">
            Separated by spaces, as in the scope parameter: User.Read, api://…/access_as_user,
            https://graph.microsoft.com/.default.
          </p>
        </div>
        <div className="field">
          <label htmlFor={ids.redirect}>Redirect URI the app sends (optional)</label>
          <input
            id={ids.redirect}
            value={redirectUri}
            spellCheck={false}
            autoComplete="off"
            inputMode="url"
            aria-describedby={ids.redirectHelp}
            onChange={(e) => {
              setRedirectUri(e.target.value);
              setResult(undefined);
            }}
          />
          <p id={ids.redirectHelp} className="help">
            Given, it is compared exactly with the registered ones, as Entra does.
          </p>
        </div>
        <button type="submit" className="primary">
          Check the registration
        </button>
      </form>

      {result !== undefined && (
        <section aria-labelledby={ids.results} className="registration-check__results">
          <h2 id={ids.results} ref={resultsHeading} tabIndex={-1}>
            Checklist: {CHECKED_FLOWS[result.flow].label}
          </h2>
          {!result.reading.ok ? (
            <div className="failure" role="alert">
              <h3>Cannot read this JSON</h3>
              <p>{result.reading.problem.message}</p>
              <p>{result.reading.problem.fix}</p>
            </div>
          ) : (
            <>
              <p>
                Read as {FORMAT_NAMES[result.reading.registration.format]}
                {result.reading.registration.displayName === undefined
                  ? ''
                  : `: ${result.reading.registration.displayName}`}
                {result.reading.registration.clientId === undefined
                  ? ''
                  : ` (client id ${result.reading.registration.clientId})`}
                .
              </p>
              {result.reading.registration.format === 'client-metadata' && (
                <p className="note" role="note">
                  Client metadata has no Entra platforms, account types or API permissions: the checks are the
                  ones RFC 7591 metadata allows (grant and response types, client authentication, redirect
                  URIs, registered scope). The tenant choice does not apply.
                </p>
              )}
              {counts !== undefined && (
                <p role="status">
                  {counts.problem} {counts.problem === 1 ? 'problem' : 'problems'}, {counts.warning}{' '}
                  {counts.warning === 1 ? 'warning' : 'warnings'}, {counts.pass} passed.
                </p>
              )}
              {GROUPS.map(({ severity, heading }) => {
                const list = result.findings.filter((f) => f.severity === severity);
                if (list.length === 0) return null;
                return (
                  <section key={severity} aria-label={heading}>
                    <h3>{heading}</h3>
                    <ul className="registration-check__list">
                      {list.map((finding, i) => (
                        <FindingItem key={`${finding.id}-${i}`} finding={finding} />
                      ))}
                    </ul>
                  </section>
                );
              })}
              {result.findings.length === 0 && <p>Nothing to check for this flow.</p>}
            </>
          )}
        </section>
      )}
    </section>
  );
}
