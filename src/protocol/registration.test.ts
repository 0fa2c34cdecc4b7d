import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { ProtocolViolationError, RegistrationError } from './errors.ts';
import { findBodySecrets } from './redact.ts';
import {
  buildClientConfigurationRequest,
  buildClientUpdateRequest,
  buildRegistrationRequest,
  compactMetadata,
  compareRegisteredMetadata,
  describeSecretExpiry,
  parseDeleteResponse,
  parseRegistrationResponse,
  splitList,
  validateClientMetadata,
  type ClientMetadata,
} from './registration.ts';

const ENDPOINT = 'https://server.example.com/register';

// RFC 7591 §3.1, the example request (without the localized client_name#ja-Jpan-JP).
const RFC_7591_REQUEST: ClientMetadata = {
  redirect_uris: ['https://client.example.org/callback', 'https://client.example.org/callback2'],
  client_name: 'My Example Client',
  token_endpoint_auth_method: 'client_secret_basic',
  logo_uri: 'https://client.example.org/logo.png',
  jwks_uri: 'https://client.example.org/my_public_keys.jwks',
  example_extension_parameter: 'example_value',
};

// RFC 7591 §3.2.1, the example response, with RFC 7592 §3's management fields.
const RFC_7591_RESPONSE = {
  client_id: 's6BhdRkqt3',
  client_secret: 'cf136dc3c1fc93f31185e5885805d',
  client_id_issued_at: 2893256800,
  client_secret_expires_at: 2893276800,
  redirect_uris: ['https://client.example.org/callback', 'https://client.example.org/callback2'],
  grant_types: ['authorization_code', 'refresh_token'],
  client_name: 'My Example Client',
  token_endpoint_auth_method: 'client_secret_basic',
  logo_uri: 'https://client.example.org/logo.png',
  jwks_uri: 'https://client.example.org/my_public_keys.jwks',
  example_extension_parameter: 'example_value',
  registration_access_token: 'reg-23410913-abewfq.123483',
  registration_client_uri: 'https://server.example.com/register/s6BhdRkqt3',
};

function answer(status: number, body: unknown) {
  return {
    status,
    body: typeof body === 'string' ? body : JSON.stringify(body),
    headers: [['Content-Type', 'application/json']] as const,
  };
}

describe('buildRegistrationRequest', () => {
  test('RFC 7591 §3.1: a JSON POST of the metadata', () => {
    const request = buildRegistrationRequest(ENDPOINT, RFC_7591_REQUEST);
    expect(request.method).toBe('POST');
    expect(request.url).toBe(ENDPOINT);
    expect(request.headers).toContainEqual(['Content-Type', 'application/json']);
    expect(JSON.parse(request.body ?? '')).toEqual(RFC_7591_REQUEST);
    expect(request.headers.some(([name]) => name === 'Authorization')).toBe(false);
    expect(request.secretFields).toEqual([]);
  });

  test('RFC 7591 §3: an initial access token goes as a bearer token, marked secret', () => {
    const request = buildRegistrationRequest(ENDPOINT, RFC_7591_REQUEST, ' iat-123 ');
    expect(request.headers).toContainEqual(['Authorization', 'Bearer iat-123']);
    expect(request.secretFields).toEqual(['Authorization']);
  });

  test('empty strings and lists are left out, so the server applies its defaults', () => {
    const request = buildRegistrationRequest(ENDPOINT, {
      client_name: '',
      grant_types: [],
      scope: 'openid',
      // A value typed in and cleared comes back as undefined from a form; it is left out too.
      ...({ jwks_uri: undefined } as unknown as Record<string, never>),
    });
    expect(JSON.parse(request.body ?? '')).toEqual({ scope: 'openid' });
  });

  test('property: the body is the compacted metadata, whatever the strings hold', () => {
    fc.assert(
      fc.property(
        fc.dictionary(
          fc.string(),
          fc.oneof(fc.string(), fc.array(fc.string(), { maxLength: 3 }), fc.integer(), fc.boolean()),
        ),
        (metadata) => {
          const body = JSON.parse(buildRegistrationRequest(ENDPOINT, metadata).body ?? '') as Record<
            string,
            unknown
          >;
          expect(body).toEqual(JSON.parse(JSON.stringify(compactMetadata(metadata))));
          for (const value of Object.values(body)) {
            expect(value).not.toBe('');
            expect(Array.isArray(value) && value.length === 0).toBe(false);
          }
        },
      ),
    );
  });
});

