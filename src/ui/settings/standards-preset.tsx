import { useEffect, useId, useRef, useState } from 'react';
import { discoverAuthorizationServer, relayOriginsOf } from '../../protocol/discovery.ts';
import { pickFlowSupportMetadata } from '../../protocol/flow-support.ts';
import { pickFeatureMetadata } from '../../protocol/provider-features.ts';
import { useLabConfig } from '../../state/lab-config.ts';
import { allowOnRelay, fetchMetadataDirect, originsToAllow } from '../../state/relay.ts';
import { defaultRedirectUri, useSettings } from '../../state/settings.ts';
import {
  ENTRA_LACKS_HERE,
  parseStandardDirectory,
  profileFromStandardClient,
  STANDARD_PRESET_PREFIX,
  STANDARD_SPA_CLIENT_ID,
  standardIssuerOf,
  type StandardDirectory,
} from './standard-directory.ts';

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Reads the standards sandbox's directory: its seeded clients and their sandbox-only secrets. */
async function loadDirectory(issuer: string): Promise<StandardDirectory> {
  let response: Response;
  try {
    response = await fetch(`${issuer}/directory.json`, { cache: 'no-store', credentials: 'omit' });
  } catch {
    throw new Error(
      `The sandbox did not answer at ${issuer}/directory.json. Is it running (npm start starts it)?`,
    );
  }
  if (!response.ok)
    throw new Error(
      `The sandbox answered HTTP ${response.status} for ${issuer}/directory.json: this sandbox may predate the standards issuer; restart npm start.`,
    );
  return parseStandardDirectory(await response.json().catch(() => undefined));
}

/** True when the saved issuer is the standards sandbox of this sandbox origin. */
export function useStandardsPresetInUse(): boolean {
  const sandboxOrigin = useLabConfig((s) => s.sandboxOrigin);
  const authority = useSettings((s) => s.authority);
  const issuer = useSettings((s) => s.issuer?.issuer);
  return authority === 'issuer' && issuer === standardIssuerOf(sandboxOrigin);
}

/**
 * The "Standards sandbox" preset: discovers the sandbox's standards-only issuer, makes it the authority
 * and adds a profile per seeded client (the public SPA active). Applying it again updates those
 * profiles instead of adding more.
 */
export function StandardsPreset() {
  const sandboxOrigin = useLabConfig((s) => s.sandboxOrigin);
  const relay = useLabConfig((s) => s.relay);
  const inUse = useStandardsPresetInUse();
  const issuer = standardIssuerOf(sandboxOrigin);
  const [status, setStatus] = useState<{ kind: 'idle' | 'working' | 'done' | 'error'; text: string }>({
    kind: 'idle',
    text: '',
  });
  const ids = { about: useId(), lacks: useId() };
  // The button is disabled while reading, which drops focus to <body>; once done, it takes focus back
  // (with its new words, "Apply the standards sandbox again"), and the status beside it is announced.
  const buttonRef = useRef<HTMLButtonElement>(null);
  const refocus = useRef(false);
  useEffect(() => {
    if (!refocus.current || status.kind === 'working') return;
    refocus.current = false;
    buttonRef.current?.focus();
  }, [status.kind]);

  const apply = async () => {
    setStatus({ kind: 'working', text: `Reading ${issuer}…` });
    refocus.current = true;
    try {
      const [discovery, directory] = await Promise.all([
        discoverAuthorizationServer(issuer, fetchMetadataDirect),
        loadDirectory(issuer),
      ]);
      // The relay must know the issuer's origins before a flow sends it a token request.
      if (relay) await allowOnRelay(originsToAllow(relayOriginsOf(discovery.endpoints)));
      const before = useSettings.getState().profiles;
      const profiles = directory.clients.map((client) =>
        profileFromStandardClient(client, defaultRedirectUri()),
      );
      useSettings.getState().applyIssuerPreset(
        {
          issuer: discovery.issuer,
          metadata: discovery.kind,
          endpoints: discovery.endpoints,
          supportMetadata: pickFlowSupportMetadata(discovery.document),
          featureMetadata: pickFeatureMetadata(discovery.document),
        },
        profiles,
        `${STANDARD_PRESET_PREFIX}${STANDARD_SPA_CLIENT_ID}`,
      );
      const updated = profiles.filter((p) => before.some((b) => b.preset === p.preset)).length;
      const added = profiles.length - updated;
      const counts = [
        added > 0 ? `added ${added} profile${added === 1 ? '' : 's'}` : '',
        updated > 0 ? `updated ${updated} profile${updated === 1 ? '' : 's'}` : '',
      ]
        .filter((part) => part !== '')
        .join(' and ');
      setStatus({
        kind: 'done',
        text: `Saved. Flows now use ${discovery.issuer}; ${counts}, one per client of its directory (secrets in memory only). Active profile: ${STANDARD_SPA_CLIENT_ID}.`,
      });
    } catch (error) {
      setStatus({ kind: 'error', text: `Not applied: ${messageOf(error)}` });
    }
  };

  return (
    <div className="standards-preset">
      <p id={ids.about}>
        A second issuer in the local sandbox, at <code>{issuer}</code>: a plain OpenID provider that follows
        the standards and nothing else, with the same users as the sandbox tenant. It is not Entra-shaped: no
        tenant in its URLs, no AADSTS codes. Its endpoints come from its discovery document; its clients — one
        per client authentication method and a public SPA — come from its directory and become app profiles.
      </p>
      <p id={ids.lacks}>
        It offers what Entra ID does not have: {ENTRA_LACKS_HERE.join(', ')}. Use it to see those features
        work; the app says on each page when an authority lacks one.
      </p>
      <button
        type="button"
        className="primary"
        aria-describedby={`${ids.about} ${ids.lacks}`}
        disabled={status.kind === 'working'}
        ref={buttonRef}
        onClick={() => void apply()}
      >
        {inUse ? 'Apply the standards sandbox again' : 'Use the standards sandbox'}
      </button>
      <p role="status" className={status.kind === 'error' ? 'failure' : 'help'}>
        {status.text}
      </p>
    </div>
  );
}
