import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  askedQuestions,
  buildChooserQuery,
  decidedAnswers,
  effectiveAnswers,
  nextQuestion,
  notApplicable,
  parseChooserQuery,
  pickRedirectUri,
  QUESTIONS,
  RECOMMENDATIONS,
  recommend,
  unrecognisedAnswers,
  MAX_UNRECOGNISED,
  shownAnswers,
  type ChooserAnswers,
  type GrantRecommendation,
  type PremiseId,
  type QuestionId,
  type Recommendation,
} from './chooser.ts';
import { FLOWS, type FlowId } from './registry.ts';

/** Every way of answering: each question left open or given one of its values. */
function everyAnswerSet(): ChooserAnswers[] {
  let sets: Record<string, string>[] = [{}];
  for (const question of QUESTIONS) {
    const next: Record<string, string>[] = [];
    for (const set of sets) {
      next.push(set);
      for (const option of question.options) next.push({ ...set, [question.id]: option.value });
    }
    sets = next;
  }
  return sets as ChooserAnswers[];
}

/** Answers the chooser's questions in the order it asks them, picking with `pick`. */
function walk(pick: (id: QuestionId, values: readonly string[]) => string): {
  answers: ChooserAnswers;
  asked: QuestionId[];
} {
  const answers: Record<string, string> = {};
  const asked: QuestionId[] = [];
  for (let q = nextQuestion(answers); q !== undefined; q = nextQuestion(answers)) {
    asked.push(q.id);
    answers[q.id] = pick(
      q.id,
      q.options.map((o) => o.value),
    );
    if (asked.length > QUESTIONS.length) throw new Error('the chooser asks a question twice');
  }
  return { answers, asked };
}

/** Every path through the questions: each question asked answered every way. */
function everyPath(): ChooserAnswers[] {
  const done: ChooserAnswers[] = [];
  const visit = (answers: Record<string, string>) => {
    const q = nextQuestion(answers);
    if (q === undefined) {
      done.push(answers);
      return;
    }
    for (const option of q.options) visit({ ...answers, [q.id]: option.value });
  };
  visit({});
  return done;
}

const RECOMMENDATION_LIST: readonly Recommendation[] = Object.values(RECOMMENDATIONS);
const GRANTS: readonly GrantRecommendation[] = RECOMMENDATION_LIST.filter(
  (r): r is GrantRecommendation => r.kind === 'grant',
);
const PREMISE_IDS: readonly PremiseId[] = ['user', 'secret', 'browser'];

/** Any answers, as a deep link may give them: each question absent or any of its values. */
const anyAnswers = fc.record(
  {
    app: fc.constantFrom('spa', 'web', 'native', 'cli', 'daemon', 'api'),
    user: fc.constantFrom('yes', 'no'),
    secret: fc.constantFrom('yes', 'no'),
    browser: fc.constantFrom('yes', 'no'),
  } as const,
  { requiredKeys: [] },
) as fc.Arbitrary<ChooserAnswers>;

