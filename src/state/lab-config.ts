/**
 * What the app's own server says at start: where the sandbox tenant is and whether the local relay
 * runs. When the app is hosted as static files there is no such server: the defaults apply.
 */
import { create } from 'zustand';

export interface LabConfig {
  readonly sandboxOrigin: string;
  readonly relay: boolean;
  /** The relay's per-start token, sent with every relayed request. */
  readonly relayToken: string;
  /** The app's own server receives response_mode=form_post at /callback (server/form-post.ts). */
  readonly formPost: boolean;
  /** Served to a class from a shared server (server/hosting.ts): the relay is off there. */
  readonly hosting: boolean;
  /** In hosting mode, the server's own words for why the relay is off. */
  readonly relayOffReason: string;
  readonly loaded: boolean;
}

export const DEFAULT_SANDBOX_ORIGIN = 'http://localhost:5174';

export const useLabConfig = create<LabConfig>(() => ({
  sandboxOrigin: DEFAULT_SANDBOX_ORIGIN,
  relay: false,
  relayToken: '',
  formPost: false,
  hosting: false,
  relayOffReason: '',
  loaded: false,
}));

/** Reads `/lab-config.json` once; a missing or odd answer leaves the defaults (no relay). */
export async function loadLabConfig(fetchFn: typeof fetch = fetch): Promise<void> {
  try {
    const response = await fetchFn('/lab-config.json', { cache: 'no-store' });
    const json: unknown = response.ok ? await response.json() : undefined;
    if (applyLabConfig(json)) return;
  } catch {
    // No server behind the app: static hosting. Defaults stand.
  }
  useLabConfig.setState({ loaded: true });
}

/**
 * Takes the config as `/lab-config.json` gives it (or as the app server embeds it in the page); false,
 * and nothing changed, when `json` is not an object.
 */
export function applyLabConfig(json: unknown): boolean {
  if (typeof json !== 'object' || json === null) return false;
  const { sandboxOrigin, relay, relayToken, formPost, hosting, relayOffReason } = json as Record<
    string,
    unknown
  >;
  useLabConfig.setState({
    sandboxOrigin: typeof sandboxOrigin === 'string' ? sandboxOrigin : DEFAULT_SANDBOX_ORIGIN,
    relay: relay === true && typeof relayToken === 'string',
    relayToken: typeof relayToken === 'string' ? relayToken : '',
    formPost: formPost === true,
    hosting: hosting === true,
    relayOffReason: typeof relayOffReason === 'string' ? relayOffReason.slice(0, 400) : '',
    loaded: true,
  });
  return true;
}
