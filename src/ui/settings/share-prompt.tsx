import { useEffect, useId, useRef, useState } from 'react';
import { useLocation, useNavigate } from 'react-router';
import { findFlow, flowPath } from '../../flows/registry.ts';
import { relayOriginsOf } from '../../protocol/discovery.ts';
import { LabError } from '../../protocol/errors.ts';
import { useFlowRuns } from '../../state/flow-runs.ts';
import { useLabConfig } from '../../state/lab-config.ts';
import { allowOnRelay, originsToAllow } from '../../state/relay.ts';
import { normalizeSettings, useSettings } from '../../state/settings.ts';
import {
  applyShareLink,
  authorityTransfer,
  describeAuthority,
  parseShareParameter,
  type ShareLink,
} from '../../state/settings-transfer.ts';
import { EndpointList } from './endpoint-list.tsx';

const PLATFORM_NAMES = { spa: 'single-page app', web: 'web app', public: 'public client' } as const;

/** Opening a share link: say what it will change, then apply it and go to its flow and step. */
export function SharePrompt({ value }: { value: string }) {
  const location = useLocation();
  const navigate = useNavigate();
  const relay = useLabConfig((s) => s.relay);
  const headingRef = useRef<HTMLHeadingElement>(null);
  const [problem, setProblem] = useState('');
  const titleId = useId();
  let link: ShareLink | undefined;
  let error = '';
  try {
    link = parseShareParameter(value);
  } catch (e) {
    error = e instanceof LabError ? e.message : String(e);
  }

  useEffect(() => headingRef.current?.focus(), []);

  const leave = (path: string) => void navigate(path, { replace: true });

  if (link === undefined) {
    return (
      <section aria-labelledby={titleId} className="confirm">
        <h1 id={titleId} ref={headingRef} tabIndex={-1}>
          This share link cannot be used
        </h1>
        <p role="alert">{error}</p>
        <button type="button" onClick={() => leave(location.pathname)}>
          Continue without it
        </button>
      </section>
    );
  }

  const current = useSettings.getState();
  const endpoints =
    link.authority.kind === 'issuer' || link.authority.kind === 'manual'
      ? link.authority.endpoints
      : undefined;
  const toAllow = endpoints === undefined ? [] : originsToAllow(relayOriginsOf(endpoints));
  const flow = link.flow === undefined ? undefined : findFlow(link.flow);
  const target = link.flow === undefined ? '/settings' : flowPath(link.flow);

  const apply = async (shared: ShareLink) => {
    try {
      if (relay && toAllow.length > 0) await allowOnRelay(toAllow);
    } catch (e) {
      setProblem(`Not applied: ${(e as Error).message}`);
      return;
    }
    useSettings.setState(normalizeSettings(applyShareLink(useSettings.getState(), shared)));
    if (shared.flow !== undefined) {
      if (shared.step !== undefined) useFlowRuns.getState().landOn(shared.flow, shared.step);
      else useFlowRuns.getState().remove(shared.flow);
    }
    leave(shared.step === undefined ? target : `${target}#step-${shared.step}`);
  };

  return (
    <section aria-labelledby={titleId} className="confirm share-prompt">
      <h1 id={titleId} ref={headingRef} tabIndex={-1}>
        Open a shared setup?
      </h1>
      <p>Someone shared these settings. Nothing changes until you apply them.</p>
      <h2>What will change</h2>
      <ul>
        <li>
          Authority: {describeAuthority(authorityTransfer(current))} →{' '}
          <strong>{describeAuthority(link.authority)}</strong>
        </li>
        <li>
          App profile “{link.profile.name}” becomes the active one: client id{' '}
          <code>{link.profile.clientId || '(none)'}</code>, {PLATFORM_NAMES[link.profile.platform]}, redirect
          URI <code>{link.profile.redirectUri || '(none)'}</code>
          {link.profile.scopes.trim() === '' ? '' : `, scopes ${link.profile.scopes}`}.
        </li>
        {flow !== undefined && (
          <li>
            Then opens {flow.title}
            {link.step === undefined ? '' : `, at step “${link.step}”`}.
          </li>
        )}
      </ul>
      {endpoints !== undefined && (
        <>
          <h2>Endpoints the flows will use</h2>
          <EndpointList endpoints={endpoints} />
        </>
      )}
      {relay && toAllow.length > 0 && (
        <p className="warning">
          Applying adds{' '}
          {toAllow.map((o) => (
            <code key={o}>{o} </code>
          ))}{' '}
          to the local relay’s allowlist, so it may send token requests there. Apply only if you trust where
          this link came from.
        </p>
      )}
      {problem !== '' && (
        <p className="failure" role="alert">
          {problem}
        </p>
      )}
      <button type="button" className="primary" onClick={() => void apply(link)}>
        Apply and continue
      </button>{' '}
      <button type="button" onClick={() => leave(location.pathname)}>
        Keep my settings
      </button>
    </section>
  );
}
