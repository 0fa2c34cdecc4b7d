import { expect, test } from '@playwright/test';

test.describe('security headers', () => {
  test('the built app is served with a strict CSP and no-referrer, and no page breaks it', async ({
    page,
  }) => {
    const violations: string[] = [];
    await page.exposeFunction('reportViolation', (text: string) => violations.push(text));
    await page.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (e) => {
        (window as unknown as { reportViolation: (t: string) => void }).reportViolation(
          `${e.violatedDirective} ${e.blockedURI}`,
        );
      });
    });
    const response = await page.goto('/');
    const headers = response?.headers() ?? {};
    expect(headers['content-security-policy']).toContain("script-src 'self'");
    expect(headers['content-security-policy']).not.toContain('unsafe-eval');
    expect(headers['referrer-policy']).toBe('no-referrer');
    // The flow page loads mermaid and draws the diagram: the heaviest thing the CSP must allow.
    await page.goto('/flows/authorization-code');
    await expect(page.locator('.flow-diagram svg')).toBeVisible();
    await page.goto('/tokens');
    await page.goto('/settings');
    expect(violations).toEqual([]);
  });
});
