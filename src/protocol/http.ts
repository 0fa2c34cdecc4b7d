/**
 * Wire-level records of one HTTP exchange, kept verbatim so the UI can show exactly what was sent
 * and received. Secret values are recorded but listed in `secretFields` so views can mask them.
 * @see https://www.rfc-editor.org/rfc/rfc9110
 */

export interface RecordedRequest {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  readonly url: string;
  readonly headers: readonly (readonly [name: string, value: string])[];
  /** application/x-www-form-urlencoded body, as sent. */
  readonly body?: string;
  /** Form fields (or header names) whose values are secrets and are masked until revealed. */
  readonly secretFields: readonly string[];
}

export interface RecordedResponse {
  readonly status: number;
  readonly statusText: string;
  readonly headers: readonly (readonly [name: string, value: string])[];
  readonly body: string;
}

export interface HttpExchange {
  readonly request: RecordedRequest;
  readonly response?: RecordedResponse;
  /** How the request travelled: straight from the browser, or through the local relay. */
  readonly via: 'browser' | 'relay';
  /** Why it took that path, in a sentence the UI shows. */
  readonly viaReason: string;
  readonly startedAt: number;
  readonly durationMs?: number;
}
