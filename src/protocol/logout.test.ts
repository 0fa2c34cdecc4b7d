import { describe, expect, test } from 'vitest';
import { InvalidInputError, ProtocolViolationError } from './errors.ts';
import { buildEndSessionUrl, validateLogoutRequest, validateLogoutReturn } from './logout.ts';

const input = {
  idTokenHint: 'eyJ.id.token',
  clientId: 'app',
  postLogoutRedirectUri: 'http://localhost:5173/callback',
  state: 'st-1',
};

describe('RP-initiated logout request', () => {
  test('RP-Initiated Logout §2: id_token_hint, client_id, post_logout_redirect_uri and state on the end_session URL', () => {
    const url = buildEndSessionUrl('https://op.example/session/end?x=1', input);
    expect(url.origin + url.pathname).toBe('https://op.example/session/end');
    expect([...url.searchParams]).toEqual([
      ['x', '1'],
      ['id_token_hint', 'eyJ.id.token'],
      ['client_id', 'app'],
      ['post_logout_redirect_uri', 'http://localhost:5173/callback'],
      ['state', 'st-1'],
    ]);
    expect(validateLogoutRequest(input)).toEqual([]);
  });

  test('empty parameters are left out', () => {
    const url = buildEndSessionUrl('https://op.example/logout', {
      idTokenHint: '',
      clientId: '',
      postLogoutRedirectUri: '',
      state: '',
    });
    expect(url.search).toBe('');
  });

  test('RP-Initiated Logout §2: a return address needs id_token_hint or client_id, and a state', () => {
    const warnings = validateLogoutRequest({ ...input, idTokenHint: '', clientId: '', state: '' });
    expect(warnings.map((w) => w.parameter)).toEqual(['id_token_hint', 'post_logout_redirect_uri', 'state']);
  });

  test('a relative endpoint is refused as input', () => {
    expect(() => buildEndSessionUrl('/session/end', input)).toThrow(InvalidInputError);
  });
});

describe('RP-initiated logout return', () => {
  test('RP-Initiated Logout §3: the state comes back unchanged', () => {
    expect(validateLogoutReturn('http://localhost/callback?state=st-1', 'st-1')).toEqual({ state: 'st-1' });
  });

  test.each([
    ['another state', 'http://localhost/callback?state=evil'],
    ['no state', 'http://localhost/callback'],
  ])('%s is a STATE_MISMATCH', (_name, href) => {
    let thrown: unknown;
    try {
      validateLogoutReturn(href, 'st-1');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ProtocolViolationError);
    expect((thrown as ProtocolViolationError).code).toBe('STATE_MISMATCH');
  });
});
