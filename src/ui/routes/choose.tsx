import { useId, useRef, useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import {
  askedQuestions,
  buildChooserQuery,
  decidedAnswers,
  nextQuestion,
  parseChooserQuery,
  PLATFORM_NAMES,
  QUESTIONS,
  recommend,
  type ChooserAnswers,
  type ChooserQuestion,
  type Citation,
  type Recommendation,
} from '../../flows/chooser.ts';
import { catalogueEntry, flowPath } from '../../flows/registry.ts';
import { sandboxAppNamed } from '../../state/sandbox-directory.ts';
import { defaultProfile, useSettings, type AppProfile } from '../../state/settings.ts';
import './choose.css';

/** One question as a radio group; the hint of each choice is its description. */
function QuestionGroup(props: {
  readonly question: ChooserQuestion;
  readonly value: string | undefined;
  readonly onChange: (value: string) => void;
}) {
  const { question, value, onChange } = props;
  const name = useId();
  return (
    <fieldset className="choose-question">
      <legend>{question.legend}</legend>
      {question.options.map((option) => (
        <label key={option.value} className="choose-option">
          <input
            type="radio"
            name={name}
            value={option.value}
            checked={value === option.value}
            onChange={() => onChange(option.value)}
            aria-labelledby={`${name}-${option.value}-label`}
            aria-describedby={`${name}-${option.value}-hint`}
          />
          <span>
            <span className="choose-option-label" id={`${name}-${option.value}-label`}>
              {option.label}
            </span>
            <span className="help" id={`${name}-${option.value}-hint`}>
              {option.hint}
            </span>
          </span>
        </label>
      ))}
    </fieldset>
  );
}

function CitationLink({ cite }: { readonly cite: Citation }) {
  return (
    <a href={cite.href} rel="noreferrer">
      {cite.label}
    </a>
  );
}

/**
 * What the "Open" button does to the app profile, said before it is pressed. In the sandbox the code
 * flow's page runs the active profile, and this lab is a browser: only the SPA registration may redeem a
 * code from it, so that is the profile it opens with. The other pages pick their own sandbox registration.
 */
function sandboxNote(r: Recommendation): string {
  if (r.route !== 'authorization-code')
    return `In the sandbox this page uses its own registration for this kind of client: ${r.sandboxRegistration}.`;
  const base = 'Opens with the sandbox’s Flow Lab SPA registration as the active profile';
  switch (r.sandboxRegistration) {
    case 'Flow Lab SPA':
      return `${base}.`;
    case 'Flow Lab Web App':
      return `${base}: this lab runs in your browser. Untick PKCE on that page to see the Flow Lab Web App registration redeem its code with its secret, as your server would.`;
    default:
      return `${base}: this lab runs in your browser and plays the app. A real installed app registers like the sandbox’s ${r.sandboxRegistration} (a public client).`;
  }
}

/**
 * Makes a profile for the sandbox's SPA registration active: the active one if it is one already, else
 * the first that is (no client id means the SPA in the sandbox), else a fresh one like the default.
 */
function selectSandboxSpaProfile(): void {
  const settings = useSettings.getState();
  const spaId = sandboxAppNamed('Flow Lab SPA')?.clientId;
  const isSpa = (p: AppProfile) => p.clientId === '' || (spaId !== undefined && p.clientId === spaId);
  const active = settings.profiles.find((p) => p.id === settings.activeProfileId);
  if (active !== undefined && isSpa(active)) return;
  const spa = settings.profiles.find(isSpa);
  if (spa !== undefined) settings.selectProfile(spa.id);
  else {
    const { id: _fresh, ...profile } = defaultProfile();
    settings.addProfile(profile);
  }
}

function RecommendationView({ r }: { readonly r: Recommendation }) {
  const navigate = useNavigate();
  const authority = useSettings((s) => s.authority);
  const headingId = useId();
  const title = catalogueEntry(r.route).title;
  const open = () => {
    if (authority === 'sandbox' && r.route === 'authorization-code') selectSandboxSpaProfile();
    void navigate(flowPath(r.route));
  };
  return (
    <section className="choose-result" aria-labelledby={headingId}>
      <h2 id={headingId}>Use: {r.grant}</h2>
      <p>{r.why}</p>
      <h3>Register it</h3>
      <dl className="choose-registration">
        <dt>Entra platform</dt>
        <dd>{PLATFORM_NAMES[r.platform]}</dd>
        <dt>Redirect URI</dt>
        <dd>
          {r.redirectUris.length === 0 ? (
            'None: this grant sends no one through a browser redirect back to the app.'
          ) : (
            <ul>
              {r.redirectUris.map((u) => (
                <li key={u.uri}>
                  <code>{u.uri}</code> <span className="help">({u.note})</span>
                </li>
              ))}
            </ul>
          )}
        </dd>
      </dl>
      <p>{r.platformNote}</p>
      <p className="choose-open">
        <button type="button" className="primary" onClick={open}>
          Open {title}
        </button>
      </p>
      <p className="help">
        {authority === 'sandbox'
          ? sandboxNote(r)
          : 'Opens the page with your current authority and active profile (see Settings).'}
      </p>
      <h3>Avoid</h3>
      <ul className="choose-avoid">
        {r.avoid.map((a) => (
          <li key={a.what}>
            <strong>{a.what}</strong>: {a.why} <CitationLink cite={a.cite} />
            {a.route !== undefined && (
              <>
                {' · '}
                <Link to={flowPath(a.route)}>See it on its page: {catalogueEntry(a.route).title}</Link>
              </>
            )}
          </li>
        ))}
      </ul>
      <h3>Then</h3>
      <ul>
        {r.related.map((next) => (
          <li key={next.route}>
            <Link to={flowPath(next.route)}>{catalogueEntry(next.route).title}</Link>: {next.text}
          </li>
        ))}
      </ul>
      <h3>Why, in the standards and Microsoft’s guidance</h3>
      <ul>
        {r.cites.map((c) => (
          <li key={c.href}>
            <CitationLink cite={c} />
          </li>
        ))}
      </ul>
    </section>
  );
}

export default function ChoosePage() {
  const [searchParams, setSearchParams] = useSearchParams();
  const [announcement, setAnnouncement] = useState('');
  const form = useRef<HTMLFormElement>(null);
  const answers = parseChooserQuery(searchParams);
  const open = nextQuestion(answers);
  const asked = askedQuestions(answers);
  // The questions answered so far, then the first open one; the rest wait for it.
  const shown = open === undefined ? asked : asked.slice(0, asked.indexOf(open) + 1);
  const decided = answers.app === undefined ? [] : decidedAnswers(answers);
  const result = recommend(answers);

  const answer = (id: ChooserQuestion['id'], value: string) => {
    const next = { ...answers, [id]: value } as ChooserAnswers;
    // Replace, not push: going back leaves the chooser rather than undoing one click.
    setSearchParams(buildChooserQuery(next), { replace: true });
    const then = nextQuestion(next);
    const ends = recommend(next);
    setAnnouncement(
      then !== undefined
        ? `Next question: ${then.legend}`
        : ends !== undefined
          ? `Recommendation: ${ends.grant}.`
          : '',
    );
  };

  const startOver = () => {
    setSearchParams('', { replace: true });
    setAnnouncement(`Started over. ${QUESTIONS[0]?.legend ?? ''}`);
    // The button goes with the answers: focus moves to the first question instead of being lost.
    requestAnimationFrame(() => form.current?.querySelector('input')?.focus());
  };

  return (
    <section aria-labelledby="choose-title" className="choose">
      <h1 id="choose-title">Which flow should I use?</h1>
      <p className="lede">
        Up to four questions about your app. The answer is the grant to use, the ones to avoid and why, and
        how to register the app in Entra ID — each with the guidance it rests on.
      </p>
      <form
        ref={form}
        className="choose-questions"
        aria-label="Questions"
        onSubmit={(e) => e.preventDefault()}
      >
        {shown.map((question) => (
          <QuestionGroup
            key={question.id}
            question={question}
            value={answers[question.id]}
            onChange={(value) => answer(question.id, value)}
          />
        ))}
      </form>
      {decided.length > 0 && (
        <>
          <h2 className="choose-decided-title">Decided by your answers</h2>
          <ul className="choose-decided">
            {decided.map((d) => {
              const question = QUESTIONS.find((q) => q.id === d.id);
              const label = question?.options.find((o) => o.value === d.value)?.label ?? d.value;
              return (
                <li key={d.id}>
                  {question?.legend} <strong>{label}</strong>: {d.reason}
                </li>
              );
            })}
          </ul>
        </>
      )}
      <p role="status" className="visually-hidden">
        {announcement}
      </p>
      {result !== undefined && <RecommendationView r={result} />}
      {answers.app !== undefined && (
        <p>
          <button type="button" onClick={startOver}>
            Start over
          </button>
        </p>
      )}
    </section>
  );
}
