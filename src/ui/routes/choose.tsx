import { useId, useRef, useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import type { AuthCodeContext } from '../../flows/authorization-code.ts';
import {
  askedQuestions,
  buildChooserQuery,
  nextQuestion,
  parseChooserQuery,
  unrecognisedAnswers,
  pickRedirectUri,
  PLATFORM_NAMES,
  QUESTIONS,
  recommend,
  shownAnswers,
  type Avoidance,
  type ChooserAnswers,
  type ChooserQuestion,
  type UnrecognisedAnswer,
  type Citation,
  type GrantRecommendation,
  type Guidance,
  type NoGrantRecommendation,
  type SandboxRegistration,
} from '../../flows/chooser.ts';
import { catalogueEntry, flowPath } from '../../flows/registry.ts';
import { useFlowRuns, type FlowRun } from '../../state/flow-runs.ts';
import { sandboxAppNamed } from '../../state/sandbox-directory.ts';
import { defaultProfile, defaultRedirectUri, useSettings, type AppProfile } from '../../state/settings.ts';
import { profileFromSandboxApp } from '../settings/well-known-clients.ts';
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

/** What the "Open" button does in the sandbox, said before it is pressed. */
function sandboxNote(r: GrantRecommendation): string {
  const { registration, pkce, secret, note } = r.handOff;
  if (r.route !== 'authorization-code')
    return `In the sandbox this page uses its own registration for this kind of client: ${registration}.`;
  const how =
    secret === true ? 'PKCE on and its client secret (a confidential client)' : 'PKCE on, no secret';
  const base = `Opens with the sandbox’s ${registration} registration as the active profile, ${pkce === true ? how : 'no PKCE'}; a run of that page for another client starts again.`;
  return note === undefined ? base : `${base} ${note}`;
}

/**
 * Makes the sandbox registration `name` the active profile for the code flow: the active one if it is it
 * already, else the first profile that is, else a new profile filled from the sandbox's directory. For
 * the SPA, a profile with no client id counts (in the sandbox it means the SPA). Returns the client id,
 * or undefined when the directory does not list the registration (the page then says the sandbox is
 * unreachable).
 */
function selectSandboxProfile(name: SandboxRegistration): string | undefined {
  const settings = useSettings.getState();
  const app = sandboxAppNamed(name);
  if (app === undefined) return undefined;
  const callback = defaultRedirectUri();
  const fill = {
    ...profileFromSandboxApp(app, callback),
    redirectUri: pickRedirectUri(app.redirectUris, callback),
    preset: '',
  };
  const fits = (p: AppProfile) =>
    (p.clientId === app.clientId || (name === 'Flow Lab SPA' && p.clientId === '')) &&
    p.platform === fill.platform;
  const active = settings.profiles.find((p) => p.id === settings.activeProfileId);
  if (active !== undefined && fits(active)) return app.clientId;
  const existing = settings.profiles.find(fits);
  if (existing !== undefined) settings.selectProfile(existing.id);
  else if (name === 'Flow Lab SPA') {
    const { id: _fresh, ...profile } = defaultProfile();
    settings.addProfile(profile);
  } else settings.addProfile({ rememberSecret: false, ...fill, clientSecret: fill.clientSecret ?? '' });
  return app.clientId;
}

/**
 * Hands the answer to the code flow in the sandbox: the registration's profile active, and a run of that
 * page for another client (or without PKCE) forgotten, so the page starts one with this profile.
 */
function handOffToCodeFlow(r: GrantRecommendation): void {
  const clientId = selectSandboxProfile(r.handOff.registration);
  const runs = useFlowRuns.getState();
  const run = runs.runs[r.route] as FlowRun<AuthCodeContext> | undefined;
  if (run === undefined || clientId === undefined) return;
  const want = r.handOff.secret === true;
  if (
    run.ctx.params['client_id'] !== clientId ||
    run.ctx.usePkce !== (r.handOff.pkce === true) ||
    (run.ctx.clientSecret !== '') !== want
  )
    runs.remove(r.route);
}

/** A grant the answers end on: why, how to register it, Open, guidance, what to avoid, sources. */
export function GrantView({ r }: { readonly r: GrantRecommendation }) {
  const navigate = useNavigate();
  const authority = useSettings((s) => s.authority);
  const headingId = useId();
  const title = catalogueEntry(r.route).title;
  const open = () => {
    if (authority === 'sandbox' && r.route === 'authorization-code') handOffToCodeFlow(r);
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
      <GuidanceList guidance={r.guidance} />
      <AvoidList avoid={r.avoid} />
      <h3>Then</h3>
      <ul>
        {r.related.map((next) => (
          <li key={next.route}>
            <Link to={flowPath(next.route)}>{catalogueEntry(next.route).title}</Link>: {next.text}
          </li>
        ))}
      </ul>
      <CitesList cites={r.cites} />
    </section>
  );
}

/** No grant fits: why, and what to change instead. No page to open, nothing to register. */
export function NoGrantView({ r }: { readonly r: NoGrantRecommendation }) {
  const headingId = useId();
  return (
    <section className="choose-result choose-result-none" aria-labelledby={headingId}>
      <h2 id={headingId}>{r.title}</h2>
      <p>{r.why}</p>
      <h3>What to do instead</h3>
      <ul className="choose-instead">
        {r.instead.map((item) => (
          <li key={item.text}>
            {item.text} <CitationLink cite={item.cite} />
          </li>
        ))}
      </ul>
      <AvoidList avoid={r.avoid} />
      <CitesList cites={r.cites} />
    </section>
  );
}

function GuidanceList({ guidance }: { readonly guidance: readonly Guidance[] }) {
  if (guidance.length === 0) return null;
  return (
    <>
      <h3>Before you build it</h3>
      <ul className="choose-guidance">
        {guidance.map((g) => (
          <li key={g.title} className={g.kind === 'warning' ? 'choose-warning' : undefined}>
            <strong>
              {g.kind === 'warning' ? 'Warning: ' : ''}
              {g.title}.
            </strong>{' '}
            {g.text} <CitationLink cite={g.cite} />
          </li>
        ))}
      </ul>
    </>
  );
}

function AvoidList({ avoid }: { readonly avoid: readonly Avoidance[] }) {
  return (
    <>
      <h3>Avoid</h3>
      <ul className="choose-avoid">
        {avoid.map((a) => (
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
    </>
  );
}

function CitesList({ cites }: { readonly cites: readonly Citation[] }) {
  return (
    <>
      <h3>Why, in the standards and Microsoft’s guidance</h3>
      <ul>
        {cites.map((c) => (
          <li key={c.href}>
            <CitationLink cite={c} />
          </li>
        ))}
      </ul>
    </>
  );
}

/** What the link said that the chooser does not know, and what it takes instead. */
export function UnrecognisedNote({ unknown }: { readonly unknown: readonly UnrecognisedAnswer[] }) {
  return (
    <div className="lab-message lab-message--warning" role="status">
      <p>
        <strong>This link’s answers were not all recognised,</strong> so the questions they were meant for are
        asked below.
      </p>
      <ul>
        {unknown.map((u, index) =>
          u.kind === 'value' ? (
            <li key={`${u.kind}-${index}`}>
              “{u.given}” is not an answer to “{u.legend}” (<code>{u.question}</code>). Valid values:{' '}
              {u.valid.join(', ')}.
            </li>
          ) : (
            <li key={`${u.kind}-${index}`}>
              “{u.given}” is not one of the chooser’s questions. Valid names: {u.valid.join(', ')}.
            </li>
          ),
        )}
      </ul>
    </div>
  );
}

export default function ChoosePage() {
  const [searchParams, setSearchParams] = useSearchParams();
  const [announcement, setAnnouncement] = useState('');
  const form = useRef<HTMLFormElement>(null);
  const answers = parseChooserQuery(searchParams);
  const unknown = unrecognisedAnswers(searchParams);
  const open = nextQuestion(answers);
  const asked = askedQuestions(answers);
  // The questions answered so far, then the first open one; the rest wait for it.
  const shown = open === undefined ? asked : asked.slice(0, asked.indexOf(open) + 1);
  const decided = shownAnswers(answers).filter((a) => a.reason !== undefined);
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
          ? ends.kind === 'grant'
            ? `Recommendation: ${ends.grant}.`
            : `${ends.title}.`
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
      {unknown.length > 0 && <UnrecognisedNote unknown={unknown} />}
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
      {result?.kind === 'grant' && <GrantView r={result} />}
      {result?.kind === 'none' && <NoGrantView r={result} />}
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
