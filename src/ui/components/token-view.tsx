import { useEffect, useId, useMemo, useState } from 'react';
import { describeTime, explainClaim, explainHeader } from '../../protocol/claims.ts';
import type { ClaimExplanation } from '../../protocol/claims.ts';
import { classifyToken, decodeJwt, isPast } from '../../protocol/jwt.ts';
import type { DecodedJwt } from '../../protocol/jwt.ts';
import { LabError } from '../../protocol/errors.ts';
import './components.css';
import { CopyButton } from './copy-button.tsx';

export interface TokenViewProps {
  /** Heading text, e.g. "Access token". */
  readonly label: string;
  readonly token: string;
  readonly kind: 'access' | 'id' | 'refresh';
  /** Heading level of the label; the tables' captions sit below it. Defaults to 3. */
  readonly headingLevel?: 2 | 3 | 4;
}

type Decoded =
  { readonly ok: true; readonly jwt: DecodedJwt } | { readonly ok: false; readonly message: string };

const RELATIVE_TIME_REFRESH_MS = 30_000;

function safeDecode(token: string): Decoded {
  try {
    return { ok: true, jwt: decodeJwt(token) };
  } catch (error) {
    const message = error instanceof LabError ? error.message : 'This token could not be decoded.';
    return { ok: false, message };
  }
}

/** The current time, refreshed every 30 s so relative times ("in 5 min") stay true. */
function useNow(enabled: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!enabled) return undefined;
    const timer = window.setInterval(() => setNow(Date.now()), RELATIVE_TIME_REFRESH_MS);
    return () => window.clearInterval(timer);
  }, [enabled]);
  return now;
}

function ClaimValue({
  claim,
  value,
  now,
  isExpiry,
}: {
  readonly claim: ClaimExplanation;
  readonly value: unknown;
  readonly now: number;
  readonly isExpiry: boolean;
}) {
  if (claim.isTime && typeof value === 'number') {
    const time = describeTime(value, now);
    const expired = isExpiry && isPast(value, now);
    return (
      <>
        <code className="token-view__value">{claim.display}</code>
        <br />
        <time dateTime={time.iso} className="token-view__time">
          {time.iso}
        </time>{' '}
        <span className="token-view__relative">({time.relative})</span>
        {expired ? <span className="token-view__badge token-view__badge--danger">expired</span> : null}
      </>
    );
  }
  return <code className="token-view__value">{claim.display}</code>;
}

function ClaimTable({
  caption,
  claims,
  values,
  now,
}: {
  readonly caption: string;
  readonly claims: readonly ClaimExplanation[];
  readonly values: Record<string, unknown>;
  readonly now: number;
}) {
  return (
    <div className="lab-table-scroll">
      <table className="lab-table token-view__table">
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Claim</th>
            <th scope="col">Value</th>
            <th scope="col">Meaning</th>
          </tr>
        </thead>
        <tbody>
          {claims.length === 0 ? (
            <tr>
              <td colSpan={3} className="token-view__empty">
                (no claims)
              </td>
            </tr>
          ) : (
            claims.map((claim) => (
              <tr key={claim.name}>
                <th scope="row">
                  <code>{claim.name}</code>
                </th>
                <td>
                  <ClaimValue
                    claim={claim}
                    value={values[claim.name]}
                    now={now}
                    isExpiry={claim.name === 'exp'}
                  />
                </td>
                <td>
                  {claim.meaning}
                  {claim.note === undefined ? null : <span className="token-view__note">{claim.note}</span>}
                </td>
              </tr>
            ))
          )}
        </tbody>
      </table>
    </div>
  );
}

function opaqueExplanation(kind: TokenViewProps['kind']): string {
  switch (kind) {
    case 'refresh':
      return 'This is an opaque token, not a JWT: only the authorization server that issued it can read it. That is normal for Entra refresh tokens; the client just stores it and sends it back.';
    case 'id':
      return 'This is an opaque token, not a JWT. An ID token must be a JWT that the client can read, so something is wrong here.';
    case 'access':
      return 'This is an opaque token, not a JWT: only the authorization server (or an API that asks it) can read it. The client should never need to look inside an access token anyway.';
  }
}

/** Shows a token: decoded header and claims for a JWT, an explanation otherwise. Never throws. */
export function TokenView({ label, token, kind, headingLevel = 3 }: TokenViewProps) {
  const headingId = useId();
  const textareaId = useId();
  const Heading = `h${headingLevel}` as const;
  const shape = classifyToken(token);
  const decoded = useMemo(() => (shape === 'jwt' ? safeDecode(token) : undefined), [shape, token]);
  const hasTimes = decoded?.ok === true;
  const now = useNow(hasTimes);
  const claimKind = kind === 'id' ? 'id' : 'access';

  const headerClaims = useMemo(
    () =>
      decoded?.ok === true
        ? Object.entries(decoded.jwt.header).map(([name, value]) => explainHeader(name, value))
        : [],
    [decoded],
  );
  const payloadClaims = useMemo(
    () =>
      decoded?.ok === true
        ? Object.entries(decoded.jwt.payload).map(([name, value]) => explainClaim(name, value, claimKind))
        : [],
    [decoded, claimKind],
  );

  return (
    <section className="token-view" aria-labelledby={headingId}>
      <Heading id={headingId} className="token-view__heading">
        {label}
      </Heading>
      {shape === 'empty' ? (
        <p className="lab-message">No token was issued or pasted.</p>
      ) : (
        <>
          <div className="token-view__raw">
            <label htmlFor={textareaId}>{`${label} (encoded)`}</label>
            <textarea
              id={textareaId}
              className="token-view__textarea"
              readOnly
              value={token}
              rows={4}
              spellCheck={false}
              autoComplete="off"
            />
            <div className="token-view__actions">
              <CopyButton text={token} targetId={textareaId} />
            </div>
          </div>
          {shape === 'opaque' ? <p className="lab-message">{opaqueExplanation(kind)}</p> : null}
          {shape === 'jwe' ? (
            <p className="lab-message">
              This is an encrypted token (a JWE, five parts). Only the party holding the decryption key can
              read its claims, so this view cannot show them.
            </p>
          ) : null}
          {decoded?.ok === false ? (
            <div className="lab-message lab-message--danger">
              <p className="lab-message__title">This token looks like a JWT but cannot be decoded.</p>
              <p>{decoded.message}</p>
            </div>
          ) : null}
          {decoded?.ok === true ? (
            <>
              <ClaimTable caption="Header" claims={headerClaims} values={decoded.jwt.header} now={now} />
              <ClaimTable caption="Payload" claims={payloadClaims} values={decoded.jwt.payload} now={now} />
              <div className="token-view__signature">
                <p className="token-view__signature-label">Signature</p>
                <code className="token-view__value">
                  {decoded.jwt.signature === '' ? '(empty: this token is not signed)' : decoded.jwt.signature}
                </code>
                <p className="lab-message lab-message--warning">
                  This view only decodes the token; it does not verify the signature. Anyone can make a token
                  that decodes like this one.{' '}
                  {kind === 'id'
                    ? 'Before trusting it, the client must check its signature, issuer, audience (its own client id), expiry and nonce.'
                    : 'The API that receives it must check its signature, issuer, audience and expiry.'}
                </p>
              </div>
            </>
          ) : null}
        </>
      )}
    </section>
  );
}
