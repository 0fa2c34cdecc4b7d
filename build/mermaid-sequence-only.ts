/**
 * A Vite plugin (build only) that keeps mermaid to what sequence diagrams need. mermaid 11 registers a
 * lazy loader for every diagram type (gantt, C4, mindmap, architecture, …), layouts (dagre, cose-bilkent,
 * swimlanes) and KaTeX, each a dynamic import the bundler turns into chunks — about 25 diagram types and
 * their libraries (cytoscape, KaTeX) that this app never loads. Here each of those dynamic imports in
 * mermaid's dist becomes a rejected promise, so the bundler has nothing to split out; asking mermaid for
 * such a diagram fails with "… is not included in this build", which the page shows as its message list.
 */
import type { Plugin } from 'vite';

/** The diagram modules the app draws: `sequenceDiagram-<hash>.mjs`. */
const KEPT = /^sequenceDiagram-[A-Z0-9]+$/;
/** A dynamic import in mermaid's dist: `import("./chunks/mermaid.core/x.mjs")`, `import("./x.mjs")`, `import("katex")`. */
const DYNAMIC_IMPORT = /\bimport\(\s*"((?:\.\/chunks\/mermaid\.core\/|\.\/)?([^"/]+?)(?:\.mjs)?)"\s*\)/g;
const MERMAID_DIST = /[\\/]node_modules[\\/]mermaid[\\/]dist[\\/].*\.mjs$/;

/**
 * The code of a mermaid dist module with every dynamic import other than the sequence diagram's replaced
 * by a rejection, and the names of the modules dropped.
 */
export function dropMermaidLoaders(code: string): { code: string; dropped: string[] } {
  const dropped: string[] = [];
  const out = code.replace(DYNAMIC_IMPORT, (whole, _specifier: string, name: string) => {
    if (KEPT.test(name)) return whole;
    dropped.push(name);
    const message = `mermaid: ${name} is not included in this build (build/mermaid-sequence-only.ts keeps sequence diagrams only)`;
    return `Promise.reject(new Error(${JSON.stringify(message)}))`;
  });
  return { code: out, dropped };
}

export function mermaidSequenceOnly(): Plugin {
  const dropped = new Set<string>();
  return {
    name: 'lab:mermaid-sequence-only',
    apply: 'build',
    transform(code, id) {
      if (!MERMAID_DIST.test(id.split('?')[0] ?? '') || !code.includes('import(')) return null;
      const result = dropMermaidLoaders(code);
      if (result.dropped.length === 0) return null;
      for (const name of result.dropped) dropped.add(name);
      return { code: result.code, map: null };
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
