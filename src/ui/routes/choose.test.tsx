import { renderToStaticMarkup } from 'react-dom/server';
import { MemoryRouter } from 'react-router';
import { describe, expect, test, vi } from 'vitest';
import fc from 'fast-check';
import { RECOMMENDATIONS, unrecognisedAnswers, type Recommendation } from '../../flows/chooser.ts';
import { catalogueEntry } from '../../flows/registry.ts';
import { GrantView, NoGrantView, UnrecognisedNote } from './choose.tsx';

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

describe('chooser page: a link it does not understand', () => {
  test('/choose?app=bogus says the answer was not recognised and lists the values app takes', () => {
    const html = renderToStaticMarkup(<UnrecognisedNote unknown={unrecognisedAnswers('?app=bogus')} />);
    expect(html).toContain('role="status"');
    expect(html).toContain('not all recognised');
    expect(html).toContain('“bogus” is not an answer to “What kind of app are you building?”');
    expect(html).toContain('Valid values: spa, web, native, cli, daemon, api.');
  });

  test('property: any query draws without throwing, and markup in it is shown as text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 120 }), fc.string({ maxLength: 40 }), (query, value) => {
        const search = `${query}&app=<b>${encodeURIComponent(value)}`;
        const html = renderToStaticMarkup(<UnrecognisedNote unknown={unrecognisedAnswers(search)} />);
        expect(html).not.toContain('<b>');
      }),
    );
  });
});
