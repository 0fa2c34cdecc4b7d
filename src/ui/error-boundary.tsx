import { Component, type ErrorInfo, type ReactNode } from 'react';
import { useFlowRuns } from '../state/flow-runs.ts';
import { clearPendingRedirect } from '../state/pending-redirect.ts';

interface State {
  readonly error: Error | undefined;
}

/**
 * Catches bugs only (protocol failures are failed steps, not throws): says what broke and offers to
 * reset the flow the user is on.
 */
export class ErrorBoundary extends Component<{ children: ReactNode; resetKey?: string }, State> {
  override state: State = { error: undefined };

  static getDerivedStateFromError(error: unknown): State {
    return { error: error instanceof Error ? error : new Error(String(error)) };
  }

  override componentDidCatch(error: Error, info: ErrorInfo): void {
    console.error('OAuth Flow Lab hit a bug:', error.message, info.componentStack);
  }

  override componentDidUpdate(previous: { resetKey?: string }): void {
    if (previous.resetKey !== this.props.resetKey && this.state.error !== undefined)
      this.setState({ error: undefined });
  }

  private readonly reset = (): void => {
    const flowId = /^\/flows\/([^/]+)/.exec(window.location.pathname)?.[1];
    if (flowId !== undefined) useFlowRuns.getState().remove(flowId);
    clearPendingRedirect();
    this.setState({ error: undefined });
  };

  override render(): ReactNode {
    if (this.state.error === undefined) return this.props.children;
    return (
      <section className="failure" aria-labelledby="bug-title">
        <h1 id="bug-title">This page hit a bug</h1>
        <p>Something failed that the app did not foresee: {this.state.error.message}</p>
        <p>
          <button type="button" onClick={this.reset}>
            Reset this flow
          </button>{' '}
          <a href="/">Back to all flows</a>
        </p>
      </section>
    );
  }
}
