/**
 * A grant described as data: its actors, its steps and the sequence diagram that follows them.
 * Routes, navigation and diagrams are all derived from these definitions.
 */
import type { StepFailure } from './runner.ts';

/** One participant of the sequence diagram. */
export interface Actor {
  readonly id: string;
  readonly label: string;
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
