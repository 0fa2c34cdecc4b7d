import { useEffect, useId, useMemo, useState } from 'react';
import {
  describeTime,
  detectIssuerFamily,
  explainClaim,
  explainHeader,
  ISSUER_FAMILY_LABEL,
} from '../../protocol/claims.ts';
import type { ClaimExplanation } from '../../protocol/claims.ts';
import {
  decideTokenKind,
  describeAccessTokenVersion,
  TOKEN_KIND_LABEL,
  TOKEN_KINDS,
} from '../../protocol/token-kind.ts';
import type { KindDecision, KindHint, TokenKind } from '../../protocol/token-kind.ts';
import { decodeJwt, describeTokenShape, isPast } from '../../protocol/jwt.ts';
import type { DecodedJwt } from '../../protocol/jwt.ts';
import { LabError } from '../../protocol/errors.ts';
import './components.css';
import { CopyButton } from './copy-button.tsx';
import { MaskedValue, useFieldMask } from './masked-value.tsx';

export interface TokenViewProps {
  /** Heading text, e.g. "Access token". */
  readonly label: string;
  readonly token: string;
  /**
   * What the token was received as, when the page knows it (the field of the token response). It wins
   * over the token's own signals; leave it out to decide from the header and claims alone.
   */
  readonly kind?: TokenKind;
  /** How the page knows `kind`, as a phrase after "because": defaults to "this page got it as the … token". */
  readonly kindSource?: string;
  /** Heading level of the label; the tables' captions sit below it. Defaults to 3. */
  readonly headingLevel?: 2 | 3 | 4;
  /**
   * What a signature check on this page found, so the view's own words follow it. Left out, nothing
   * on the page checks the signature and the view says so.
   */
  readonly signature?: SignatureStatus;
}

/**
 * Where the signature of the shown token stands on this page: nothing checks it here (`none`), a check
 * is offered but not run yet (`unchecked`), it was checked (`valid`, naming the key and where it came
 * from; `invalid`), or a check ran and could not decide (`undecided`, with the reason).
 */
export type SignatureStatus =
  | { readonly state: 'none' }
  | { readonly state: 'unchecked' }
  | { readonly state: 'valid'; readonly key: string }
  | { readonly state: 'invalid'; readonly finding: 'invalid' | 'not signed' }
  /** `reason` is a short phrase ("no matching key"); the check itself says the rest. */
  | { readonly state: 'undecided'; readonly reason: string };

type Decoded =
  { readonly ok: true; readonly jwt: DecodedJwt } | { readonly ok: false; readonly message: string };

const RELATIVE_TIME_REFRESH_MS = 30_000;
const NOT_CHECKED_HERE: SignatureStatus = { state: 'none' };

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

// RFC 7662: an API that receives an opaque token asks its issuer what it means (introspection).
const OPAQUE =
  'An opaque token: only its issuer can read it; an API that receives one asks the issuer what it means (token introspection, RFC 7662).';

