import { useEffect, useId, useMemo, useState } from 'react';
import {
  describeTime,
  detectIssuerFamily,
  explainClaim,
  explainHeader,
  ISSUER_FAMILY_LABEL,
} from '../../protocol/claims.ts';
import type { ClaimExplanation } from '../../protocol/claims.ts';
import { decideTokenKind, TOKEN_KIND_LABEL } from '../../protocol/token-kind.ts';
import type { KindDecision, KindHint, TokenKind } from '../../protocol/token-kind.ts';
import { classifyToken, decodeJwt, isPast } from '../../protocol/jwt.ts';
import type { DecodedJwt } from '../../protocol/jwt.ts';
import { LabError } from '../../protocol/errors.ts';
import './components.css';
import { CopyButton } from './copy-button.tsx';
import { useFieldMask } from './masked-value.tsx';

export interface TokenViewProps {
  /** Heading text, e.g. "Access token". */
  readonly label: string;
  readonly token: string;
  /**
   * What the token was received as, when the page knows it (the field of the token response). It wins
   * over the token's own signals; leave it out to decide from the header and claims alone.
   */
  readonly kind?: 'access' | 'id' | 'refresh' | 'client-assertion';
  /** How the page knows `kind`, as a phrase after "because": defaults to "this page got it as the … token". */
  readonly kindSource?: string;
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
    case undefined:
      return 'This is an opaque token, not a JWT: only the server that issued it (or an API that asks that server) can read it.';
    case 'client-assertion':
      return 'This is not a JWT. A client assertion must be a signed JWT, so something is wrong here.';
    case 'refresh':
      return 'This is an opaque token, not a JWT: only the authorization server that issued it can read it. That is normal for Entra refresh tokens; the client just stores it and sends it back.';
    case 'id':
      return 'This is an opaque token, not a JWT. An ID token must be a JWT that the client can read, so something is wrong here.';
    case 'access':
      return 'This is an opaque token, not a JWT: only the authorization server (or an API that asks it) can read it. The client should never need to look inside an access token anyway.';
  }
}

const KIND_CHOICES: readonly TokenKind[] = ['access', 'id', 'refresh', 'logout', 'client-assertion'];

function article(word: string): string {
  return /^[aeiou]/i.test(word) || word.startsWith('ID') ? 'an' : 'a';
}

function defaultHint(kind: TokenViewProps['kind'], source: string | undefined): KindHint | undefined {
  if (kind === undefined) return undefined;
  const word = TOKEN_KIND_LABEL[kind];
  return { kind, source: source ?? `this page got it as the ${word}` };
}

