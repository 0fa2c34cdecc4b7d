/**
 * The one place that runs a step and catches: a throw becomes a failed step, never a crash.
 */
import {
  LabError,
  type ErrorBodyFormat,
  type ErrorCode,
  type OAuthErrorFields,
  type UnreachableDetail,
} from '../protocol/errors.ts';
import type { FetchLike } from '../protocol/transport.ts';

/** What steps may use from the outside world; injected so every flow runs against a stub in tests. */
export interface FlowDeps {
  readonly fetch: FetchLike;
  readonly now: () => number;
  /** Whether the app's local relay is running (false when the app is hosted as static files). */
  readonly relayAvailable: boolean;
  /** The relay's per-start token (from the app's runtime config). */
  readonly relayToken?: string;
  /** The app's own origin, sent as Origin when the relay redeems an SPA code. */
  readonly appOrigin: string;
}

/** A failure as the UI keeps it: plain data, safe to store and render. */
export interface StepFailure {
  readonly code: ErrorCode | 'BUG';
  readonly message: string;
  /** The server's error fields, verbatim, when a server answered with an error. */
  readonly fields?: OAuthErrorFields;
  readonly status?: number;
  /** The raw body behind the error, when there was one. */
  readonly raw?: string;
  /** The shape the server's body had (Okta's, form-encoded, a gateway's HTML page…). */
  readonly format?: ErrorBodyFormat;
  /** For a request that got no answer: the host and why it could not be reached. */
  readonly unreachable?: UnreachableDetail;
}

/** The result of running one step. */
export type StepResult<Patch> =
  { readonly ok: true; readonly patch: Patch } | { readonly ok: false; readonly failure: StepFailure };

/** Turns anything thrown into a `StepFailure`, keeping server fields and raw bodies. */
export function toStepFailure(error: unknown): StepFailure {
  if (error instanceof LabError) {
    const withFields = error as LabError & {
      fields?: OAuthErrorFields;
      status?: number;
      format?: ErrorBodyFormat;
      unreachable?: UnreachableDetail;
    };
    return {
      code: error.code,
      message: error.message,
      ...(withFields.fields === undefined ? {} : { fields: withFields.fields }),
      ...(withFields.status === undefined ? {} : { status: withFields.status }),
      ...(typeof error.cause === 'string' ? { raw: error.cause } : {}),
      ...(withFields.format === undefined ? {} : { format: withFields.format }),
      ...(withFields.unreachable === undefined ? {} : { unreachable: withFields.unreachable }),
    };
  }
  const message = error instanceof Error ? error.message : String(error);
  // W3C Secure Contexts §1: WebCrypto's `crypto.subtle` is given to https and localhost pages only; over
  // plain http from another machine every step that hashes, signs or makes a key throws a TypeError.
  // https://w3c.github.io/webcrypto/#crypto-interface ([SecureContext] on `subtle`)
  if ((globalThis as { crypto?: { subtle?: unknown } }).crypto?.subtle === undefined)
    return { code: 'INSECURE_CONTEXT', message: `The browser said: ${message}` };
  return { code: 'BUG', message };
}

/** Runs a step function and turns a throw into a failed result. */
export async function runStep<Ctx, Patch>(
  step: (ctx: Ctx, deps: FlowDeps) => Promise<Patch> | Patch,
  ctx: Ctx,
  deps: FlowDeps,
): Promise<StepResult<Patch>> {
  try {
    return { ok: true, patch: await step(ctx, deps) };
  } catch (error) {
    return { ok: false, failure: toStepFailure(error) };
  }
}
