import { describe, expect, test } from 'vitest';
import { asWildcardRegistration, wildcardRedirectUriMatches } from './attack-lab-redirect-uri-wildcard.ts';

const REGISTERED = ['http://localhost:5173/callback'];

describe('wildcard reading of registered redirect URIs (attack lab, vulnerable mode only)', () => {
  test('a registered URI stands for its whole site', () => {
    expect(asWildcardRegistration('https://app.example/callback')).toBe('https://app.example/*');
    expect(asWildcardRegistration('myapp://auth')).toBeUndefined();
  });

  test('any path on the site matches, the loopback port is ignored', () => {
    expect(wildcardRedirectUriMatches(REGISTERED, 'http://localhost:5173/users/attacker/profile')).toBe(true);
    expect(wildcardRedirectUriMatches(REGISTERED, 'http://localhost:47412/anything?x=1')).toBe(true);
    expect(wildcardRedirectUriMatches(REGISTERED, 'http://localhost:5173/callback')).toBe(true);
  });

  test('another host, another scheme, a fragment or user information still do not', () => {
    expect(wildcardRedirectUriMatches(REGISTERED, 'http://127.0.0.1:5173/callback')).toBe(false);
    expect(wildcardRedirectUriMatches(REGISTERED, 'https://localhost:5173/callback')).toBe(false);
    expect(wildcardRedirectUriMatches(REGISTERED, 'http://localhost:5173/x#frag')).toBe(false);
    expect(wildcardRedirectUriMatches(REGISTERED, 'http://user@localhost:5173/x')).toBe(false);
    expect(wildcardRedirectUriMatches(['https://app.example/cb'], 'https://app.example:8443/cb')).toBe(false);
    expect(wildcardRedirectUriMatches(['https://app.example/cb'], 'https://app.example/other')).toBe(true);
  });
});
