import { decodeClientInfo } from '../../protocol/client-info.ts';
import type { TokenResponse } from '../../protocol/token.ts';
import { TokenView } from './token-view.tsx';

/** Entra's client_info (sent when the request had client_info=1), decoded. */
function ClientInfoEntry({ value }: { readonly value: unknown }) {
  const info = decodeClientInfo(value);
  return (
    <>
      <dt>client_info</dt>
      <dd>
        {info.ok ? (
          <>
            uid <code>{info.uid}</code> (the user’s object id), utid <code>{info.utid}</code> (their home
            tenant): the account id MSAL caches tokens under is <code>{info.homeAccountId}</code>.
          </>
        ) : (
          info.reason
        )}
      </dd>
    </>
  );
}

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
        {tokens['client_info'] !== undefined && <ClientInfoEntry value={tokens['client_info']} />}
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
