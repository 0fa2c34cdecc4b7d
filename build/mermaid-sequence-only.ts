/**
 * A Vite plugin (build only) that keeps mermaid to what sequence diagrams need, and lets its drawing of
 * one give the main thread back between steps. mermaid 11 registers a
 * lazy loader for every diagram type (gantt, C4, mindmap, architecture, …), layouts (dagre, cose-bilkent,
 * swimlanes) and KaTeX, each a dynamic import the bundler turns into chunks — about 25 diagram types and
 * their libraries (cytoscape, KaTeX) that this app never loads. Here each of those dynamic imports in
 * mermaid's dist becomes a rejected promise, so the bundler has nothing to split out; asking mermaid for
 * such a diagram fails with "… is not included in this build", which the page shows as its message list.
 *
 * mermaid draws a sequence diagram in one long task (parse, measure every label, draw every message,
 * sanitise the SVG: about 100 ms here, 500 ms on a 4× slower CPU), all of it promise continuations. The
 * plugin adds a time-sliced yield to the event loop before parsing, styling, drawing and serialising, and in each
 * per-message loop of the sequence renderer, so that work is spread over tasks of about 30 ms. mermaid
 * runs one render at a time (its execution queue), so nothing else touches its state in between.
 */
import type { Plugin } from 'vite';

/** The diagram modules the app draws: `sequenceDiagram-<hash>.mjs`. */
const KEPT = /^sequenceDiagram-[A-Z0-9]+$/;
/** A dynamic import in mermaid's dist: `import("./chunks/mermaid.core/x.mjs")`, `import("./x.mjs")`, `import("katex")`. */
const DYNAMIC_IMPORT = /\bimport\(\s*"((?:\.\/chunks\/mermaid\.core\/|\.\/)?([^"/]+?)(?:\.mjs)?)"\s*\)/g;
const MERMAID_DIST = /[\\/]node_modules[\\/]mermaid[\\/]dist[\\/].*\.mjs$/;
const SEQUENCE_RENDERER = /[\\/]sequenceDiagram-[A-Z0-9]+\.mjs$/;
const MERMAID_CORE = /[\\/]mermaid\.core\.mjs$/;

/**
 * Resolves at once while the current slice of work is under 30 ms old, else after the browser ran its
 * other tasks (`scheduler.yield` where there is one, else a 0 ms timeout).
 */
const YIELD_HELPER = `
let __labSliceStart = performance.now();
function __labYield() {
  if (performance.now() - __labSliceStart < 30) return undefined;
  const next = globalThis.scheduler?.yield?.() ?? new Promise((resolve) => setTimeout(resolve, 0));
  return next.then(() => { __labSliceStart = performance.now(); });
}
`;

/** Points in mermaid's code where a yield is added; each must be found. */
const YIELD_POINTS: readonly { file: RegExp; find: RegExp; replace: string }[] = [
  {
    file: MERMAID_CORE,
    find: /: await Diagram\.fromText\(([^;]*)\);/g,
    replace: ': (await __labYield(), await Diagram.fromText($1));',
  },
  {
    file: MERMAID_CORE,
    find: /await diag\.renderer\.draw\([^;]*\);/g,
    replace: 'await __labYield(); $& await __labYield();',
  },
  {
    file: MERMAID_CORE,
    find: /const rules = createUserStyles\(/g,
    replace: 'await __labYield(); $&',
  },
  {
    file: MERMAID_CORE,
    find: /const svgCode = false \? await profiler\.span\("serialize", serializeSvg\) : serializeSvg\(\);/g,
    replace: 'await __labYield(); $&',
  },
  { file: SEQUENCE_RENDERER, find: /for \(const msg of messages\) \{/g, replace: '$& await __labYield();' },
  {
    file: SEQUENCE_RENDERER,
    find: /for \(const e of messagesToDraw\) \{/g,
    replace: '$& await __labYield();',
  },
];

/**
 * `code` with the yields of `YIELD_POINTS` for module `id` added; throws when a point is not found, so a
 * mermaid upgrade that moves the code fails the build instead of silently drawing in one task again.
 */
export function addYields(code: string, id: string): string {
  const points = YIELD_POINTS.filter((point) => point.file.test(id));
  if (points.length === 0) return code;
  let out = code;
  for (const point of points) {
    if (!point.find.test(out))
      throw new Error(
        `build/mermaid-sequence-only.ts: ${String(point.find)} not found in ${id}; mermaid changed`,
      );
    point.find.lastIndex = 0;
    out = out.replace(point.find, point.replace);
  }
  return `${YIELD_HELPER}\n${out}`;
}

/**
 * The code of a mermaid dist module with every dynamic import other than the sequence diagram's replaced
 * by a rejection, and the names of the modules dropped. The sequence diagram's own loader becomes a
 * static import: mermaid is only ever loaded to draw one, so its renderer rides in mermaid's chunk (one
 * request, not two in a row, and no chunk that only mermaid's own `import()` could reach).
 */
export function dropMermaidLoaders(code: string): { code: string; dropped: string[] } {
  const dropped: string[] = [];
  const kept: string[] = [];
  const out = code.replace(DYNAMIC_IMPORT, (_whole, specifier: string, name: string) => {
    if (KEPT.test(name)) {
      kept.push(specifier);
      return `Promise.resolve(__labKept${kept.length - 1})`;
    }
    dropped.push(name);
    const message = `mermaid: ${name} is not included in this build (build/mermaid-sequence-only.ts keeps sequence diagrams only)`;
    return `Promise.reject(new Error(${JSON.stringify(message)}))`;
  });
  const imports = kept.map(
    (specifier, i) => `import * as __labKept${i} from ${JSON.stringify(specifier)};\n`,
  );
  return { code: imports.join('') + out, dropped };
}

export function mermaidSequenceOnly(): Plugin {
  const dropped = new Set<string>();
  return {
    name: 'lab:mermaid-sequence-only',
    apply: 'build',
    transform(code, id) {
      const file = id.split('?')[0] ?? '';
      if (!MERMAID_DIST.test(file)) return null;
      const result = dropMermaidLoaders(code);
      for (const name of result.dropped) dropped.add(name);
      const out = addYields(result.code, file);
      return out === code ? null : { code: out, map: null };
    },
    buildEnd() {
      // Building without any drop means mermaid's dist changed shape and everything is bundled again.
      if (dropped.size === 0 && this.getModuleIds !== undefined) {
        const ids = [...this.getModuleIds()];
        if (ids.some((id) => MERMAID_DIST.test(id)))
          this.warn(
            'mermaid is bundled but no diagram loader was dropped: check build/mermaid-sequence-only.ts',
          );
      }
    },
  };
}
