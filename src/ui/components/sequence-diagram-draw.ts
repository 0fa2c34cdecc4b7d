/**
 * mermaid's part of the sequence diagram: loading it, and drawing a text with it when the browser is
 * idle. Loaded on demand by `sequence-diagram.tsx` with the first text that has no stored drawing.
 */
type MermaidApi = (typeof import('mermaid'))['default'];

let mermaidPromise: Promise<MermaidApi> | undefined;
/** Drawings made, for each a unique id while mermaid draws it. */
let drawCount = 0;

/**
 * Loads mermaid on first use only (it is large) and configures it once with `config` (the
 * `MERMAID_CONFIG` of `sequence-diagram-config.ts`, passed in so this chunk shares no module with the page).
 */
function loadMermaid(config: object): Promise<MermaidApi> {
  mermaidPromise ??= import('mermaid').then(({ default: mermaid }) => {
    mermaid.initialize(structuredClone(config) as Parameters<MermaidApi['initialize']>[0]);
    return mermaid;
  });
  // A failed import (offline, chunk missing) may succeed on a later attempt.
  mermaidPromise.catch(() => {
    mermaidPromise = undefined;
  });
  return mermaidPromise;
}

/**
 * Waits until the browser is idle (at most 1.5 s): the page's form paints and becomes usable first,
 * and mermaid's download, evaluation and drawing don't compete with it.
 */
function whenIdle(): Promise<void> {
  return new Promise((resolve) => {
    if (typeof window.requestIdleCallback === 'function')
      window.requestIdleCallback(() => resolve(), { timeout: 1500 });
    else window.setTimeout(resolve, 200);
  });
}

/**
 * Draws with mermaid when the browser is idle, in separate tasks: loading (and evaluating) mermaid is
 * one, drawing another, so their long tasks do not add up.
 */
export async function drawWithMermaid(text: string, config: object): Promise<{ svg: string; id: string }> {
  await whenIdle();
  const mermaid = await loadMermaid(config);
  await whenIdle();
  drawCount += 1;
  const id = `lab-drawn-${drawCount}`;
  try {
    const { svg } = await mermaid.render(id, text);
    return { svg, id };
  } catch (error) {
    // mermaid can leave its temporary render container behind when it fails.
    document.getElementById(`d${id}`)?.remove();
    throw error;
  }
}
