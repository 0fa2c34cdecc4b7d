import { pickFeatureMetadata } from '../../protocol/provider-features.ts';
import { useEffect, useId, useState } from 'react';
import { discoverAuthorizationServer, relayOriginsOf, type Discovery } from '../../protocol/discovery.ts';
import { LabError } from '../../protocol/errors.ts';
import { assessFlowSupport, pickFlowSupportMetadata } from '../../protocol/flow-support.ts';
import { useLabConfig } from '../../state/lab-config.ts';
import {
  allowOnRelay,
  fetchMetadataDirect,
  fetchMetadataViaRelay,
  originsToAllow,
} from '../../state/relay.ts';
import { useSettings } from '../../state/settings.ts';
import { EndpointList } from './endpoint-list.tsx';
import { FlowSupportList } from './flow-support-list.tsx';

type Phase =
  | { readonly kind: 'idle' }
  | { readonly kind: 'looking' }
  | { readonly kind: 'needs-relay'; readonly origin: string; readonly reason: string }
  | { readonly kind: 'found'; readonly discovery: Discovery; readonly via: 'browser' | 'relay' }
  | { readonly kind: 'error'; readonly message: string };

const KIND_LABEL = {
  'openid-configuration': 'OpenID Connect discovery document',
  'oauth-authorization-server': 'OAuth 2.0 authorization server metadata (RFC 8414)',
} as const;

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Any OpenID provider by its issuer URL: look up, show what came back and which flows it supports,
 * then use it. `onPreviewChange` says when a looked-up document (and its flow list) is on screen.
 */
