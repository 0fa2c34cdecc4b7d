import type { TokenResponse } from '../../protocol/token.ts';
import { TokenView } from './token-view.tsx';

/** A token response: its metadata, then each token decoded; says why a token is absent. */
export function TokensPanel(props: { tokens: TokenResponse; noIdToken?: string; noRefreshToken?: string }) {
  const { tokens } = props;
  return (
    <div className="tokens-panel">
      <dl className="token-meta">
        <dt>token_type</dt>
        <dd>{tokens.token_type}</dd>
        <dt>scope</dt>
        <dd>{tokens.scope ?? '(not returned)'}</dd>
        <dt>expires_in</dt>
        <dd>{tokens.expires_in === undefined ? '(not returned)' : `${String(tokens.expires_in)} seconds`}</dd>
      </dl>
      <TokenView label="Access token" token={tokens.access_token} kind="access" />
      {tokens.id_token !== undefined ? (
        <TokenView label="ID token" token={tokens.id_token} kind="id" />
      ) : (
        <p className="absent">{props.noIdToken ?? 'No ID token: ask for the openid scope to get one.'}</p>
      )}
      {tokens.refresh_token !== undefined ? (
        <TokenView label="Refresh token" token={tokens.refresh_token} kind="refresh" />
      ) : (
        <p className="absent">
          {props.noRefreshToken ?? 'No refresh token: ask for offline_access to get one.'}
        </p>
      )}
    </div>
  );
}
