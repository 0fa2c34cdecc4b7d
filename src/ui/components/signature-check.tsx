import { useId, useState } from 'react';
import type { FetchMetadata } from '../../protocol/discovery.ts';
import {
  fetchIssuerKeys,
  fetchKeysFromTypedUrl,
  parseKeySetJson,
  parseTokenIssuer,
  type IssuerKeys,
} from '../../protocol/issuer-keys.ts';
import { explainV1AccessTokenIssuer } from '../../protocol/issuer-version.ts';
import type { DecodedJwt } from '../../protocol/jwt.ts';
import { precheckSignature, verifyJwtSignature, type SignatureVerdict } from '../../protocol/verify.ts';
import { useLabConfig } from '../../state/lab-config.ts';
import { fetchMetadataDirect, fetchMetadataViaRelay } from '../../state/relay.ts';
import type { SignatureStatus } from './token-view.tsx';

type Check =
  | { readonly state: 'idle' }
  | { readonly state: 'running' }
  | { readonly state: 'done'; readonly verdict: SignatureVerdict; readonly keys?: IssuerKeys };

const VERDICT_TITLE: Record<SignatureVerdict['kind'], string> = {
  valid: 'Signature valid',
  invalid: 'Signature invalid',
  'no-key': 'No matching key',
  'unusable-key': 'Key unusable',
  'needs-secret': 'Needs the shared secret',
  'unsupported-alg': 'Unsupported algorithm',
  unsigned: 'Not signed',
  'not-verifiable': 'Not verifiable by design',
  unavailable: 'Keys unavailable',
};

/** Where the keys came from, in words. */
function keysOrigin(keys: IssuerKeys | undefined) {
  if (keys === undefined) return null;
  if (keys.source === 'pasted') return <> in the pasted key set</>;
  return (
    <>
      {' '}
      from <code>{keys.jwksUri}</code>
    </>
  );
}

/** Why a check could not decide, in a few words of its own (the verdict above has the title and details). */
const UNDECIDED_BECAUSE: Record<
  Exclude<SignatureVerdict['kind'], 'valid' | 'invalid' | 'unsigned'>,
  string
> = {
  'no-key': 'none of the keys found fits it',
  'unusable-key': 'the key that fits cannot be used here',
  'needs-secret': 'it is signed with a shared secret this page does not have',
  'unsupported-alg': 'its algorithm cannot be checked here',
  'not-verifiable': 'only its audience can check it, by design',
  unavailable: 'no key set could be read for it',
};

/** Where the key came from, in words for the token view's note (the verdict itself names the URL). */
function keysOriginText(keys: IssuerKeys | undefined): string {
  switch (keys?.source) {
    case undefined:
      return '';
    case 'pasted':
      return ' in the pasted key set';
    case 'typed-url':
      return ' from the key set at the URL you gave';
    case 'token-iss':
      return ' from the issuer’s published key set';
  }
}

/**
 * What a check found, for the words the token view shows beside the claims: valid (with the key and
 * where it came from), invalid (a signature that does not match, or none at all), or undecided.
 */
function signatureStatusOf(check: Check): SignatureStatus {
  if (check.state !== 'done') return { state: 'unchecked' };
  const verdict = check.verdict;
  switch (verdict.kind) {
    case 'valid':
      return {
        state: 'valid',
        key: `signed with ${verdict.alg} by key ${verdict.keyLabel}${keysOriginText(check.keys)}`,
      };
    case 'invalid':
      return { state: 'invalid', finding: 'invalid' };
    case 'unsigned':
      return { state: 'invalid', finding: 'not signed' };
    default:
      return { state: 'undecided', reason: UNDECIDED_BECAUSE[verdict.kind] };
  }
}