describe('chooser: every combination of answers', () => {
  test('the answers shown beside a recommendation are exactly the ones it rests on, with the values it needs', () => {
    let ended = 0;
    for (const answers of everyAnswerSet()) {
      const r = recommend(answers);
      if (r === undefined) continue;
      ended++;
      const shown = shownAnswers(answers);
      const label = JSON.stringify(answers);
      expect(Object.fromEntries(shown.map((a) => [a.id, a.value])), label).toEqual(r.premise);
      expect(new Set(shown.map((a) => a.id)).size, label).toBe(shown.length);
    }
    expect(ended).toBeGreaterThan(100);
  });

  test('property: no answer shown ever contradicts the recommendation, and a question that does not apply is never shown or asked', () => {
    fc.assert(
      fc.property(anyAnswers, (answers) => {
        const shown = shownAnswers(answers);
        const skipped = notApplicable(answers);
        const asked = askedQuestions(answers).map((q) => q.id);
        for (const id of skipped) {
          expect(shown.map((a) => a.id)).not.toContain(id);
          expect(asked).not.toContain(id);
          expect(effectiveAnswers(answers)[id]).toBeUndefined();
        }
        for (const d of decidedAnswers(answers)) expect(skipped).not.toContain(d.id);
        const r = recommend(answers);
        if (r === undefined) return;
        for (const a of shown) expect(r.premise[a.id], `${a.id} shown as ${a.value}`).toBe(a.value);
        for (const id of PREMISE_IDS)
          if (r.premise[id] === undefined) expect(shown.map((a) => a.id)).not.toContain(id);
      }),
      { numRuns: 2000 },
    );
  });

  test('daemons and APIs are never asked or shown whether a browser is at hand; nor is anyone without a user', () => {
    for (const answers of everyAnswerSet()) {
      const noUser = effectiveAnswers(answers).user === 'no';
      if (answers.app === 'daemon' || answers.app === 'api' || (answers.app !== 'spa' && noUser))
        expect(
          shownAnswers(answers).map((a) => a.id),
          JSON.stringify(answers),
        ).not.toContain('browser');
    }
    expect(shownAnswers({ app: 'daemon', secret: 'yes', browser: 'yes' })).toEqual([
      { id: 'secret', value: 'yes' },
      { id: 'user', value: 'no', reason: 'A daemon runs with nobody signed in.' },
    ]);
  });

  test('ends on exactly one recommendation once no question is open, and on none before', () => {
    for (const answers of everyAnswerSet()) {
      const open = nextQuestion(answers);
      const result = recommend(answers);
      if (open === undefined) {
        expect(result, JSON.stringify(answers)).toBeDefined();
        expect(RECOMMENDATION_LIST.filter((r) => r === result)).toHaveLength(1);
      } else expect(result, JSON.stringify(answers)).toBeUndefined();
    }
  });

  test('a full set of answers to all four questions always reaches a recommendation', () => {
    const full = everyAnswerSet().filter((a) => QUESTIONS.every((q) => a[q.id] !== undefined));
    expect(full).toHaveLength(6 * 2 * 2 * 2);
    for (const answers of full) expect(recommend(answers), JSON.stringify(answers)).toBeDefined();
  });

  test('answering in the order asked ends within four questions, never asking a decided one', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(), { minLength: 4, maxLength: 4 }), (choices) => {
        let i = 0;
        const { answers, asked } = walk((_id, values) => values[(choices[i++] ?? 0) % values.length] ?? '');
        expect(new Set(asked).size).toBe(asked.length);
        const decided = decidedAnswers(answers).map((d) => d.id);
        for (const id of asked) expect(decided).not.toContain(id);
        expect(recommend(answers)).toBeDefined();
      }),
    );
  });

  test('every recommendation is reached by some path', () => {
    const reached = new Set(everyPath().map((a) => recommend(a)?.id));
    expect([...reached].sort()).toEqual(Object.keys(RECOMMENDATIONS).sort());
  });

  test('a decided answer wins over a contradicting one from a deep link', () => {
    expect(recommend({ app: 'spa', secret: 'yes', user: 'no' })?.id).toBe('spa-code-pkce');
    expect(recommend({ app: 'daemon', user: 'yes', secret: 'yes' })?.id).toBe('client-credentials');
    expect(recommend({ app: 'native', user: 'yes', secret: 'yes', browser: 'no' })?.id).toBe(
      'native-code-pkce',
    );
  });
});

describe('chooser: the grants it leads to', () => {
  test.each([
    [{ app: 'spa' }, 'spa-code-pkce', 'authorization-code'],
    [{ app: 'web', user: 'yes' }, 'web-code-pkce-secret', 'authorization-code'],
    [{ app: 'web', user: 'no' }, 'client-credentials', 'client-credentials'],
    [{ app: 'native', user: 'yes' }, 'native-code-pkce', 'authorization-code'],
    [{ app: 'native', user: 'no' }, 'public-no-user', null],
    [{ app: 'cli', user: 'yes', browser: 'yes' }, 'native-code-pkce', 'authorization-code'],
    [{ app: 'cli', user: 'yes', browser: 'no' }, 'device-code', 'device-code'],
    [{ app: 'cli', user: 'no', secret: 'yes' }, 'client-credentials', 'client-credentials'],
    [{ app: 'cli', user: 'no', secret: 'no' }, 'public-no-user', null],
    [{ app: 'daemon', secret: 'yes' }, 'client-credentials', 'client-credentials'],
    [{ app: 'daemon', secret: 'no' }, 'public-no-user', null],
    [{ app: 'api', user: 'yes' }, 'api-on-behalf-of', 'on-behalf-of'],
    [{ app: 'api', user: 'no' }, 'client-credentials', 'client-credentials'],
  ] as const)('%j → %s on /flows/%s', (answers, id, route) => {
    const result = recommend(answers);
    expect(result?.id).toBe(id);
    expect(result?.kind === 'grant' ? result.route : undefined).toBe(route ?? undefined);
  });

  test('every grant of the lab is reachable from some recommendation (its route, a page to avoid, a next page)', () => {
    const reachable = new Set<FlowId>();
    for (const answers of everyPath()) {
      const r = recommend(answers);
      if (r?.kind !== 'grant') continue;
      reachable.add(r.route);
      for (const a of r.avoid) if (a.route !== undefined) reachable.add(a.route);
      for (const next of r.related) reachable.add(next.route);
    }
    const grants = FLOWS.map((flow) => flow.id).filter((id) => id !== 'call-api');
    for (const id of grants) expect(reachable, id).toContain(id);
  });

  test('implicit and ROPC are never recommended, only named as ones to avoid', () => {
    for (const r of GRANTS) {
      expect(r.route).not.toBe('implicit');
      expect(r.route).not.toBe('password');
    }
    expect(RECOMMENDATION_LIST.filter((r) => r.avoid.some((a) => a.route === 'password'))).not.toHaveLength(
      0,
    );
    expect(RECOMMENDATION_LIST.filter((r) => r.avoid.some((a) => a.route === 'implicit'))).not.toHaveLength(
      0,
    );
  });
});

