import { useEffect, useId, useState } from 'react';
import { decodeJwt, describeTokenShape, normalizeToken } from '../../protocol/jwt.ts';
import { useFieldMask } from '../components/masked-value.tsx';
import { SignatureCheck } from '../components/signature-check.tsx';
import { TokenView, type SignatureStatus } from '../components/token-view.tsx';

/** A token handed over in the fragment, as jwt.ms accepts it: #access_token=… or #id_token=… */
function fragmentToken(): string {
  const params = new URLSearchParams(window.location.hash.replace(/^#/, ''));
  return params.get('access_token') ?? params.get('id_token') ?? '';
}

export default function TokenInspectorPage() {
  const [token, setToken] = useState(fragmentToken);
  // The verdict belongs to one token: another token starts unchecked.
  const [signature, setSignature] = useState<{ readonly token: string; readonly status: SignatureStatus }>();
  const ids = { input: useId(), help: useId() };
  // Presenter mode: the pasted token is drawn as discs until its own reveal.
  const tokenMask = useFieldMask('the pasted token', ids.input);

  useEffect(() => {
    // A token that arrived in the fragment must not stay in the address bar or history.
    if (window.location.hash !== '') window.history.replaceState(null, '', window.location.pathname);
  }, []);

  const normalized = normalizeToken(token);
  const reading = describeTokenShape(normalized);
  const shape = reading.shape;
  let decoded: ReturnType<typeof decodeJwt> | undefined;
  let problem: string | undefined;
  if (shape === 'jwt') {
    try {
      decoded = decodeJwt(normalized);
    } catch (error) {
      problem = error instanceof Error ? error.message : String(error);
    }
  }
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
          className={tokenMask.className}
          rows={5}
          value={token}
          spellCheck={false}
          autoComplete="off"
          aria-describedby={ids.help}
          onChange={(e) => {
            setToken(e.target.value);
          }}
        />
        {tokenMask.toggle}
        <p id={ids.help} className="help">
          A JWT (three dot-separated parts). A leading “Bearer ” is ignored. You can also open this page as
          /tokens#access_token=… or #id_token=…; the token is then removed from the address bar.
        </p>
      </div>

      {shape === 'empty' && <p>Nothing to inspect yet.</p>}
      {shape === 'jwe' && (
        <p className="note" role="status">
          This is an encrypted token (JWE, five parts), not a JWT this page can read: {reading.reason}. Only
          the party it was encrypted for can read it — an API receiving it, or Entra for tokens meant for
          itself. There is nothing to decode here.
        </p>
      )}
      {shape === 'opaque' && (
        <p className="note" role="status">
          An opaque token, not a JWT: {reading.reason}. Only its issuer can read it (Entra’s refresh tokens
          and authorization codes look like this); an API that receives one asks the issuer what it means
          (token introspection, RFC 7662). It cannot be decoded or verified here.
        </p>
      )}
      {shape === 'not-jwt' && (
        <p className="note" role="status">
          Not a JWT: {reading.reason}. There is nothing to decode or verify here.
        </p>
      )}
      {problem !== undefined && (
        <div className="failure" role="alert">
          <h2>Not a well-formed JWT</h2>
          <p>Not a JWT: it starts like one (a JOSE header), but cannot be decoded. {problem}</p>
        </div>
      )}
      {decoded !== undefined && (
        <>
          {/* Keyed by the token: a new token starts a fresh check. */}
          <SignatureCheck
            key={normalized}
            token={normalized}
            decoded={decoded}
            onStatus={(status) => setSignature({ token: normalized, status })}
          />
          {/* No context here: the view decides the kind from the token's own header and claims. */}
          <TokenView
            label="The token"
            token={normalized}
            signature={signature?.token === normalized ? signature.status : { state: 'unchecked' }}
          />
        </>
      )}
    </section>
  );
}