export function IssuerForm({ onPreviewChange }: { onPreviewChange?: (previewing: boolean) => void }) {
  const saved = useSettings((s) => s.issuer);
  const relay = useLabConfig((s) => s.relay);
  const [issuer, setIssuer] = useState(saved?.issuer ?? '');
  const [phase, setPhase] = useState<Phase>({ kind: 'idle' });
  const [saveStatus, setSaveStatus] = useState('');
  const ids = { issuer: useId(), json: useId() };
  const previewing = phase.kind === 'found';
  useEffect(() => {
    onPreviewChange?.(previewing);
  }, [previewing, onPreviewChange]);
  useEffect(() => () => onPreviewChange?.(false), [onPreviewChange]);

  const lookUp = async (via: 'browser' | 'relay') => {
    setPhase({ kind: 'looking' });
    setSaveStatus('');
    try {
      const discovery = await discoverAuthorizationServer(
        issuer,
        via === 'browser' ? fetchMetadataDirect : fetchMetadataViaRelay,
      );
      setPhase({ kind: 'found', discovery, via });
    } catch (error) {
      if (error instanceof LabError && error.code === 'CORS_ERROR' && relay) {
        setPhase({ kind: 'needs-relay', origin: new URL(issuer.trim()).origin, reason: error.message });
      } else {
        setPhase({ kind: 'error', message: messageOf(error) });
      }
    }
  };

  const allowAndFetch = async (origin: string) => {
    try {
      await allowOnRelay([origin]);
    } catch (error) {
      setPhase({ kind: 'error', message: messageOf(error) });
      return;
    }
    await lookUp('relay');
  };

  const use = async (discovery: Discovery) => {
    const origins = originsToAllow(relayOriginsOf(discovery.endpoints));
    try {
      // The relay must know the issuer's origins before a flow sends it a token request.
      if (relay) await allowOnRelay(origins);
    } catch (error) {
      setSaveStatus(`Not saved: ${messageOf(error)}`);
      return;
    }
    useSettings.getState().setIssuer({
      issuer: discovery.issuer,
      metadata: discovery.kind,
      endpoints: discovery.endpoints,
      supportMetadata: pickFlowSupportMetadata(discovery.document),
      featureMetadata: pickFeatureMetadata(discovery.document),
    });
    setSaveStatus(`Saved. Flows now use ${discovery.issuer}.`);
  };

  return (
    <div className="issuer-form">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void lookUp('browser');
        }}
      >
        <div className="field">
          <label htmlFor={ids.issuer}>Issuer URL</label>
          <input
            id={ids.issuer}
            value={issuer}
            onChange={(e) => setIssuer(e.target.value)}
            spellCheck={false}
            placeholder="https://accounts.example.com"
            aria-describedby={`${ids.issuer}-help`}
          />
          <p id={`${ids.issuer}-help`} className="help">
            The lab reads <code>/.well-known/openid-configuration</code> under this URL, or else RFC 8414’s{' '}
            <code>/.well-known/oauth-authorization-server</code>, and checks it before using it.
          </p>
        </div>
        <button type="submit" disabled={phase.kind === 'looking' || issuer.trim() === ''}>
          Look up
        </button>
      </form>

      <div aria-live="polite">
        {phase.kind === 'looking' && <p role="status">Looking up…</p>}
        {phase.kind === 'error' && (
          <p className="failure" role="alert">
            {phase.message}
          </p>
        )}
        {phase.kind === 'needs-relay' && (
          <section className="confirm" aria-labelledby={`${ids.issuer}-relay`}>
            <h2 id={`${ids.issuer}-relay`}>Fetch it through the local relay?</h2>
            <p>{phase.reason}</p>
            <p>
              The relay on this machine can fetch it instead. First it must add <code>{phase.origin}</code> to
              its allowlist. That lasts until the relay stops, and lets the relay also send this app’s token
              requests to that origin.
            </p>
            <button type="button" className="primary" onClick={() => void allowAndFetch(phase.origin)}>
              Allow {phase.origin} and fetch
            </button>{' '}
            <button type="button" onClick={() => setPhase({ kind: 'idle' })}>
              Cancel
            </button>
          </section>
        )}
      </div>

      {phase.kind === 'found' && (
        <section className="discovery-result" aria-labelledby={`${ids.issuer}-found`}>
          <h2 id={`${ids.issuer}-found`}>What the issuer publishes</h2>
          <p>
            {KIND_LABEL[phase.discovery.kind]} at <code>{phase.discovery.url}</code>, read{' '}
            {phase.via === 'browser' ? 'by the browser' : 'through the local relay'}. The issuer matches.
          </p>
          {phase.discovery.attempts.length > 1 && (
            <p className="help">
              Tried first:{' '}
              {phase.discovery.attempts.slice(0, -1).map((a) => (
                <span key={a.url}>
                  <code>{a.url}</code> ({a.status === 0 ? 'no document' : `HTTP ${a.status}`}){' '}
                </span>
              ))}
            </p>
          )}
          {phase.discovery.notes.length > 0 && (
            <ul className="discovery-notes" aria-label="Notes on the document">
              {phase.discovery.notes.map((note) => (
                <li key={note}>{note}</li>
              ))}
            </ul>
          )}
          <h3>Endpoints taken from it</h3>
          <EndpointList endpoints={phase.discovery.endpoints} />
          <h3>Flows with this authority</h3>
          <FlowSupportList support={assessFlowSupport(phase.discovery.endpoints, phase.discovery.document)} />
          <details>
            <summary>The document as returned</summary>
            <pre id={ids.json} tabIndex={0} aria-label="Discovery document">
              {JSON.stringify(phase.discovery.document, null, 2)}
            </pre>
          </details>
          {relay && originsToAllow(relayOriginsOf(phase.discovery.endpoints)).length > 0 && (
            <p className="help">
              Using it also adds{' '}
              {originsToAllow(relayOriginsOf(phase.discovery.endpoints)).map((o) => (
                <code key={o}>{o} </code>
              ))}
              to the local relay’s allowlist, so the relay may send token requests there.
            </p>
          )}
          <button type="button" className="primary" onClick={() => void use(phase.discovery)}>
            Use this issuer
          </button>
        </section>
      )}
      <p role="status">{saveStatus}</p>
    </div>
  );
}