describe('chooser: citations and registration', () => {
  test.each(RECOMMENDATION_LIST.map((r) => [r.id, r] as const))(
    '%s cites RFC 9700 or Microsoft, and each avoidance cites its source',
    (_id, r) => {
      expect(r.cites.length).toBeGreaterThanOrEqual(1);
      expect(
        r.cites.some(
          (c) =>
            c.href.startsWith('https://www.rfc-editor.org/rfc/rfc9700#section-') ||
            c.href.startsWith('https://learn.microsoft.com/'),
        ),
      ).toBe(true);
      const guidance = r.kind === 'grant' ? r.guidance.map((g) => g.cite) : r.instead.map((i) => i.cite);
      for (const c of [...r.cites, ...r.avoid.map((a) => a.cite), ...guidance]) {
        expect(() => new URL(c.href)).not.toThrow();
        expect(new URL(c.href).protocol).toBe('https:');
        expect(c.label).not.toBe('');
      }
      expect(r.avoid.length).toBeGreaterThanOrEqual(1);
    },
  );

  test('RFC 9700 citations name the section their link points to', () => {
    for (const r of RECOMMENDATION_LIST)
      for (const c of [...r.cites, ...r.avoid.map((a) => a.cite)]) {
        const match = /^RFC 9700 §([\d.]+):/.exec(c.label);
        if (match !== null) expect(c.href).toBe(`https://www.rfc-editor.org/rfc/rfc9700#section-${match[1]}`);
      }
  });

  test('a grant with a redirect has a redirect URI shape on a redirect platform; the others have none', () => {
    for (const r of GRANTS) {
      if (r.route === 'authorization-code') {
        expect(r.platform).not.toBe('none');
        expect(r.redirectUris.length).toBeGreaterThan(0);
      } else {
        expect(r.platform).toBe('none');
        expect(r.redirectUris).toHaveLength(0);
      }
    }
    expect(RECOMMENDATIONS['native-code-pkce'].redirectUris.map((u) => u.uri)).toEqual([
      'http://localhost',
      'msal{clientId}://auth',
    ]);
  });
});

