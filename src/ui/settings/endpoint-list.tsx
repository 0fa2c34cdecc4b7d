import type { Endpoints } from '../../protocol/endpoints.ts';

/** The endpoints a flow will use, with the ones an authority does not offer said plainly. */
export function EndpointList({ endpoints }: { endpoints: Endpoints }) {
  const rows: [string, string | undefined, string][] = [
    ['Authorization', endpoints.authorization, ''],
    ['Token', endpoints.token, 'Not offered: nothing can be redeemed; only the implicit flow works.'],
    [
      'Device authorization',
      endpoints.deviceAuthorization,
      'Not offered: the device code flow is not available.',
    ],
    ['Keys (JWKS)', endpoints.jwks, 'Not offered: token signatures cannot be checked.'],
    ['Discovery', endpoints.discovery, 'None: typed by hand.'],
  ];
  return (
    <dl className="endpoints">
      {rows.map(([name, url, absent]) => (
        <div key={name}>
          <dt>{name}</dt>
          <dd>{url === undefined ? <span className="absent">{absent}</span> : <code>{url}</code>}</dd>
        </div>
      ))}
    </dl>
  );
}
