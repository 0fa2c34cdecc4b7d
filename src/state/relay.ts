/**
 * Talking to the local relay about other servers: adding an origin to its allowlist (only ever after
 * the user agreed), and fetching a metadata document directly or through it.
 */
import type { FetchMetadata, MetadataAnswer } from '../protocol/discovery.ts';
import { ENTRA_CLOUD_ORIGINS } from '../protocol/endpoints.ts';
import {
  describeUnreachable,
  isUnreachableCause,
  NetworkError,
  type UnreachableDetail,
} from '../protocol/errors.ts';
import { RELAY_PATH } from '../protocol/relay-path.ts';
import { useLabConfig } from './lab-config.ts';

export const RELAY_ALLOW_PATH = '/relay/allow';

/** The origins the relay does not know yet: Entra's hosts are always on its allowlist. */
export function originsToAllow(origins: readonly string[]): string[] {
  return origins.filter((o) => !(ENTRA_CLOUD_ORIGINS as readonly string[]).includes(o));
}

/**
 * Adds origins to the relay's allowlist with `POST /relay/allow` and the relay token. Resolves with
 * the origins added; throws a `NetworkError` with the relay's reason when it refuses.
 */
export async function allowOnRelay(
  origins: readonly string[],
  fetchFn: typeof fetch = fetch,
): Promise<string[]> {
  const { relay, relayToken } = useLabConfig.getState();
  const wanted = originsToAllow(origins);
  if (wanted.length === 0) return [];
  if (!relay)
    throw new NetworkError('RELAY_UNAVAILABLE', 'No local relay is running (start the app with npm start).');
  for (const origin of wanted) {
    let response: Response;
    try {
      response = await fetchFn(RELAY_ALLOW_PATH, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-Relay-Token': relayToken },
        body: JSON.stringify({ origin }),
        credentials: 'omit',
        cache: 'no-store',
      });
    } catch (cause) {
      throw new NetworkError('RELAY_UNAVAILABLE', 'The local relay did not answer.', { cause });
    }
    if (!response.ok) {
      throw new NetworkError('RELAY_UNAVAILABLE', `The relay refused ${origin}: ${await response.text()}`);
    }
  }
  return wanted;
}

/** The relay's `upstream_unreachable` JSON; what it cannot read falls back to the URL's host. */
function readUnreachableAnswer(body: string, url: string): UnreachableDetail {
  let host = url;
  try {
    host = new URL(url).host;
  } catch {
    // Keep the URL as typed.
  }
  try {
    const json = JSON.parse(body) as Record<string, unknown>;
    const detail = typeof json['detail'] === 'string' ? { detail: json['detail'] } : {};
    return {
      host: typeof json['host'] === 'string' && json['host'] !== '' ? json['host'] : host,
      cause: isUnreachableCause(json['cause']) ? json['cause'] : 'unknown',
      via: 'relay',
      ...detail,
    };
  } catch {
    return { host, cause: 'unknown', via: 'relay' };
  }
}

async function readAnswer(response: Response): Promise<MetadataAnswer> {
  const text = await response.text();
  try {
    return { status: response.status, body: JSON.parse(text) as unknown };
  } catch {
    return { status: response.status, body: undefined };
  }
}

/** Fetches metadata straight from the browser; a CORS refusal becomes a `NetworkError` CORS_ERROR. */
export const fetchMetadataDirect: FetchMetadata = async (url) => {
  let response: Response;
  try {
    response = await fetch(url, {
      credentials: 'omit',
      cache: 'no-store',
      headers: { Accept: 'application/json' },
    });
  } catch (cause) {
    throw new NetworkError(
      'CORS_ERROR',
      `The browser could not read ${url}: the server is unreachable or does not allow this page to read it (CORS).`,
      { cause },
    );
  }
  return readAnswer(response);
};

/**
 * Fetches metadata through the relay. The relay refuses answers that are not a metadata document
 * (an HTML 404, say): that counts as "not here", so discovery tries the next URL.
 */
export const fetchMetadataViaRelay: FetchMetadata = async (url) => {
  let response: Response;
  try {
    response = await fetch(RELAY_PATH, {
      headers: {
        'X-Relay-Target': url,
        'X-Relay-Token': useLabConfig.getState().relayToken,
        Accept: 'application/json',
      },
      credentials: 'omit',
      cache: 'no-store',
    });
  } catch (cause) {
    throw new NetworkError('RELAY_UNAVAILABLE', 'The local relay did not answer.', { cause });
  }
  if (response.headers.get('X-Relay-Unreachable') === '1') {
    // The relay is up; the issuer's host is not reachable (DNS, refused, TLS, timeout).
    const unreachable = readUnreachableAnswer(await response.text(), url);
    throw new NetworkError('NETWORK_ERROR', `${describeUnreachable(unreachable)}.`, { unreachable });
  }
  if (response.headers.get('X-Relay-Refused') === '1') {
    const reason = await response.text();
    if (response.status === 502) return { status: 0, body: undefined };
    throw new NetworkError('RELAY_UNAVAILABLE', `The local relay refused to fetch ${url}: ${reason}`);
  }
  return readAnswer(response);
};
