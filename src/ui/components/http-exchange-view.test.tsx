import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, test } from 'vitest';
import type { HttpExchange } from '../../protocol/http.ts';
import { HttpExchangeView } from './http-exchange-view.tsx';

const JWT = 'eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJhZGVsZSJ9.c2lnbmF0dXJlLXZhbHVl';
const SECRETS = {
  code: '0.AQIAcode-value-123',
  verifier: 'verifier-verifier-verifier-verifier-verifier',
  secret: 'web~secret~value~1',
  refresh: '1.AQIArefresh-token-value',
  device: 'DAQABAAEAAAAmoFfGtYxv-device',
};

const exchange: HttpExchange = {
  request: {
    method: 'POST',
    url: 'https://login.microsoftonline.com/common/oauth2/v2.0/token',
    headers: [
      ['Content-Type', 'application/x-www-form-urlencoded'],
      ['Authorization', `Bearer ${JWT}`],
    ],
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code: SECRETS.code,
      code_verifier: SECRETS.verifier,
      client_secret: SECRETS.secret,
      scope: 'openid User.Read',
    }).toString(),
    secretFields: ['code', 'code_verifier', 'client_secret', 'Authorization'],
  },
  response: {
    status: 200,
    statusText: 'OK',
    headers: [['Content-Type', 'application/json']],
    body: JSON.stringify({
      token_type: 'Bearer',
      access_token: JWT,
      refresh_token: SECRETS.refresh,
      id_token: JWT,
      device_code: SECRETS.device,
      user_code: 'F7KQ2MPXA',
    }),
  },
  via: 'browser',
  viaReason: '',
  startedAt: 1,
  durationMs: 12,
};

describe('HTTP exchange view', () => {
  test('one rule for request and response: every credential masked, each with a reveal naming it', () => {
    const html = renderToStaticMarkup(<HttpExchangeView exchange={exchange} />);
    for (const value of [JWT, ...Object.values(SECRETS)]) {
      expect(html).not.toContain(value);
      expect(html).not.toContain(encodeURIComponent(value));
    }
    for (const name of [
      'code',
      'code_verifier',
      'client_secret',
      'Authorization',
      'access_token',
      'refresh_token',
      'id_token',
      'device_code',
    ])
      expect(html).toContain(`>Reveal ${name}</button>`);
    // What is not a credential is shown as it went: the scope, the user code the user must read.
    expect(html).toContain('F7KQ2MPXA');
    expect(html).toContain('&quot;token_type&quot;: &quot;Bearer&quot;');
    expect(html).toContain('Authorization: Bearer ');
    expect(html).toContain('>Copy the response, secrets redacted</button>');
    expect(html).toContain('>Copy the response with its secrets</button>');
  });
});
