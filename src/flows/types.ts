/**
 * A grant described as data: its actors, its steps and the sequence diagram that follows them.
 * Routes, navigation and diagrams are all derived from these definitions.
 */
import type { StepFailure } from './runner.ts';

/** One participant of the sequence diagram. */
export interface Actor {
  readonly id: string;
  readonly label: string;
  /** An attacker (the attack lab): drawn inside a coloured box titled "Attacker", apart from the others. */
  readonly attacker?: boolean;
}

/** One message of the sequence diagram, attributed to the step that sends it. */
export interface DiagramMessage {
  readonly from: string;
  readonly to: string;
  readonly text: string;
  /** The id of the step this message belongs to; the diagram highlights it while that step is current. */
  readonly step: string;
  /** A dashed reply arrow rather than a request. */
  readonly reply?: boolean;
  /**
   * Drawn only when the run's variants (FlowPage's `variants`) include this tag, e.g. `pkce`, `secret`,
   * `certificate`: the diagram draws the variant the run uses, not every variant at once.
   */
  readonly variant?: string;
  /**
   * A planned HTTP request or its reply. Once the run has recorded the requests its step really sent, those
   * recordings (method, path, status, error code, relay hop) are drawn in place of the planned pair.
   */
  readonly http?: boolean;
  /** The request failed or was refused: drawn as an arrow ending in a cross. */
  readonly failed?: boolean;
  /** Consecutive messages with the same loop label are drawn inside one `loop` box with that label. */
  readonly loop?: string;
}

/** One message the run really sent or received, for the live sequence diagram. */
export interface RecordedMessage {
  /** The step that was running when it was sent. */
  readonly step: string;
  /** HTTP method, or `navigation` for a full-page trip (the sign-in redirect). */
  readonly method: string;
  /** Where it went, without query or fragment (those can carry codes and tokens). */
  readonly url: string;
  readonly via: 'browser' | 'relay' | 'navigation';
  /** The HTTP status of the answer; undefined when no answer came. */
  readonly status?: number;
  /** The error the answer carried (`error`, plus the AADSTS code when there is one), or why none came. */
  readonly error?: string;
  readonly at: number;
  /** For messages recorded by hand: the diagram's sender, receiver and text. */
  readonly from?: string;
  readonly to?: string;
  readonly label?: string;
  readonly reply?: boolean;
}

export interface DiagramSpec {
  readonly actors: readonly Actor[];
  readonly messages: readonly DiagramMessage[];
}

/** One editable request parameter, with a one-line explanation in our own words. */
export interface ParameterDefinition {
  /** The wire name, spelled as the RFC spells it. */
  readonly name: string;
  readonly explanation: string;
  /** Where the parameter is defined, e.g. "RFC 6749 §4.1.1". */
  readonly spec: string;
  readonly options?: readonly string[];
  readonly required?: boolean;
}

/** One step of a grant, as the step list and the diagram show it. */
export interface StepDefinition {
  readonly id: string;
  readonly title: string;
  /** Why the step exists, in a sentence or two. */
  readonly why: string;
  readonly spec: string;
  /**
   * The run-context keys (top-level keys of the flow's ctx) this step's result depends on. Changing one
   * after the step ran marks the step, and every later step that ran, stale.
   */
  readonly inputs?: readonly string[];
}

/** What the home page, the navigation and the router need to know about a grant: the catalogue entry. */
export interface FlowCatalogueEntry {
  /** The flow id is its URL path segment and its e2e spec name. */
  readonly id: string;
  readonly title: string;
  /** One line: when to reach for this grant. */
  readonly whenToUse: string;
  /** When set, the grant is legacy and this says why. */
  readonly legacy?: string;
}

/** A whole grant as data: its catalogue entry, its steps and its sequence diagram. */
export interface FlowDefinition extends FlowCatalogueEntry {
  readonly steps: readonly StepDefinition[];
  readonly diagram: DiagramSpec;
}

export type RedirectStepStatus = 'done' | 'failed' | 'skipped';

/**
 * What a flow's redirect handler returns to the callback page: the run to start, where it is and how
 * its steps went. Pure data, so the callback page stays the only place that touches the store.
 */
export interface RedirectOutcome<Ctx> {
  readonly ctx: Ctx;
  readonly current: string;
  readonly status: Readonly<Record<string, RedirectStepStatus>>;
  readonly failure?: { readonly stepId: string; readonly failure: StepFailure };
}