/** The signature part of the token inspector: where the keys come from, and the verdict. */
export function SignatureCheck({
  token,
  decoded,
  onStatus,
}: {
  readonly token: string;
  readonly decoded: DecodedJwt;
  /** Told every time the verdict changes, so the words beside the claims follow it. */
  readonly onStatus?: (status: SignatureStatus) => void;
}) {
  const [check, setCheckState] = useState<Check>({ state: 'idle' });
  const setCheck = (next: Check) => {
    setCheckState(next);
    onStatus?.(signatureStatusOf(next));
  };
  const [keysUrl, setKeysUrl] = useState('');
  const [keysJson, setKeysJson] = useState('');
  const lab = useLabConfig();
  const ids = { url: useId(), urlHelp: useId(), json: useId(), jsonHelp: useId() };
  const hasIss = 'iss' in decoded.payload;
  const iss = decoded.payload['iss'];
  const tid = decoded.payload['tid'];
  const issuer = parseTokenIssuer(iss);
  const v1IssuerNote = explainV1AccessTokenIssuer(decoded.payload);

  /**
   * Straight from the browser first. Only when the browser gets no answer at all (CORS, network)
   * does the relay try; an answer the browser could read (a 404, say) is the issuer's own.
   */
  const fetchMetadata: FetchMetadata = async (url) => {
    let failure: unknown;
    try {
      return await fetchMetadataDirect(url);
    } catch (error) {
      failure = error;
    }
    const why = (failure instanceof Error ? failure.message : `The browser could not read ${url}`).replace(
      /[.\s]+$/,
      '',
    );
    if (!lab.relay) {
      // Hosting mode: no relay on a shared server, so say that rather than "start the app".
      throw new Error(
        lab.hosting
          ? `${why}. This shared lab fetches nothing from its server for you: paste the key set, or run the lab on your own machine with npm start.`
          : `${why}. No local relay is running to fetch it instead (start the app with npm start).`,
      );
    }
    try {
      return await fetchMetadataViaRelay(url);
    } catch (error) {
      const relayWhy = (error instanceof Error ? error.message : String(error)).replace(/[.\s]+$/, '');
      // Say both: what the browser met, and why the relay could not step in.
      const allowlist = /allowlist/i.test(relayWhy)
        ? ' To let the relay fetch it, add the issuer under Settings → Any OpenID provider, or paste the key set'
        : '';
      throw new Error(
        `The browser could not read it (${why}), and the relay did not either: ${relayWhy}.${allowlist}`,
      );
    }
  };

  const resetVerdict = () => setCheck({ state: 'idle' });

  const verify = async () => {
    const early = precheckSignature(decoded.header, decoded.payload);
    if (early !== undefined) {
      setCheck({ state: 'done', verdict: early });
      return;
    }
    setCheck({ state: 'running' });
    try {
      let keys: IssuerKeys;
      if (keysJson.trim() !== '') {
        keys = { source: 'pasted', jwks: parseKeySetJson(keysJson), attempts: [] };
      } else if (keysUrl.trim() !== '') {
        keys = await fetchKeysFromTypedUrl(keysUrl, iss, tid, fetchMetadata);
      } else if (issuer.kind === 'url') {
        keys = await fetchIssuerKeys(issuer, tid, fetchMetadata);
      } else {
        const reason = hasIss
          ? issuer.reason
          : 'The token names no issuer (iss), so there is no key set to look up. Give the issuer or key set URL, or paste the key set, under “Keys from elsewhere”.';
        setCheck({ state: 'done', verdict: { kind: 'unavailable', reason } });
        return;
      }
      setCheck({ state: 'done', verdict: await verifyJwtSignature(token, keys.jwks), keys });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      setCheck({ state: 'done', verdict: { kind: 'unavailable', reason } });
    }
  };

  const keys = check.state === 'done' ? check.keys : undefined;
  const issuerCheck = keys?.issuerCheck;
  const notes = check.state === 'done' && 'notes' in check.verdict ? (check.verdict.notes ?? []) : [];

  return (
    <section className="signature-check" aria-labelledby="sig-title">
      <h2 id="sig-title">Signature</h2>
      {!hasIss ? (
        <p>
          The token names no issuer (iss): give the issuer or its key set under “Keys from elsewhere” to check
          the signature.
        </p>
      ) : issuer.kind === 'url' ? (
        <p>
          Keys are looked up from the issuer <code>{issuer.iss}</code>
          {issuer.variant === 'bare-host' && (
            <>
              {' '}
              (read as <code>{issuer.issuer}</code>: Google documents this form without https://)
            </>
          )}
          : its discovery document <code>{issuer.metadataUrls[0]}</code>, then its <code>jwks_uri</code>.
        </p>
      ) : (
        <p className="note" role="note">
          {issuer.reason}
        </p>
      )}

      {v1IssuerNote !== undefined && (
        <p className="note" role="note">
          {v1IssuerNote}
        </p>
      )}

      <fieldset className="keys-by-hand">
        <legend>Keys from elsewhere (optional)</legend>
        <div className="field">
          <label htmlFor={ids.url}>Issuer or key set URL</label>
          <input
            id={ids.url}
            type="url"
            inputMode="url"
            value={keysUrl}
            spellCheck={false}
            autoComplete="off"
            aria-describedby={ids.urlHelp}
            onChange={(e) => {
              setKeysUrl(e.target.value);
              resetVerdict();
            }}
          />
          <p id={ids.urlHelp} className="help">
            An https URL: the issuer, its discovery document, or the key set itself (its jwks_uri). Used
            instead of the token’s iss.
          </p>
        </div>
        <div className="field">
          <label htmlFor={ids.json}>Key set (JSON)</label>
          <textarea
            id={ids.json}
            rows={3}
            value={keysJson}
            spellCheck={false}
            autoComplete="off"
            aria-describedby={ids.jsonHelp}
            onChange={(e) => {
              setKeysJson(e.target.value);
              resetVerdict();
            }}
          />
          <p id={ids.jsonHelp} className="help">
            Paste the key set as its jwks_uri returns it (<code>{'{"keys": […]}'}</code>) or a single key, to
            check offline: nothing is fetched then.
          </p>
        </div>
      </fieldset>

      <button
        type="button"
        className="primary"
        // aria-disabled rather than disabled: a disabled button drops the keyboard focus to the page.
        onClick={() => {
          if (check.state !== 'running') void verify();
        }}
        aria-disabled={check.state === 'running'}
      >
        Verify the signature
      </button>
      {check.state === 'running' && <p role="status">Fetching the issuer’s keys…</p>}
      {check.state === 'done' && (
        <div className={`verdict verdict-${check.verdict.kind}`} role="status">
          <h3>{VERDICT_TITLE[check.verdict.kind]}</h3>
          {check.verdict.kind === 'valid' ? (
            <p>
              Signed with {check.verdict.alg} by key {check.verdict.keyLabel} (number{' '}
              {check.verdict.keyIndex + 1} in the set
              {check.verdict.fromCertificate ? ', taken from its x5c certificate' : ''}; thumbprint{' '}
              <code>{check.verdict.thumbprint}</code>){keysOrigin(keys)}.{' '}
              {check.verdict.candidates === 1
                ? 'It was the only candidate key.'
                : `${check.verdict.tried} of ${check.verdict.candidates} candidate keys tried.`}{' '}
              A valid signature proves who issued the token, not that it is meant for you: still check iss,
              aud and exp, and for an access token its scopes or roles.
            </p>
          ) : (
            <p>{check.verdict.reason}</p>
          )}
          {keys !== undefined && keys.attempts.length > 0 && keys.discoveryUrl !== undefined && (
            <p>
              The metadata was found at <code>{keys.discoveryUrl}</code> after {keys.attempts.join('; ')}.
            </p>
          )}
          {issuerCheck !== undefined && issuerCheck.kind !== 'identical' && (
            <p>
              {issuerCheck.kind === 'mismatch' ? (
                <strong>Issuer mismatch. </strong>
              ) : (
                <strong>Issuer: </strong>
              )}
              {issuerCheck.explanation}
            </p>
          )}
          {notes.length > 0 && (
            <ul>
              {notes.map((note) => (
                <li key={note}>{note}</li>
              ))}
            </ul>
          )}
        </div>
      )}
    </section>
  );
}