describe('buildClientConfigurationRequest', () => {
  test('RFC 7592 §2.1 and §2.3: GET and DELETE with the registration access token', () => {
    const read = buildClientConfigurationRequest(
      RFC_7591_RESPONSE.registration_client_uri,
      RFC_7591_RESPONSE.registration_access_token,
      'GET',
    );
    expect(read).toMatchObject({
      method: 'GET',
      url: 'https://server.example.com/register/s6BhdRkqt3',
      secretFields: ['Authorization'],
    });
    expect(read.headers).toContainEqual(['Authorization', 'Bearer reg-23410913-abewfq.123483']);
    expect(read.body).toBeUndefined();
    const remove = buildClientConfigurationRequest('https://s/reg/1', 'x', 'DELETE');
    expect(remove.method).toBe('DELETE');
  });
});

describe('buildClientUpdateRequest', () => {
  test('RFC 7592 §2.2: PUT of the whole metadata with the change and client_id, without server-owned fields', () => {
    const request = buildClientUpdateRequest(
      RFC_7591_RESPONSE.registration_client_uri,
      RFC_7591_RESPONSE.registration_access_token,
      RFC_7591_RESPONSE,
      { client_name: 'Renamed' },
    );
    expect(request.method).toBe('PUT');
    expect(request.headers).toContainEqual(['Authorization', 'Bearer reg-23410913-abewfq.123483']);
    const body = JSON.parse(request.body ?? '') as Record<string, unknown>;
    expect(body['client_id']).toBe('s6BhdRkqt3');
    expect(body['client_name']).toBe('Renamed');
    expect(body['redirect_uris']).toEqual(RFC_7591_RESPONSE.redirect_uris);
    for (const field of [
      'registration_access_token',
      'registration_client_uri',
      'client_secret_expires_at',
      'client_id_issued_at',
      'client_secret',
    ])
      expect(body).not.toHaveProperty(field);
  });
});

