/**
 * What decides how a sequence diagram is drawn, kept apart from React and the DOM so the build-time
 * renderer (scripts/render-diagrams.ts) and the store's test use exactly what the page uses: mermaid's
 * configuration, the text mermaid is given, and the key under which a drawing of that text is stored.
 */

/*
 * Layout, measured on mermaid 11 (neutral theme). Message text is drawn at 14 px and the SVG is never
 * scaled down, so the text stays 14 px wherever it is shown. Labels wrap inside the space between two
 * lifelines (`wrap`), so participants sit 126 px apart and a four-participant diagram is about 515 px
 * wide: it fits the side column at 1280 px and wider, where unwrapped labels needed 800–1,500 px.
 */
export const FONT_SIZE_PX = 14;
export const ACTOR_WIDTH_PX = 110;
export const ACTOR_MARGIN_PX = 16;
export const WRAP_PADDING_PX = 10;

/** mermaid's configuration, for `mermaid.initialize` in the page and in the build-time renderer. */
export const MERMAID_CONFIG = {
  startOnLoad: false,
  securityLevel: 'strict',
  theme: 'neutral',
  // mermaid sets every sequence font size from this one.
  fontSize: FONT_SIZE_PX,
  sequence: {
    // Drawn at its natural size (width and height attributes), not scaled to the column.
    useMaxWidth: false,
    wrap: true,
    width: ACTOR_WIDTH_PX,
    actorMargin: ACTOR_MARGIN_PX,
    wrapPadding: WRAP_PADDING_PX,
    diagramMarginX: 8,
    diagramMarginY: 8,
    // The actor row at the bottom would repeat the top one; the column is short enough already.
    mirrorActors: false,
  },
  suppressErrorRendering: true,
} as const;

/**
 * The id a stored drawing is rendered under. mermaid scopes its styles and arrowhead markers by the
 * SVG's id, so the page renames it to an id of its own before inserting the markup (`withDiagramId`).
 */
export const STORED_DIAGRAM_ID = 'lab-stored-diagram';

/** Where stored drawings are served from: `${STORED_DIAGRAM_PATH}/<key>.svg` (files in public/diagrams). */
export const STORED_DIAGRAM_PATH = '/diagrams';

/** The store's index, written by `npm run render-diagrams`: mermaid's version and each drawing's size. */
export interface DiagramStoreIndex {
  readonly mermaid: string;
  /** Key (`diagramKey`) → the drawing's natural size in CSS px (its viewBox). */
  readonly diagrams: Readonly<Record<string, { readonly width: number; readonly height: number }>>;
}

// A label in a message statement of the builder's output: `  from->>to: label` (also `-->>`, `-x`, `--x`).
const MESSAGE_STATEMENT = /^(\s*[^\s:]+?(?:-->>|->>|--x|-x)[^\s:]+?: )(.*)$/;

/**
 * The builder's text with `:` and `%` written plainly inside message labels. The builder writes them
 * as entity codes (`#58;`), which mermaid draws as the character, but with labels wrapped mermaid may
 * break a long word in the middle of its code and draw garbage. Inside a label both are plain text to
 * the grammar, except a label starting with `:` or `wrap:`, and `%%`, which stay escaped.
 */
export function drawableText(text: string): string {
  return text
    .split('\n')
    .map((statement) => {
      const match = MESSAGE_STATEMENT.exec(statement);
      if (match === null) return statement;
      const [, head = '', label = ''] = match;
      let plain = label.replaceAll('#58;', ':');
      // `: x` or `wrap: x` at the start of a label would be read as (part of) a directive.
      plain = plain.replace(/^(\s*(?:(?:no)?wrap)?):/i, '$1#58;');
      const withPercent = plain.replaceAll('#37;', '%');
      if (!withPercent.includes('%%')) plain = withPercent;
      return head + plain;
    })
    .join('\n');
}

/** cyrb53: a 53-bit string hash, as a number. Not cryptographic; synchronous and the same everywhere. */
function cyrb53(text: string, seed: number): number {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ code, 2654435761);
    h2 = Math.imul(h2 ^ code, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

const CONFIG_TEXT = JSON.stringify(MERMAID_CONFIG);

/**
 * The key of a drawing: 28 hex digits hashing mermaid's configuration and the exact text it draws, so a
 * change to either misses the store instead of showing a stale drawing. Synchronous (crypto.subtle is
 * async and missing outside secure contexts, e.g. the app opened by a LAN address).
 */
export function diagramKey(text: string): string {
  const input = `${CONFIG_TEXT}\n${text}`;
  return [cyrb53(input, 1), cyrb53(input, 2)].map((n) => n.toString(16).padStart(14, '0')).join('');
}

/**
 * `svg` (markup mermaid drew under `from`) with every occurrence of `from` replaced by `to`: its
 * element id, the style rules scoped by it, and its marker ids and references.
 */
export function withDiagramId(svg: string, from: string, to: string): string {
  return svg.split(from).join(to);
}