function opaqueExplanation(kind: TokenViewProps['kind']): string {
  switch (kind) {
    case undefined:
    case 'jwt':
      return OPAQUE;
    case 'refresh':
      return `${OPAQUE} That is normal for Entra refresh tokens: the client just stores it and sends it back.`;
    case 'access':
      return `${OPAQUE} The client never needs to look inside an access token anyway.`;
    case 'id':
    case 'logout':
    case 'client-assertion':
    case 'request-object':
    case 'dpop-proof':
      return `Yet ${article(TOKEN_KIND_LABEL[kind])} ${TOKEN_KIND_LABEL[kind]} must be a signed JWT: something is wrong here.`;
  }
}

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
  accessVersion,
}: {
  readonly decision: KindDecision;
  /** The token's own signals, when a hint decided instead: shown if they point elsewhere. */
  readonly ownSignals: KindDecision | undefined;
  readonly shown: TokenKind;
  readonly onChoose: (kind: TokenKind) => void;
  readonly family: { readonly label: string; readonly signal: string } | undefined;
  /** For an access token: the Entra version its claims have, and which claims show it. */
  readonly accessVersion: { readonly version: string; readonly signal: string } | undefined;
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
      {shown === 'access' && accessVersion !== undefined ? (
        <p className="token-view__kind-version">
          Read as an Entra <strong>v{accessVersion.version}</strong> access token: {accessVersion.signal}.
        </p>
      ) : null}
      {family === undefined ? null : (
        <p className="token-view__kind-issuer">
          Explanations follow the conventions of <strong>{family.label}</strong>: {family.signal}.
        </p>
      )}
      <fieldset className="token-view__kind-choice">
        <legend>Explain as</legend>
        {TOKEN_KINDS.map((kind) => (
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
  'request-object':
    'The authorization server checks its signature against the client’s registered keys, and its aud, exp and client_id.',
  'dpop-proof':
    'The server checks its signature with the key in its own header (jwk), then htm, htu, iat and that jti was not seen before.',
  jwt: 'Whoever receives it must check its signature against the issuer’s keys, then whatever its kind requires.',
};

/** RFC 7519 §6: an unsecured JWT (alg "none", empty signature) has nothing to verify. */
function isUnsigned(jwt: DecodedJwt): boolean {
  const alg = jwt.header['alg'];
  return jwt.signature === '' || (typeof alg === 'string' && alg.toLowerCase() === 'none');
}

/** What the view says about the signature, following what the page found (never a fixed text). */
function SignatureNote({ status, advice }: { readonly status: SignatureStatus; readonly advice: string }) {
  switch (status.state) {
    case 'valid':
      return (
        <p className="lab-message" data-signature="valid">
          <strong>Signature verified above: valid</strong>, {status.key}. That proves who signed it, not that
          it is meant for you or still good. {advice}
        </p>
      );
    case 'invalid':
      return (
        <p className="lab-message lab-message--danger" data-signature="invalid">
          <strong>Signature checked above: {status.finding}.</strong> Nothing below can be trusted: anyone
          could have written these claims.
        </p>
      );
    case 'undecided':
      return (
        <p className="lab-message lab-message--warning" data-signature="undecided">
          <strong>The signature could not be checked</strong> ({status.reason}; the reason is above). Until it
          is, the claims below are unproven. {advice}
        </p>
      );
    case 'unchecked':
      return (
        <p className="lab-message lab-message--warning" data-signature="unchecked">
          <strong>Not verified yet:</strong> decoding proves nothing by itself; anyone can make a token that
          decodes like this one. “Verify the signature” above checks it. {advice}
        </p>
      );
    case 'none':
      return (
        <p className="lab-message lab-message--warning" data-signature="none">
          <strong>Not verified here:</strong> this view decodes the token without checking its signature, and
          anyone can make a token that decodes like this one. {advice}
        </p>
      );
  }
}

/** Shows a token: decoded header and claims for a JWT, an explanation otherwise. Never throws. */
export function TokenView({
  label,
  token,
  kind,
  kindSource,
  headingLevel = 3,
  signature = NOT_CHECKED_HERE,
}: TokenViewProps) {
  const headingId = useId();
  const textareaId = useId();
  // Presenter mode: the encoded token is drawn as discs until its own reveal is pressed.
  const mask = useFieldMask(`${label} (encoded)`, textareaId);
  const Heading = `h${headingLevel}` as const;
  const reading = describeTokenShape(token);
  const shape = reading.shape;
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
            explainHeader(name, value, issuer?.family ?? 'generic', shownKind),
          )
        : [],
    [decoded, issuer, shownKind],
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
          {shape === 'opaque' ? (
            <p className="lab-message" data-shape="opaque">
              Not a JWT: {reading.reason}. {opaqueExplanation(kind)}
            </p>
          ) : null}
          {shape === 'not-jwt' ? (
            <div className="lab-message lab-message--danger" data-shape="not-jwt">
              <p className="lab-message__title">Not a JWT, nor an opaque token</p>
              <p>Not a JWT: {reading.reason}.</p>
            </div>
          ) : null}
          {shape === 'jwe' ? (
            <p className="lab-message" data-shape="jwe">
              Not a JWT this view can read: {reading.reason}. Its claims are encrypted, so this view cannot
              show them.
            </p>
          ) : null}
          {decoded?.ok === false ? (
            <div className="lab-message lab-message--danger" data-shape="malformed">
              <p className="lab-message__title">Not a JWT: it starts like one, but cannot be decoded</p>
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
                  accessVersion={
                    issuer?.family === 'entra' ? describeAccessTokenVersion(decoded.jwt.payload) : undefined
                  }
                />
              )}
              <ClaimTable caption="Header" claims={headerClaims} values={decoded.jwt.header} now={now} />
              <ClaimTable caption="Payload" claims={payloadClaims} values={decoded.jwt.payload} now={now} />
              <div className="token-view__signature">
                <p className="token-view__signature-label">Signature</p>
                {decoded.jwt.signature === '' ? (
                  <code className="token-view__value">(empty: this token is not signed)</code>
                ) : (
                  // In presenter mode the signature is masked too: with the header and claims on screen,
                  // it is the one part missing to rebuild the whole token.
                  <MaskedValue value={decoded.jwt.signature} label="the signature" when="presenter" />
                )}
                {isUnsigned(decoded.jwt) ? (
                  <p className="lab-message lab-message--danger" data-signature="unsigned">
                    <strong>Unsigned token:</strong> there is no signature to check, so anyone could have
                    written this token. Nothing may accept it (RFC 8725 §3.1).
                  </p>
                ) : (
                  <SignatureNote status={signature} advice={SIGNATURE_ADVICE[shownKind]} />
                )}
              </div>
            </>
          ) : null}
        </>
      )}
    </section>
  );
}
