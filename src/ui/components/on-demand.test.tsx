import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, test } from 'vitest';
import type { StepFailure } from '../../flows/runner.ts';
import { FailurePanel, preloadStepResults, TokenView } from './on-demand.tsx';
import { SnippetView } from './snippet-view.tsx';

const failure: StepFailure = {
  code: 'TOKEN_ENDPOINT_ERROR',
  message: 'The token endpoint refused the request.',
  status: 400,
  fields: { error: 'invalid_grant', error_description: 'AADSTS70008: The code has expired.' },
};
const JWT = 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJhZGVsZSJ9.';

describe('parts loaded on demand', () => {
  test('before its code has arrived a part is an empty busy block of its class; once loaded ahead it renders in the same pass', async () => {
    // Nothing has loaded them yet: the server render shows each part's placeholder.
    expect(renderToStaticMarkup(<FailurePanel failure={failure} />)).toBe(
      '<div class="failure" aria-busy="true"></div>',
    );
    expect(renderToStaticMarkup(<TokenView label="Access token" token={JWT} kind="access" />)).toContain(
      'aria-busy="true"',
    );
    preloadStepResults();
    // The loads started by the intent settle; the next render reads them without suspending.
    await import('./failure-panel.tsx');
    await import('./token-view.tsx');
    await new Promise((resolve) => setTimeout(resolve, 0));
    const panel = renderToStaticMarkup(<FailurePanel failure={failure} />);
    expect(panel).not.toContain('aria-busy');
    expect(panel).toContain('role="alert"');
    expect(panel).toContain('invalid_grant');
    const token = renderToStaticMarkup(<TokenView label="Access token" token={JWT} kind="access" />);
    expect(token).not.toContain('aria-busy');
    expect(token).toContain('Access token');
  });

  test('a closed snippet box holds only its summary: the snippet builders load when it opens', () => {
    const html = renderToStaticMarkup(
      <SnippetView
        request={{
          method: 'POST',
          url: 'https://login.example/token',
          headers: [['Content-Type', 'application/x-www-form-urlencoded']],
          body: 'grant_type=client_credentials',
          secretFields: [],
        }}
        revealed={false}
      />,
    );
    expect(html).toBe(
      '<details class="snippets"><summary>Send it yourself: PowerShell, curl or fetch</summary></details>',
    );
  });
});