/** Which kind the claims are explained as, why, and a control to choose another. */
function KindPanel({
  decision,
  shown,
  onChoose,
  family,
  ownSignals,
}: {
  readonly decision: KindDecision;
  /** The token's own signals, when a hint decided instead: shown if they point elsewhere. */
  readonly ownSignals: KindDecision | undefined;
  readonly shown: TokenKind;
  readonly onChoose: (kind: TokenKind) => void;
  readonly family: { readonly label: string; readonly signal: string } | undefined;
}) {
  const groupName = useId();
  const chosen = shown !== decision.kind;
  const shownWord = TOKEN_KIND_LABEL[shown];
  const decidedWord = TOKEN_KIND_LABEL[decision.kind];
  const undecided = decision.confidence === 'none';
  return (
    <div
      className={`token-view__kind${undecided && !chosen ? ' lab-message lab-message--warning' : ''}`}
      data-confidence={decision.confidence}
    >
      <p className="token-view__kind-signal">
        {chosen ? (
          <>
            Explained as {article(shownWord)} <strong>{shownWord}</strong>, as you chose. On its own it reads
            as {article(decidedWord)} {decidedWord}: {decision.signal}.
          </>
        ) : undecided ? (
          <>
            <strong>No signal:</strong> {decision.signal}. If it is something else, choose below: the
            explanations change with the kind.
          </>
        ) : (
          <>
            Treated as {article(shownWord)} <strong>{shownWord}</strong> because {decision.signal}
            {decision.confidence === 'low' ? ' (a weak sign: choose another kind below if it is wrong)' : ''}.
          </>
        )}
        {!chosen &&
        ownSignals !== undefined &&
        ownSignals.kind !== decision.kind &&
        (ownSignals.confidence === 'high' || ownSignals.confidence === 'medium') ? (
          <>
            {' '}
            Yet the token itself looks like {article(TOKEN_KIND_LABEL[ownSignals.kind])}{' '}
            {TOKEN_KIND_LABEL[ownSignals.kind]}: {ownSignals.signal}.
          </>
        ) : null}
      </p>
      {family === undefined ? null : (
        <p className="token-view__kind-issuer">
          Explanations follow the conventions of <strong>{family.label}</strong>: {family.signal}.
        </p>
      )}
      <fieldset className="token-view__kind-choice">
        <legend>Explain as</legend>
        {KIND_CHOICES.map((kind) => (
          <label key={kind} className="choice">
            <input
              type="radio"
              name={groupName}
              value={kind}
              checked={shown === kind}
              onChange={() => onChoose(kind)}
            />{' '}
            {capitalize(TOKEN_KIND_LABEL[kind])}
            {kind === decision.kind
              ? decision.confidence === 'hint'
                ? ' (as received)'
                : decision.confidence === 'none'
                  ? ' (assumed)'
                  : ' (detected)'
              : ''}
          </label>
        ))}
      </fieldset>
    </div>
  );
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

const SIGNATURE_ADVICE: Record<TokenKind, string> = {
  id: 'Before trusting it, the client must check its signature, issuer, audience (its own client id), expiry and nonce.',
  access: 'The API that receives it must check its signature, issuer, audience and expiry.',
  refresh: 'Only the authorization server that issued it checks it, when the client sends it back.',
  logout:
    'Before ending any session, the client must check its signature, issuer, audience (its own client id), iat and the logout event.',
  'client-assertion':
    'The authorization server checks its signature against the key registered for the client, and its aud, exp and jti.',
};

/** Shows a token: decoded header and claims for a JWT, an explanation otherwise. Never throws. */
export function TokenView({ label, token, kind, kindSource, headingLevel = 3 }: TokenViewProps) {
  const headingId = useId();
  const textareaId = useId();
  // Presenter mode: the encoded token is drawn as discs until its own reveal is pressed.
  const mask = useFieldMask(`${label} (encoded)`, textareaId);
  const Heading = `h${headingLevel}` as const;
  const shape = classifyToken(token);
  const decoded = useMemo(() => (shape === 'jwt' ? safeDecode(token) : undefined), [shape, token]);
  const hasTimes = decoded?.ok === true;
  const now = useNow(hasTimes);
  // The user's choice belongs to one token: pasting another starts from its own signals again.
  const [choice, setChoice] = useState<{ readonly token: string; readonly kind: TokenKind } | undefined>();

  const decision = useMemo(
    () =>
      decoded?.ok === true
        ? decideTokenKind(decoded.jwt.header, decoded.jwt.payload, defaultHint(kind, kindSource))
        : undefined,
    [decoded, kind, kindSource],
  );
  const ownSignals = useMemo(
    () =>
      decoded?.ok === true && kind !== undefined
        ? decideTokenKind(decoded.jwt.header, decoded.jwt.payload)
        : undefined,
    [decoded, kind],
  );
  const issuer = useMemo(
    () => (decoded?.ok === true ? detectIssuerFamily(decoded.jwt.payload) : undefined),
    [decoded],
  );
  const shownKind: TokenKind =
    choice !== undefined && choice.token === token ? choice.kind : (decision?.kind ?? kind ?? 'access');

  const headerClaims = useMemo(
    () =>
      decoded?.ok === true
        ? Object.entries(decoded.jwt.header).map(([name, value]) =>
            explainHeader(name, value, issuer?.family ?? 'generic'),
          )
        : [],
    [decoded, issuer],
  );
  const payloadClaims = useMemo(
    () =>
      decoded?.ok === true
        ? Object.entries(decoded.jwt.payload).map(([name, value]) =>
            explainClaim(name, value, {
              kind: shownKind,
              family: issuer?.family ?? 'generic',
              payload: decoded.jwt.payload,
            }),
          )
        : [],
    [decoded, shownKind, issuer],
  );
  // Name the issuer family only when its notes change what is shown.
  const family =
    issuer !== undefined &&
    issuer.family !== 'generic' &&
    [...headerClaims, ...payloadClaims].some((claim) => claim.appliesTo !== 'standard')
      ? { label: ISSUER_FAMILY_LABEL[issuer.family], signal: issuer.signal }
      : undefined;

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
              className={`token-view__textarea ${mask.className}`.trim()}
              readOnly
              value={token}
              rows={4}
              spellCheck={false}
              autoComplete="off"
            />
            <div className="token-view__actions">
              {mask.toggle}
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
              {decision === undefined ? null : (
                <KindPanel
                  decision={decision}
                  shown={shownKind}
                  onChoose={(next) => setChoice({ token, kind: next })}
                  family={family}
                  ownSignals={ownSignals}
                />
              )}
              <ClaimTable caption="Header" claims={headerClaims} values={decoded.jwt.header} now={now} />
              <ClaimTable caption="Payload" claims={payloadClaims} values={decoded.jwt.payload} now={now} />
              <div className="token-view__signature">
                <p className="token-view__signature-label">Signature</p>
                <code className="token-view__value">
                  {decoded.jwt.signature === '' ? '(empty: this token is not signed)' : decoded.jwt.signature}
                </code>
                <p className="lab-message lab-message--warning">
                  Decoding proves nothing by itself: anyone can make a token that decodes like this one. Only
                  a checked signature says who issued it. {SIGNATURE_ADVICE[shownKind]}
                </p>
              </div>
            </>
          ) : null}
        </>
      )}
    </section>
  );
}
