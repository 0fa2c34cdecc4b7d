/**
 * Stub, replaced while issue 13 is built: the catalogue entry with one step, so the route exists.
 */
import { catalogueEntry } from './registry.ts';
import type { FlowDefinition } from './types.ts';

export const tokenExchangeFlow = {
  ...catalogueEntry('token-exchange'),
  steps: [{ id: 'start', title: 'Start', why: 'Being built.', spec: 'RFC 6749' }],
  diagram: {
    actors: [
      { id: 'client', label: 'Client' },
      { id: 'as', label: 'Authorization server' },
    ],
    messages: [{ from: 'client', to: 'as', text: 'request', step: 'start' }],
  },
} as const satisfies FlowDefinition;