describe('chooser: deep links', () => {
  test('known values are read; unknown values and names are dropped, so the question is asked', () => {
    expect(parseChooserQuery('?app=spa')).toEqual({ app: 'spa' });
    expect(parseChooserQuery('?app=mainframe&user=yes')).toEqual({ user: 'yes' });
    expect(parseChooserQuery('app=cli&user=maybe&browser=no&color=red')).toEqual({
      app: 'cli',
      browser: 'no',
    });
    expect(nextQuestion(parseChooserQuery('?app=mainframe'))?.id).toBe('app');
    expect(nextQuestion(parseChooserQuery('?app=cli&user=maybe'))?.id).toBe('user');
  });

  test('the query holds only asked questions, and reading it back gives the same recommendation', () => {
    expect(buildChooserQuery({ app: 'spa', secret: 'yes' })).toBe('?app=spa');
    expect(buildChooserQuery({})).toBe('');
    for (const answers of everyAnswerSet()) {
      const back = parseChooserQuery(buildChooserQuery(answers));
      expect(recommend(back)?.id, JSON.stringify(answers)).toBe(recommend(answers)?.id);
      expect(nextQuestion(back)?.id).toBe(nextQuestion(answers)?.id);
    }
  });

  test('/choose?app=bogus: the answer is named as not recognised, with every value app takes', () => {
    expect(unrecognisedAnswers('?app=bogus')).toEqual([
      {
        kind: 'value',
        question: 'app',
        legend: 'What kind of app are you building?',
        given: 'bogus',
        valid: ['spa', 'web', 'native', 'cli', 'daemon', 'api'],
      },
    ]);
    expect(unrecognisedAnswers('?app=spa&user=yes')).toEqual([]);
    expect(unrecognisedAnswers('?colour=red')).toEqual([
      { kind: 'question', given: 'colour', valid: ['app', 'user', 'secret', 'browser'] },
    ]);
    expect(unrecognisedAnswers('?app=' + 'x'.repeat(500))[0]).toMatchObject({ given: `${'x'.repeat(40)}…` });
  });

  test('property: over any query, every question whose value is not one of its own is noted, and only those', () => {
    const name = fc.oneof(fc.constantFrom(...QUESTIONS.map((q) => q.id)), fc.string({ maxLength: 12 }));
    const value = fc.oneof(
      fc.constantFrom(...QUESTIONS.flatMap((q) => q.options.map((o) => o.value))),
      fc.string({ maxLength: 60 }),
    );
    const query = fc.oneof(
      fc.string({ maxLength: 200 }),
      fc
        .array(fc.tuple(name, value), { maxLength: 12 })
        .map((pairs) => new URLSearchParams(pairs).toString()),
    );
    fc.assert(
      fc.property(query, (text) => {
        const notes = unrecognisedAnswers(text);
        const params = new URLSearchParams(text);
        const answers = parseChooserQuery(text);
        expect(notes.length).toBeLessThanOrEqual(MAX_UNRECOGNISED);
        for (const note of notes) {
          expect([...note.given].length).toBeLessThanOrEqual(41);
          if (note.kind === 'value') {
            // Noted values are the ones the chooser dropped; the question is then asked.
            expect(answers[note.question]).toBeUndefined();
            expect(params.has(note.question)).toBe(true);
            expect(note.valid).toEqual(
              QUESTIONS.find((q) => q.id === note.question)?.options.map((o) => o.value),
            );
          } else {
            // A name that is no question (shown whole when short): never one of the four.
            expect(QUESTIONS.some((q) => q.id === note.given)).toBe(false);
            if (!note.given.endsWith('…')) expect(params.has(note.given)).toBe(true);
          }
        }
        // Every answer the link gave that was dropped is noted, as long as the list is not full.
        const dropped = QUESTIONS.filter((q) => params.has(q.id) && answers[q.id] === undefined).map(
          (q) => q.id,
        );
        if (notes.length < MAX_UNRECOGNISED)
          expect(notes.flatMap((n) => (n.kind === 'value' ? [n.question] : []))).toEqual(
            expect.arrayContaining(dropped) as unknown,
          );
        // A link with only valid answers says nothing.
        const recognised = [...params.keys()].every((k) => QUESTIONS.some((q) => q.id === k));
        if (recognised && dropped.length === 0) expect(notes).toEqual([]);
      }),
    );
  });

  test('any query string reads without throwing', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        const answers = parseChooserQuery(text);
        expect(askedQuestions(answers).length).toBeGreaterThan(0);
      }),
    );
  });
});

describe('chooser: the hand-off to the lab’s page, for every path', () => {
  test.each(everyPath().map((answers) => [buildChooserQuery(answers), answers] as const))(
    '%s opens its page with the registration, PKCE and secret that kind of client uses, or no page at all',
    (_query, answers) => {
      const r = recommend(answers)!;
      if (r.kind === 'none') {
        expect(r).not.toHaveProperty('route');
        expect(r).not.toHaveProperty('platform');
        expect(r).not.toHaveProperty('redirectUris');
        expect(r.instead.length).toBeGreaterThanOrEqual(2);
        return;
      }
      const { handOff } = r;
      if (r.route === 'authorization-code') {
        expect(handOff.pkce).toBe(true);
        // RFC 6749 §2.1: only a client on your server is confidential and redeems with its secret.
        expect(handOff.secret).toBe(r.premise.secret === 'yes');
        expect(handOff.registration).toBe(handOff.secret === true ? 'Flow Lab Web App' : 'Flow Lab SPA');
        // A stand-in registration says why it stands in.
        if (handOff.registration !== r.sandboxRegistration) expect(handOff.note ?? '').not.toBe('');
      } else {
        expect(handOff.registration).toBe(r.sandboxRegistration);
        expect(handOff).not.toHaveProperty('pkce');
        expect(handOff).not.toHaveProperty('secret');
      }
    },
  );

  test('the web app answer opens the code flow as a confidential client: Web App registration, PKCE on, its secret', () => {
    const r = recommend({ app: 'web', user: 'yes' });
    expect(r?.kind === 'grant' && r.route).toBe('authorization-code');
    expect(r?.kind === 'grant' && r.handOff).toEqual({
      registration: 'Flow Lab Web App',
      pkce: true,
      secret: true,
    });
  });
});

