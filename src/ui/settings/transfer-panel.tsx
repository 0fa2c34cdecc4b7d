import { useId, useState } from 'react';
import { FLOWS, type FlowId } from '../../flows/registry.ts';
import { relayOriginsOf } from '../../protocol/discovery.ts';
import { LabError } from '../../protocol/errors.ts';
import { useLabConfig } from '../../state/lab-config.ts';
import { allowOnRelay } from '../../state/relay.ts';
import { normalizeSettings, useSettings } from '../../state/settings.ts';
import {
  applySettingsFile,
  buildSettingsFile,
  buildShareUrl,
  describeAuthority,
  parseSettingsFile,
  type SettingsFile,
} from '../../state/settings-transfer.ts';
import { CopyButton } from '../components/copy-button.tsx';

/** Export to a file, import from a file or pasted text, and a share link. */
export function TransferPanel() {
  const base = useId();
  const id = (name: string) => `${base}-${name}`;
  const [text, setText] = useState('');
  const [pending, setPending] = useState<SettingsFile | undefined>();
  const [problem, setProblem] = useState('');
  const [status, setStatus] = useState('');
  const [shareFlow, setShareFlow] = useState<FlowId | ''>('');
  const relay = useLabConfig((s) => s.relay);
  const settings = useSettings();

  const exportFile = () => {
    const json = JSON.stringify(buildSettingsFile(useSettings.getState()), null, 2);
    const url = URL.createObjectURL(new Blob([json], { type: 'application/json' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = 'oauth-flow-lab-settings.json';
    a.click();
    URL.revokeObjectURL(url);
    setStatus('Settings exported (without secrets).');
  };

  const check = (input: string) => {
    setStatus('');
    try {
      setPending(parseSettingsFile(input));
      setProblem('');
    } catch (error) {
      setPending(undefined);
      setProblem(error instanceof LabError ? error.message : String(error));
    }
  };

  const readFile = async (file: File | undefined) => {
    if (file === undefined) return;
    const content = await file.text();
    setText(content);
    check(content);
  };

  const apply = async (file: SettingsFile) => {
    const next = normalizeSettings(applySettingsFile(useSettings.getState(), file));
    try {
      if (relay && (next.authority === 'issuer' || next.authority === 'manual')) {
        const endpoints = next.authority === 'issuer' ? next.issuer?.endpoints : next.manualEndpoints;
        if (endpoints != null) await allowOnRelay(relayOriginsOf(endpoints));
      }
    } catch (error) {
      setProblem(`Not imported: ${(error as Error).message}`);
      return;
    }
    useSettings.setState(next);
    setPending(undefined);
    setText('');
    setStatus(`Imported: ${describeAuthority(file.authority)}, ${file.profiles.length} profile(s).`);
  };

  const shareUrl = buildShareUrl(window.location.origin, settings, shareFlow === '' ? undefined : shareFlow);

  return (
    <section aria-labelledby={id('title')}>
      <h2 id={id('title')}>Export, import and share</h2>
      <p className="help">Files and links hold the authority and the profiles, never a secret.</p>
      <p>
        <button type="button" onClick={exportFile}>
          Export settings
        </button>
      </p>

      <div className="field">
        <label htmlFor={id('file')}>Import from a file</label>
        <input
          id={id('file')}
          type="file"
          accept="application/json,.json"
          onChange={(e) => void readFile(e.target.files?.[0])}
        />
      </div>
      <div className="field">
        <label htmlFor={id('text')}>Or paste the settings JSON</label>
        <textarea
          id={id('text')}
          rows={5}
          value={text}
          onChange={(e) => setText(e.target.value)}
          spellCheck={false}
        />
      </div>
      <button type="button" onClick={() => check(text)} disabled={text.trim() === ''}>
        Check the settings
      </button>
      {problem !== '' && (
        <p className="failure" role="alert">
          {problem}
        </p>
      )}
      {pending !== undefined && (
        <section className="confirm" aria-labelledby={id('confirm')}>
          <h3 id={id('confirm')}>Importing will change</h3>
          <ul>
            <li>Authority: {describeAuthority(pending.authority)}</li>
            <li>
              Profiles:{' '}
              {pending.profiles.map((p) => `${p.name} (${p.clientId || 'no client id'})`).join(', ')}
            </li>
          </ul>
          <button type="button" className="primary" onClick={() => void apply(pending)}>
            Import these settings
          </button>{' '}
          <button type="button" onClick={() => setPending(undefined)}>
            Cancel
          </button>
        </section>
      )}
      <p role="status">{status}</p>

      <h3>Share link</h3>
      <div className="field">
        <label htmlFor={id('flow')}>Open at</label>
        <select
          id={id('flow')}
          value={shareFlow}
          onChange={(e) => setShareFlow(e.target.value as FlowId | '')}
        >
          <option value="">Settings</option>
          {FLOWS.map((f) => (
            <option key={f.id} value={f.id}>
              {f.title}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor={id('link')}>Link with the authority and the active profile (no secret)</label>
        <textarea id={id('link')} readOnly rows={3} value={shareUrl} spellCheck={false} />
        <CopyButton text={shareUrl} targetId={id('link')} label="Copy the link" />
      </div>
    </section>
  );
}
