import { renderToStaticMarkup } from 'react-dom/server';
import { MemoryRouter } from 'react-router';
import { describe, expect, test, vi } from 'vitest';
import { RECOMMENDATIONS, type Recommendation } from '../../flows/chooser.ts';
import { catalogueEntry } from '../../flows/registry.ts';
import { GrantView, NoGrantView } from './choose.tsx';

// The page's stores read the browser (window, storage) when loaded; drawing needs only the authority.
vi.mock('../../state/settings.ts', () => ({
  useSettings: (select: (s: { authority: string }) => unknown) => select({ authority: 'sandbox' }),
  defaultProfile: () => ({}),
  defaultRedirectUri: () => 'http://localhost/callback',
}));
vi.mock('../../state/flow-runs.ts', () => ({ useFlowRuns: { getState: () => ({ runs: {} }) } }));
vi.mock('../../state/sandbox-directory.ts', () => ({ sandboxAppNamed: () => undefined }));
vi.mock('../settings/well-known-clients.ts', () => ({ profileFromSandboxApp: () => ({}) }));

function render(r: Recommendation): string {
  return renderToStaticMarkup(
    <MemoryRouter>{r.kind === 'grant' ? <GrantView r={r} /> : <NoGrantView r={r} />}</MemoryRouter>,
  );
}

const ALL: readonly Recommendation[] = Object.values(RECOMMENDATIONS);

describe('chooser page: a recommendation as drawn', () => {
  test.each(ALL.filter((r) => r.kind === 'grant').map((r) => [r.id, r] as const))(
    '%s: one Open button for its page, the registration, and each guidance item with its source',
    (_id, r) => {
      const html = render(r);
      expect(html.match(/<button/g)).toHaveLength(1);
      expect(html).toContain(`Open ${catalogueEntry(r.route).title}`);
      expect(html).toContain('Register it');
      // In the sandbox, Open says which registration the page runs before it is pressed.
      expect(html).toContain(r.handOff.registration);
      for (const g of r.guidance) {
        expect(html).toContain(g.title);
        expect(html).toContain(`href="${g.cite.href}"`);
      }
      if (r.id === 'web-code-pkce-secret')
        expect(html).toContain('its client secret (a confidential client)');
      expect(html).not.toContain('Untick PKCE');
    },
  );

  test('no grant fits: why and what to do instead, with no button, no page link and no registration advice', () => {
    const r = RECOMMENDATIONS['public-no-user'];
    const html = render(r);
    expect(html).not.toContain('<button');
    expect(html).not.toContain('href="/flows/');
    expect(html).not.toContain('Register it');
    expect(html).not.toContain('Entra platform');
    expect(html).toContain('What to do instead');
    for (const item of r.instead) expect(html).toContain(`href="${item.cite.href}"`);
  });
});
