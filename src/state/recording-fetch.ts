/**
 * A fetch that records what a run sends — method, where, status, the error an answer carried, whether it
 * went through the local relay — into that run, so the sequence diagram can draw the run as it happened.
 * It records the shape of the exchange only: no query, no body, no token.
 */
import { RELAY_PATH } from '../protocol/relay-path.ts';
import type { FetchLike } from '../protocol/transport.ts';
import { useFlowRuns } from './flow-runs.ts';

/** Where a URL points, without its query or fragment (they can carry codes and tokens). */
export function withoutQuery(url: string): string {
  try {
    const parsed = new URL(url, 'http://relative.invalid');
    return parsed.origin === 'http://relative.invalid'
      ? parsed.pathname
      : `${parsed.origin}${parsed.pathname}`;
  } catch {
    return url.split(/[?#]/, 1)[0] ?? '';
  }
}

/**
 * The error an answer names, short: `invalid_grant AADSTS70000` from an OAuth error body (RFC 6749 §5.2,
 * with Entra's `error_codes`), or the `error` of a Bearer challenge (RFC 6750 §3). Undefined when none.
 */
export function errorOfAnswer(body: string, wwwAuthenticate: string | null): string | undefined {
  try {
    const json = JSON.parse(body) as unknown;
    if (typeof json === 'object' && json !== null) {
      const { error, error_codes: codes } = json as { error?: unknown; error_codes?: unknown };
      const code = Array.isArray(codes) && typeof codes[0] === 'number' ? ` AADSTS${codes[0]}` : '';
      if (typeof error === 'string' && error !== '') return `${error.slice(0, 60)}${code}`;
      if (typeof error === 'object' && error !== null) {
        // Graph and other Microsoft APIs: { error: { code, message } }.
        const apiCode = (error as { code?: unknown }).code;
        if (typeof apiCode === 'string') return apiCode.slice(0, 60);
      }
    }
  } catch {
    // Not JSON: look at the challenge instead.
  }
  const challenge = wwwAuthenticate === null ? undefined : /error="([^"]{1,60})"/.exec(wwwAuthenticate)?.[1];
  return challenge;
}

function headerOf(init: RequestInit, name: string): string | null {
  return new Headers(init.headers).get(name);
}

/** The step a request belongs to: the one running, else the one the user is on. */
function stepOf(flowId: string): string {
  const run = useFlowRuns.getState().runs[flowId];
  if (run === undefined) return '';
  const running = Object.entries(run.status).find(([, status]) => status === 'running')?.[0];
  return running ?? run.current;
}

/** The browser's fetch, recording each request into `flowId`'s run. */
export function recordingFetch(flowId: string, fetchFn: FetchLike = (i, o) => fetch(i, o)): FetchLike {
  return async (input, init) => {
    const viaRelay = input === RELAY_PATH || input.endsWith(RELAY_PATH);
    const target = viaRelay ? (headerOf(init, 'X-Relay-Target') ?? input) : input;
    const base = {
      step: stepOf(flowId),
      method: (init.method ?? 'GET').toUpperCase(),
      url: withoutQuery(target),
      via: viaRelay ? ('relay' as const) : ('browser' as const),
    };
    let response: Response;
    try {
      response = await fetchFn(input, init);
    } catch (error) {
      useFlowRuns.getState().record(flowId, { ...base, error: 'no answer' });
      throw error;
    }
    if (viaRelay && response.headers.get('X-Relay-Unreachable') === '1') {
      useFlowRuns.getState().record(flowId, { ...base, error: 'unreachable (relay)' });
      return response;
    }
    if (viaRelay && response.headers.get('X-Relay-Refused') === '1') {
      useFlowRuns
        .getState()
        .record(flowId, { ...base, status: response.status, error: 'refused by the relay' });
      return response;
    }
    let error: string | undefined;
    if (!response.ok) {
      const body = await response
        .clone()
        .text()
        .catch(() => '');
      error = errorOfAnswer(body, response.headers.get('WWW-Authenticate'));
    }
    useFlowRuns.getState().record(flowId, {
      ...base,
      status: response.status,
      ...(error === undefined ? {} : { error }),
    });
    return response;
  };
}
