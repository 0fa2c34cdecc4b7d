import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, test } from 'vitest';
import type { StepFailure } from '../../flows/runner.ts';
import { FailurePanel } from './failure-panel.tsx';

/** The panel as text, tags stripped, as a reader (or a screen reader) gets it. */
function text(
  failure: StepFailure,
  props: { context?: 'token' | 'device-poll'; endpoint?: string } = {},
): string {
  return renderToStaticMarkup(<FailurePanel failure={failure} {...props} />)
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#x27;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');
}

describe('failure panel', () => {
  test('an Okta body: the shape is named, its wire fields listed verbatim', () => {
    const shown = text(
      {
        code: 'TOKEN_ENDPOINT_ERROR',
        message: 'Invalid token provided',
        status: 401,
        format: 'okta',
        fields: {
          errorCode: 'E0000011',
          errorSummary: 'Invalid token provided',
          errorId: 'oae1',
          errorCauses: [],
          error: 'E0000011',
          error_description: 'Invalid token provided',
        },
      },
      { context: 'token', endpoint: 'https://acme.okta.com/oauth2/v1/token' },
    );
    expect(shown).toContain('Okta: invalid token');
    expect(shown).toContain('The answer was Okta’s error format (errorCode, errorSummary).');
    expect(shown).toContain('errorSummary Invalid token provided');
    expect(shown).toContain('errorCauses []');
  });

  test('an unreachable host: host, cause, system error, and that the relay is running', () => {
    const shown = text({
      code: 'NETWORK_ERROR',
      message: 'Could not reach login.microsoftonline.com: DNS lookup failed (ENOTFOUND).',
      unreachable: { host: 'login.microsoftonline.com', cause: 'dns', detail: 'ENOTFOUND', via: 'relay' },
    });
    expect(shown).toContain('Could not reach login.microsoftonline.com: DNS lookup failed');
    expect(shown).toContain('Host login.microsoftonline.com');
    expect(shown).toContain('System error ENOTFOUND');
    expect(shown).toContain('Tried by the local relay (it is running)');
  });

  test('a gateway’s HTML page is shown as text, never rendered', () => {
    const html = '<html><body><script>alert(1)</script>502 Bad Gateway</body></html>';
    const markup = renderToStaticMarkup(
      <FailurePanel
        failure={{
          code: 'INVALID_RESPONSE',
          message: 'HTTP 502 with an HTML page',
          status: 502,
          format: 'html',
          raw: html,
        }}
      />,
    );
    expect(markup).not.toContain('<script>');
    expect(markup).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(markup).toContain('Raw response (the page as text, not rendered)');
    expect(markup).toContain('a gateway, proxy or web page answered, not the authorization server');
  });

  test('AADSTS7000218 while polling a device code says to allow public client flows', () => {
    const shown = text(
      {
        code: 'TOKEN_ENDPOINT_ERROR',
        message: 'x',
        status: 401,
        format: 'oauth',
        fields: { error: 'invalid_client', error_codes: [7000218] },
      },
      { context: 'device-poll' },
    );
    expect(shown).toContain('Allow public client flows');
    expect(shown).not.toContain('The answer was');
  });
});
