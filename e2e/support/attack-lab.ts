/**
 * What the attack lab's specs share: the two origins an attack may reach, a recorder of every origin the
 * page asks, and one run of an attack page played with the keyboard.
 */
import { expect, type Locator, type Page } from '@playwright/test';
import { E2E_APP_PORT, E2E_SANDBOX_PORT } from '../../playwright.config.ts';

export const APP = `http://localhost:${E2E_APP_PORT}`;
export const SANDBOX = `http://localhost:${E2E_SANDBOX_PORT}`;

/** Every request the page makes, to prove an attack reaches no host but the app and the sandbox. */
export function recordHosts(page: Page): Set<string> {
  const origins = new Set<string>();
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (url.protocol.startsWith('http')) origins.add(url.origin);
  });
  return origins;
}

/** Runs one of an attack page's two runs with the keyboard and waits for its outcome, which takes focus. */
export async function run(page: Page, mode: 'off' | 'on'): Promise<Locator> {
  const panel = page.getByRole('region', { name: new RegExp(`^Defence ${mode}:`) });
  await panel
    .getByRole('button', { name: new RegExp(`the attack with the defence ${mode}$`) })
    .press('Enter');
  const outcome = panel.getByRole('heading', {
    level: 3,
    name: /^(The attack worked|The defence stopped it|The run did not finish)$/,
  });
  // A run signs users in on the sandbox and redeems codes: allow for a loaded machine.
  await expect(outcome).toBeVisible({ timeout: 30_000 });
  return panel;
}

/** Every URL the page requests, to tell a stored diagram drawing from mermaid being loaded. */
export function recordRequests(page: Page): string[] {
  const urls: string[] = [];
  page.on('request', (request) => urls.push(request.url()));
  return urls;
}

/**
 * The diagram beside the runs is a stored drawing (mermaid is never loaded on an attack page) and draws
 * the attacker apart: alone in a tinted box titled "Attacker", labelled "Attacker (…)".
 */
export async function expectStoredDiagramWithAttacker(
  page: Page,
  requested: readonly string[],
): Promise<void> {
  const svg = page.locator('.flow-diagram .sequence-diagram__canvas svg');
  await expect(svg).toHaveCount(1, { timeout: 15_000 });
  await expect(svg.locator('rect[fill="rgb(253, 226, 226)"]')).toHaveCount(1);
  await expect(svg.locator('text.text', { hasText: /^Attacker$/ })).toHaveCount(1);
  await expect(svg.locator('rect.actor-top[name="attacker"]')).toHaveCount(1);
  expect(requested.some((url) => /\/diagrams\/[0-9a-f]{28}\.svg$/.test(url))).toBe(true);
  expect(requested.filter((url) => /mermaid|sequenceDiagram-/i.test(url))).toEqual([]);
}