describe('parseRegistrationResponse', () => {
  test('RFC 7591 §3.2.1: the example response, with RFC 7592 §3 management fields', () => {
    const { client, notes } = parseRegistrationResponse(answer(201, RFC_7591_RESPONSE));
    expect(client.client_id).toBe('s6BhdRkqt3');
    expect(client.client_secret).toBe('cf136dc3c1fc93f31185e5885805d');
    expect(client.registration_access_token).toBe('reg-23410913-abewfq.123483');
    expect(client.registration_client_uri).toBe('https://server.example.com/register/s6BhdRkqt3');
    expect(client['example_extension_parameter']).toBe('example_value');
    expect(notes).toEqual([]);
  });

  test('RFC 7592 §3: a read answers 200', () => {
    expect(parseRegistrationResponse(answer(200, RFC_7591_RESPONSE), 'read').notes).toEqual([]);
    expect(parseRegistrationResponse(answer(200, RFC_7591_RESPONSE)).notes[0]).toMatch(/201 Created/);
  });

  test('RFC 7591 §3.2.2: invalid_redirect_uri keeps the server’s fields', () => {
    const body = {
      error: 'invalid_redirect_uri',
      error_description: 'The redirection URI http://sketchy.example.com is not allowed by this server.',
    };
    let error: unknown;
    try {
      parseRegistrationResponse(answer(400, body));
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(RegistrationError);
    const registrationError = error as RegistrationError;
    expect(registrationError.code).toBe('REGISTRATION_ERROR');
    expect(registrationError.status).toBe(400);
    expect(registrationError.fields).toEqual(body);
    expect(registrationError.message).toBe(body.error_description);
    expect(registrationError.cause).toBe(JSON.stringify(body));
  });

  test('RFC 7591 §3.2.2: invalid_client_metadata', () => {
    const body = {
      error: 'invalid_client_metadata',
      error_description:
        "The grant type 'authorization_code' must be registered along with the response type 'code' but found only 'implicit' instead.",
    };
    expect(() => parseRegistrationResponse(answer(400, body))).toThrow(RegistrationError);
  });

  test('a success without client_id is refused with MISSING_PARAMETER', () => {
    const { client_id: _omitted, ...rest } = RFC_7591_RESPONSE;
    expect(() => parseRegistrationResponse(answer(201, rest))).toThrow(
      expect.objectContaining({ code: 'MISSING_PARAMETER' }),
    );
  });

  test('an error status without an error body, or a body that is not an object, is INVALID_RESPONSE', () => {
    expect(() => parseRegistrationResponse(answer(500, '<html>down</html>'))).toThrow(ProtocolViolationError);
    expect(() => parseRegistrationResponse(answer(201, '[1]'))).toThrow(
      expect.objectContaining({ code: 'INVALID_RESPONSE' }),
    );
  });

  test('RFC 7591 §3.2.1: a secret without client_secret_expires_at is noted', () => {
    const { client_secret_expires_at: _omitted, ...rest } = RFC_7591_RESPONSE;
    expect(parseRegistrationResponse(answer(201, rest)).notes.join(' ')).toMatch(/client_secret_expires_at/);
  });

  test('RFC 7592 §3: a token without its URI is noted', () => {
    const { registration_client_uri: _omitted, ...rest } = RFC_7591_RESPONSE;
    expect(parseRegistrationResponse(answer(201, rest)).notes.join(' ')).toMatch(/RFC 7592 §3/);
  });

  test('the secret and the registration access token are masked in the raw answer', () => {
    const body = JSON.stringify(RFC_7591_RESPONSE, null, 2);
    const masked = findBodySecrets(body, 'application/json').map((span) => body.slice(span.start, span.end));
    expect(masked).toEqual(
      expect.arrayContaining([RFC_7591_RESPONSE.client_secret, RFC_7591_RESPONSE.registration_access_token]),
    );
  });
});

describe('parseDeleteResponse', () => {
  test('RFC 7592 §2.3: 204 No Content', () => {
    expect(parseDeleteResponse({ status: 204, body: '' }).notes).toEqual([]);
    expect(parseDeleteResponse({ status: 200, body: '' }).notes[0]).toMatch(/204/);
  });

  test('RFC 7592 §2.3: a wrong registration access token is a RegistrationError', () => {
    expect(() =>
      parseDeleteResponse(
        answer(401, { error: 'invalid_token', error_description: 'invalid token provided' }),
      ),
    ).toThrow(RegistrationError);
    expect(() =>
      parseDeleteResponse({
        status: 401,
        body: '',
        headers: [['WWW-Authenticate', 'Bearer realm="x", error="invalid_token"']],
      }),
    ).toThrow(expect.objectContaining({ code: 'REGISTRATION_ERROR' }));
    expect(() => parseDeleteResponse({ status: 502, body: 'Bad gateway' })).toThrow(ProtocolViolationError);
  });
});

describe('compareRegisteredMetadata', () => {
  test('RFC 7591 §3.2.1: values the server replaced are listed; order of lists does not matter', () => {
    const requested: ClientMetadata = {
      client_name: 'Lab',
      grant_types: ['refresh_token', 'authorization_code'],
      token_endpoint_auth_method: 'client_secret_jwt',
      scope: '',
    };
    const differences = compareRegisteredMetadata(requested, {
      client_id: 'c',
      client_name: 'Lab',
      grant_types: ['authorization_code', 'refresh_token'],
      token_endpoint_auth_method: 'client_secret_basic',
    });
    expect(differences).toEqual([
      {
        field: 'token_endpoint_auth_method',
        requested: 'client_secret_jwt',
        registered: 'client_secret_basic',
      },
    ]);
  });
});

describe('validateClientMetadata', () => {
  test('RFC 7591 §2.1: grant and response types must match', () => {
    const warnings = validateClientMetadata({
      redirect_uris: ['https://app.example/cb'],
      grant_types: ['authorization_code'],
      response_types: ['token'],
    });
    expect(warnings.map((w) => w.parameter).sort()).toEqual(['grant_types', 'response_types']);
  });

  test('a redirect grant needs a redirect URI; URIs must be absolute, without fragment', () => {
    expect(validateClientMetadata({ grant_types: ['authorization_code'] })[0]?.parameter).toBe(
      'redirect_uris',
    );
    const warnings = validateClientMetadata({ redirect_uris: ['/callback', 'https://a.example/cb#x'] });
    expect(warnings.map((w) => w.message).join(' ')).toMatch(/absolute.*fragment/s);
  });

  test('private_key_jwt without keys, and client_credentials for a public client', () => {
    expect(
      validateClientMetadata({
        redirect_uris: ['https://a.example/cb'],
        token_endpoint_auth_method: 'private_key_jwt',
      }).map((w) => w.parameter),
    ).toEqual(['jwks']);
    expect(
      validateClientMetadata({
        grant_types: ['client_credentials'],
        response_types: [],
        token_endpoint_auth_method: 'none',
      }).map((w) => w.parameter),
    ).toEqual(['grant_types']);
  });

  test('a consistent confidential client has no warnings', () => {
    expect(
      validateClientMetadata({
        redirect_uris: ['http://localhost:5173/callback'],
        grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      }),
    ).toEqual([]);
  });
});

test('describeSecretExpiry: 0 is never, seconds become a date', () => {
  expect(describeSecretExpiry(0)).toBe('never (0)');
  expect(describeSecretExpiry(2893276800)).toBe('2061-09-07T00:00:00.000Z (2893276800)');
  expect(describeSecretExpiry(undefined)).toBe('not said');
  expect(describeSecretExpiry('soon')).toMatch(/unreadable/);
});

test('splitList: spaces, commas and line breaks separate', () => {
  expect(splitList(' a b,c\nd ')).toEqual(['a', 'b', 'c', 'd']);
  expect(splitList('')).toEqual([]);
});
