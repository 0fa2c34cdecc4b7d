import { useEffect, useId, useState } from 'react';
import { LabError } from '../../protocol/errors.ts';
import { fetchIssuerKeys, type IssuerKeys } from '../../protocol/issuer-keys.ts';
import { classifyToken, decodeJwt, normalizeToken } from '../../protocol/jwt.ts';
import { precheckSignature, verifyJwtSignature, type SignatureVerdict } from '../../protocol/verify.ts';
import { useLabConfig } from '../../state/lab-config.ts';
import { fetchMetadataDirect, fetchMetadataViaRelay } from '../../state/relay.ts';
import { TokenView } from '../components/token-view.tsx';

/** A token handed over in the fragment, as jwt.ms accepts it: #access_token=… or #id_token=… */
function fragmentToken(): string {
  const params = new URLSearchParams(window.location.hash.replace(/^#/, ''));
  return params.get('access_token') ?? params.get('id_token') ?? '';
}

/** Access tokens carry scp, roles or idtyp; ID tokens carry nonce, at_hash or c_hash. */
function guessKind(payload: Record<string, unknown>): 'access' | 'id' {
  if ('scp' in payload || 'roles' in payload || 'idtyp' in payload || 'appid' in payload) return 'access';
  return 'id';
}

type Check =
  | { readonly state: 'idle' }
  | { readonly state: 'running' }
  | { readonly state: 'done'; readonly verdict: SignatureVerdict; readonly keys?: IssuerKeys };

const VERDICT_TITLE: Record<SignatureVerdict['kind'], string> = {
  valid: 'Signature valid',
  invalid: 'Signature invalid',
  'no-key': 'No matching key',
  unsigned: 'Not signed',
  'not-verifiable': 'Not verifiable by design',
  unavailable: 'Keys unavailable',
};

export default function TokenInspectorPage() {
  const [token, setToken] = useState(fragmentToken);
  const [check, setCheck] = useState<Check>({ state: 'idle' });
  const lab = useLabConfig();
  const ids = { input: useId(), help: useId() };

  useEffect(() => {
    // A token that arrived in the fragment must not stay in the address bar or history.
    if (window.location.hash !== '') window.history.replaceState(null, '', window.location.pathname);
  }, []);

  const normalized = normalizeToken(token);
  const shape = classifyToken(normalized);
  let decoded: ReturnType<typeof decodeJwt> | undefined;
  let problem: string | undefined;
  if (shape === 'jwt') {
    try {
      decoded = decodeJwt(normalized);
    } catch (error) {
      problem = error instanceof Error ? error.message : String(error);
    }
  }
  const issuer = typeof decoded?.payload['iss'] === 'string' ? decoded.payload['iss'] : undefined;

  /** Straight from the browser first; through the relay when CORS or the network stops that. */
  const fetchJson = async (url: string): Promise<unknown> => {
    const direct = await fetchMetadataDirect(url).catch(() => undefined);
    if (direct !== undefined && direct.status >= 200 && direct.status < 300 && direct.body !== undefined)
      return direct.body;
    if (!lab.relay)
      throw new Error(`Could not fetch ${url} from the browser, and no local relay is running.`);
    const viaRelay = await fetchMetadataViaRelay(url);
    if (viaRelay.status < 200 || viaRelay.status > 299 || viaRelay.body === undefined) {
      throw new Error(
        `Could not fetch ${url}: it is not a discovery document or key set (HTTP ${viaRelay.status}).`,
      );
    }
    return viaRelay.body;
  };

  const verify = async () => {
    if (decoded === undefined || issuer === undefined) return;
    const early = precheckSignature(decoded.header, decoded.payload);
    if (early !== undefined) {
      setCheck({ state: 'done', verdict: early });
      return;
    }
    setCheck({ state: 'running' });
    try {
      const keys = await fetchIssuerKeys(issuer, decoded.payload['tid'], fetchJson);
      setCheck({ state: 'done', verdict: await verifyJwtSignature(normalized, keys.jwks), keys });
    } catch (error) {
      const reason = error instanceof LabError || error instanceof Error ? error.message : String(error);
      setCheck({ state: 'done', verdict: { kind: 'unavailable', reason } });
    }
  };

  return (
    <section aria-labelledby="inspector-title" className="token-inspector">
      <h1 id="inspector-title">Token inspector</h1>
      <p className="lede">
        Paste a JWT to read it claim by claim, and check its signature against the issuer’s published keys.
        The token stays in this page: the only requests made are for the issuer’s discovery document and key
        set.
      </p>
      <div className="field">
        <label htmlFor={ids.input}>Token</label>
        <textarea
          id={ids.input}
          rows={5}
          value={token}
          spellCheck={false}
          autoComplete="off"
          aria-describedby={ids.help}
          onChange={(e) => {
            setToken(e.target.value);
            setCheck({ state: 'idle' });
          }}
        />
        <p id={ids.help} className="help">
          A JWT (three dot-separated parts). A leading “Bearer ” is ignored. You can also open this page as
          /tokens#access_token=… or #id_token=…; the token is then removed from the address bar.
        </p>
      </div>

      {shape === 'empty' && <p>Nothing to inspect yet.</p>}
      {shape === 'jwe' && (
        <p className="note" role="status">
          This is an encrypted token (JWE, five parts). Only the party it was encrypted for can read it — an
          API receiving it, or Entra for tokens meant for itself. There is nothing to decode here.
        </p>
      )}
      {shape === 'opaque' && (
        <p className="note" role="status">
          This is an opaque token, not a JWT: its content is meaningful only to the server that issued it
          (Entra’s refresh tokens and authorization codes look like this). It cannot be decoded or verified
          here.
        </p>
      )}
      {problem !== undefined && (
        <div className="failure" role="alert">
          <h2>Not a well-formed JWT</h2>
          <p>{problem}</p>
        </div>
      )}
      {decoded !== undefined && (
        <>
          <section className="signature-check" aria-labelledby="sig-title">
            <h2 id="sig-title">Signature</h2>
            {issuer === undefined ? (
              <p>The token names no issuer (iss), so there is no key set to check it against.</p>
            ) : (
              <>
                <p>
                  Keys are looked up from the issuer <code>{issuer}</code>: its discovery document, then its{' '}
                  <code>jwks_uri</code>.
                </p>
                <button
                  type="button"
                  className="primary"
                  onClick={() => void verify()}
                  disabled={check.state === 'running'}
                >
                  Verify the signature
                </button>
              </>
            )}
            {check.state === 'running' && <p role="status">Fetching the issuer’s keys…</p>}
            {check.state === 'done' && (
              <div className={`verdict verdict-${check.verdict.kind}`} role="status">
                <h3>{VERDICT_TITLE[check.verdict.kind]}</h3>
                {check.verdict.kind === 'valid' ? (
                  <p>
                    Signed with {check.verdict.alg}
                    {check.verdict.kid !== undefined && <> by key {check.verdict.kid}</>} from{' '}
                    <code>{check.keys?.jwksUri}</code>.
                    {check.keys?.issuerMatches === false && (
                      <strong>
                        {' '}
                        But the discovery document names a different issuer ({check.keys.discoveredIssuer}).
                      </strong>
                    )}{' '}
                    A valid signature proves who issued the token; an API must still check aud, exp and its
                    scopes or roles.
                  </p>
                ) : (
                  <p>{check.verdict.reason}</p>
                )}
              </div>
            )}
          </section>
          <TokenView label="Decoded token" token={normalized} kind={guessKind(decoded.payload)} />
        </>
      )}
    </section>
  );
}
