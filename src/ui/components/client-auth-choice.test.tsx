import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, test, vi } from 'vitest';
import { assessClientAuthMethods, type ClientAuthMethod } from '../../protocol/client-auth.ts';

// The settings store (for the starting method) reads window and localStorage when created.
const storage = new Map<string, string>();
const localStorage = {
  getItem: (key: string) => storage.get(key) ?? null,
  setItem: (key: string, value: string) => void storage.set(key, value),
  removeItem: (key: string) => void storage.delete(key),
};
vi.stubGlobal('localStorage', localStorage);
vi.stubGlobal('window', { location: { origin: 'http://localhost:5173' }, localStorage });
const { ClientAuthChoice } = await import('./client-auth-choice.tsx');

const SECRET = 'sandbox-only:Basic+Secret/&=%25';

function markup(
  method: ClientAuthMethod,
  metadata = { token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'] },
) {
  return renderToStaticMarkup(
    <ClientAuthChoice
      verdicts={assessClientAuthMethods(metadata)}
      method={method}
      onMethodChange={() => undefined}
      clientId="standard-basic"
      clientSecret={SECRET}
      deps={{ fetch: () => Promise.reject(new Error('no network')), now: () => 0 }}
    />,
  );
}

describe('client authentication choice', () => {
  test('one labelled radio per method; the ones the provider does not list are disabled with the reason', () => {
    const html = markup('client_secret_basic');
    expect(html).toContain('<legend>Client authentication</legend>');
    const radios = [...html.matchAll(/<input type="radio"[^>]*>/g)].map((m) => m[0]);
    expect(radios).toHaveLength(4);
    expect(radios.filter((r) => r.includes('disabled'))).toHaveLength(2);
    expect(radios.find((r) => r.includes('value="client_secret_jwt"'))).toContain('disabled');
    expect(radios.find((r) => r.includes('value="client_secret_basic"'))).toContain('checked');
    // Each radio is described by its line on what it sends (and why it is not offered).
    for (const radio of radios) {
      const id = /aria-describedby="([^"]+)"/.exec(radio)?.[1] ?? '';
      expect(html).toContain(`id="${id}"`);
    }
    expect(html).toMatch(/Not offered: Not listed in the provider’s token_endpoint_auth_methods_supported/);
  });

  test('client_secret_basic: the Authorization header and the three steps, the secret masked until revealed', () => {
    const html = markup('client_secret_basic');
    expect(html).toContain('client_secret_basic, step by step (RFC 6749 §2.3.1)');
    expect(html).toContain('1. Form-urlencoded');
    expect(html).not.toContain(SECRET);
    expect(html).not.toContain(encodeURIComponent(SECRET));
    expect(html).toContain('Reveal the secret in these steps');
    expect(html).toMatch(/another secret/);
  });

  test('client_secret_post: the secret is a body field, masked', () => {
    const html = markup('client_secret_post');
    expect(html).toContain('What client_secret_post adds to the request');
    expect(html).toMatch(/Body<\/td><th scope="row"><code>client_secret<\/code>/);
    expect(html).not.toContain(SECRET);
  });

  test('private_key_jwt: offers to generate a key pair; an assertion not yet signed is said to come with the request', () => {
    const html = markup('private_key_jwt', { token_endpoint_auth_methods_supported: ['private_key_jwt'] });
    expect(html).toContain('Generate a key pair');
    expect(html).toContain('(signed when the request is sent)');
  });
});