describe('chooser: Microsoft’s guidance around the grant', () => {
  const guidance = (id: keyof typeof RECOMMENDATIONS) => {
    const r = RECOMMENDATIONS[id];
    return r.kind === 'grant' ? r.guidance : [];
  };

  test('daemons: a managed identity, then workload identity federation, come before certificates and secrets', () => {
    const g = guidance('client-credentials');
    expect(g.map((x) => x.cite.href)).toEqual([
      'https://learn.microsoft.com/entra/identity/managed-identities-azure-resources/overview',
      'https://learn.microsoft.com/entra/workload-id/workload-identity-federation',
    ]);
    expect(g.every((x) => x.kind === 'prefer')).toBe(true);
    expect(RECOMMENDATIONS['client-credentials'].why.indexOf('no stored credential')).toBeLessThan(
      RECOMMENDATIONS['client-credentials'].why.indexOf('certificate'),
    );
  });

  test('SPAs: the backend-for-frontend pattern is offered as the stronger option', () => {
    const bff = guidance('spa-code-pkce').find((x) => x.kind === 'prefer');
    expect(bff?.title).toMatch(/backend for frontend/i);
    expect(bff?.cite.href).toContain('draft-ietf-oauth-browser-based-apps#section-6.1');
  });

  test('desktop and mobile: the broker (WAM, Authenticator, Company Portal) through MSAL', () => {
    const text = guidance('native-code-pkce')
      .map((x) => `${x.title} ${x.text}`)
      .join(' ');
    for (const word of ['WAM', 'Authenticator', 'Company Portal', 'MSAL']) expect(text).toContain(word);
    expect(guidance('native-code-pkce').map((x) => x.cite.href)).toContain(
      'https://learn.microsoft.com/entra/identity-platform/scenario-desktop-acquire-token-wam',
    );
  });

  test('device code: a warning on phishing and on Conditional Access blocking it, for use only without a browser', () => {
    const [warning] = guidance('device-code');
    expect(warning?.kind).toBe('warning');
    expect(`${warning?.title} ${warning?.text}`).toMatch(/phishing/);
    expect(warning?.text).toMatch(/Conditional Access/);
    expect(warning?.title).toMatch(/no browser/);
    expect(warning?.cite.href).toBe(
      'https://learn.microsoft.com/entra/identity/conditional-access/concept-authentication-flows',
    );
  });

  test('every grant keeps an RFC 9700 section or a Microsoft page among its citations', () => {
    for (const r of RECOMMENDATION_LIST)
      expect(
        r.cites.some((c) => /rfc9700#section-|^https:\/\/learn\.microsoft\.com\//.test(c.href)),
        r.id,
      ).toBe(true);
  });
});

describe('chooser: the hand-off profile’s redirect URI', () => {
  const CALLBACK = 'http://localhost:47611/callback';
  test('Entra ignores the port of a localhost redirect URI: the app’s own callback is used', () => {
    expect(pickRedirectUri(['http://localhost:5173/callback'], CALLBACK)).toBe(CALLBACK);
    expect(pickRedirectUri(['http://localhost/callback'], CALLBACK)).toBe(CALLBACK);
    expect(pickRedirectUri([CALLBACK], CALLBACK)).toBe(CALLBACK);
  });
  test('another path, host or scheme is not the same redirect URI: the registration’s first one is used', () => {
    expect(pickRedirectUri(['http://localhost:5173/other'], CALLBACK)).toBe('http://localhost:5173/other');
    expect(pickRedirectUri(['https://localhost:5173/callback'], CALLBACK)).toBe(
      'https://localhost:5173/callback',
    );
    expect(pickRedirectUri(['http://127.0.0.1:5173/callback'], CALLBACK)).toBe(
      'http://127.0.0.1:5173/callback',
    );
    expect(pickRedirectUri(['https://app.example.com/callback'], 'https://lab.example.com/callback')).toBe(
      'https://app.example.com/callback',
    );
    expect(pickRedirectUri([], CALLBACK)).toBe(CALLBACK);
  });
  test('property: any strings never throw, and the answer is the callback or a registered URI', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.webUrl(), fc.string())),
        fc.oneof(fc.webUrl(), fc.string()),
        (registered, callback) => {
          const picked = pickRedirectUri(registered, callback);
          expect([callback, ...registered]).toContain(picked);
        },
      ),
    );
  });
});
