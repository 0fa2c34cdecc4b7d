/**
 * The parts of a flow page that only some states show — a failure's explanation, a decoded token, a
 * client assertion's fields — as components that load their code on first need, so a flow page opens
 * with the code of its form only. Each is also loaded on intent: when a control of a step is pointed
 * at, focused or pressed (its request is then about to go), so by the time an answer arrives the part
 * is there and renders in the same commit, without a fallback. A page whose restored run already shows
 * such a part waits for it before its first render (`useOnDemandParts`), so nothing pops in after it.
 */
import { Suspense, use, useState, type ComponentProps, type ReactNode, type SyntheticEvent } from 'react';
import type { ClientAssertionTable as ClientAssertionTableType } from './client-assertion-table.tsx';
import type { FailurePanel as FailurePanelType } from './failure-panel.tsx';
import type { TokensPanel as TokensPanelType } from './tokens-panel.tsx';
import type { TokenView as TokenViewType } from './token-view.tsx';
import type { StepFailure } from '../../flows/runner.ts';

/**
 * `load` run at most once (again after a failure, such as a dropped connection). Its promise says how
 * it settled (`status`, `value`), as React's `use` expects, so `use` reads a settled one without
 * suspending: a part loaded ahead renders in the same commit as the state that shows it.
 */
function once<T>(load: () => Promise<T>): () => Promise<T> {
  let promise: Promise<T> | undefined;
  return () => {
    if (promise !== undefined) return promise;
    const started = load();
    const tracked = started as Promise<T> & { status?: string; value?: T; reason?: unknown };
    tracked.status = 'pending';
    started.then(
      (value) => {
        tracked.status = 'fulfilled';
        tracked.value = value;
      },
      (reason: unknown) => {
        tracked.status = 'rejected';
        tracked.reason = reason;
        promise = undefined;
      },
    );
    promise = started;
    return started;
  };
}

const loadFailurePanel = once(() => import('./failure-panel.tsx'));
const loadTokensPanel = once(() => import('./tokens-panel.tsx'));
const loadTokenView = once(() => import('./token-view.tsx'));
const loadAssertionTable = once(() => import('./client-assertion-table.tsx'));
/** The failure explainer (its catalogue of AADSTS numbers and OAuth errors), for text outside a panel. */
export const loadExplainError = once(() => import('../explain-error.ts'));

/** Starts loading what a step's answer may need: its failure's explanation and its decoded tokens. */
export function preloadStepResults(): void {
  void loadFailurePanel().catch(() => undefined);
  void loadTokensPanel().catch(() => undefined);
  void loadTokenView().catch(() => undefined);
}

/**
 * For a step's section: one of its controls pointed at, focused or pressed is the intent to run the
 * step (send its request, or paste a token that is then decoded), so what the result may need starts
 * loading now. Text and headings pointed at on the way are not.
 */
export function preloadOnControlIntent(event: SyntheticEvent): void {
  const control = 'button, input, textarea, select, summary';
  if (event.target instanceof Element && event.target.closest(control) !== null) preloadStepResults();
}

/**
 * Waits, on a page's first render only, for the parts its restored state shows from the start (a
 * failure, tokens): the page then suspends as a whole, at the route's boundary, and appears complete.
 * Later needs never suspend the page: each part has its own boundary.
 */
export function useOnDemandParts(needs: {
  readonly failure?: boolean;
  readonly tokens?: boolean;
  readonly assertion?: boolean;
}): void {
  const [atFirstRender] = useState(needs);
  if (atFirstRender.failure === true) use(loadFailurePanel());
  if (atFirstRender.tokens === true) {
    use(loadTokensPanel());
    use(loadTokenView());
  }
  if (atFirstRender.assertion === true) use(loadAssertionTable());
}

/**
 * While a part's code is on its way (only when it was not loaded ahead): an empty block of the part's
 * class, so the page's own rules give it its frame, marked busy for assistive technology.
 */
function Placeholder({ className }: { readonly className: string }) {
  return <div className={className} aria-busy="true" />;
}

function LoadedFailurePanel(props: ComponentProps<typeof FailurePanelType>) {
  const { FailurePanel } = use(loadFailurePanel());
  return <FailurePanel {...props} />;
}

/** `FailurePanel`, its code (and the explainer's catalogue) loaded on first need. */
export function FailurePanel(props: ComponentProps<typeof FailurePanelType>) {
  return (
    <Suspense fallback={<Placeholder className="failure" />}>
      <LoadedFailurePanel {...props} />
    </Suspense>
  );
}

function LoadedTokensPanel(props: ComponentProps<typeof TokensPanelType>) {
  const { TokensPanel } = use(loadTokensPanel());
  return <TokensPanel {...props} />;
}

/** `TokensPanel`, its code (the token decoder and the claims' explanations) loaded on first need. */
export function TokensPanel(props: ComponentProps<typeof TokensPanelType>) {
  return (
    <Suspense fallback={<Placeholder className="tokens-panel" />}>
      <LoadedTokensPanel {...props} />
    </Suspense>
  );
}

function LoadedTokenView(props: ComponentProps<typeof TokenViewType>) {
  const { TokenView } = use(loadTokenView());
  return <TokenView {...props} />;
}

/** `TokenView`, its code loaded on first need. */
export function TokenView(props: ComponentProps<typeof TokenViewType>) {
  return (
    <Suspense fallback={<Placeholder className="token-view" />}>
      <LoadedTokenView {...props} />
    </Suspense>
  );
}

function LoadedAssertionTable(props: ComponentProps<typeof ClientAssertionTableType>) {
  const { ClientAssertionTable } = use(loadAssertionTable());
  return <ClientAssertionTable {...props} />;
}

/** `ClientAssertionTable`, with the assertion's field list (and its signer) loaded on first need. */
export function ClientAssertionTable(props: ComponentProps<typeof ClientAssertionTableType>) {
  return (
    <Suspense fallback={<Placeholder className="lab-table-scroll" />}>
      <LoadedAssertionTable {...props} />
    </Suspense>
  );
}

/** Loads the assertion's code ahead, when the certificate credential is chosen. */
export function preloadAssertion(): void {
  void loadAssertionTable().catch(() => undefined);
}

function LoadedAadstsNote(props: {
  readonly failure: StepFailure;
  readonly code: number;
  readonly children: ReactNode;
}) {
  const { aadstsNumber } = use(loadExplainError());
  return aadstsNumber(props.failure) === props.code ? props.children : null;
}

/** `children` when the failure carries the given AADSTS number (read by the explainer, loaded on need). */
export function WhenAadsts(props: {
  readonly failure: StepFailure;
  readonly code: number;
  readonly children: ReactNode;
}) {
  return (
    <Suspense fallback={null}>
      <LoadedAadstsNote {...props} />
    </Suspense>
  );
}
