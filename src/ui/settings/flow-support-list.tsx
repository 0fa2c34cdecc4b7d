import { FLOWS } from '../../flows/registry.ts';
import type { FlowSupport, FlowSupportStatus } from '../../protocol/flow-support.ts';

/** The words shown for each status; an e2e harness reads them, so they stay exactly these. */
export const FLOW_STATUS_LABEL: Record<FlowSupportStatus, string> = {
  offered: 'Offered',
  'not-advertised': 'Not advertised',
  unavailable: 'Not available',
};

/** One line per flow: its title, whether this authority supports it, and why. */
export function FlowSupportList({ support }: { support: readonly FlowSupport[] }) {
  return (
    <ul aria-label="Flows with this authority" className="flow-support-list">
      {support.map((s) => (
        <li key={s.flow} data-flow={s.flow} data-status={s.status}>
          <span className="flow-support-title">{FLOWS.find((f) => f.id === s.flow)?.title ?? s.flow}</span>{' '}
          <span className={`flow-support-status flow-support-${s.status}`}>
            {FLOW_STATUS_LABEL[s.status]}
          </span>{' '}
          <span className="flow-support-reason">{s.reason}</span>
        </li>
      ))}
    </ul>
  );
}
