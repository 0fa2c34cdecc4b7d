import type { StepFailure } from '../../flows/runner.ts';
import type { HttpExchange, RecordedRequest } from '../../protocol/http.ts';
import type { Route } from '../../protocol/transport.ts';
import { describeUnreachable } from '../../protocol/errors.ts';
import type { StepKind } from '../explain-error.ts';
import { FailurePanel } from './on-demand.tsx';
import { HttpExchangeView } from './http-exchange-view.tsx';

/**
 * A request before and after it is sent: the preview (with the path it will take and why), the send
 * button, the recorded exchange, and the explained failure if there is one.
 */
export function TokenRequestPanel(props: {
  request: RecordedRequest;
  route: Route;
  exchange: HttpExchange | undefined;
  failure: StepFailure | undefined;
  sending: boolean;
  sendLabel: string;
  onSend: () => void;
  disabled?: boolean;
  onRetry?: () => void;
  retryLabel?: string;
  /** Where a failure happened, for its explanation; token requests by default. */
  context?: StepKind;
}) {
  // A request that got no HTTP answer is still shown, as attempted, with why nothing came back.
  const unreachable = props.failure?.unreachable;
  const noAnswer = unreachable === undefined ? undefined : `${describeUnreachable(unreachable)}.`;
  return (
    <div className="token-request">
      {props.exchange === undefined && (
        <HttpExchangeView
          exchange={{
            request: props.request,
            via: props.route.via,
            viaReason: props.route.reason,
            startedAt: 0,
          }}
          {...(noAnswer === undefined || props.sending ? {} : { noAnswer })}
        />
      )}
      <button
        type="button"
        className="primary"
        // The step's primary action: focused when the run moves on to this step (FlowPage).
        data-next-action=""
        onClick={props.onSend}
        disabled={props.sending || props.disabled === true}
      >
        {props.sendLabel}
      </button>
      {props.exchange !== undefined && <HttpExchangeView exchange={props.exchange} />}
      {props.failure !== undefined && (
        <FailurePanel
          failure={props.failure}
          context={props.context ?? 'token'}
          endpoint={props.request.url}
          {...(props.onRetry === undefined ? {} : { onRetry: props.onRetry })}
          {...(props.retryLabel === undefined ? {} : { retryLabel: props.retryLabel })}
        />
      )}
    </div>
  );
}
