/**
 * Issue 12's size targets, kept by what each page imports at first paint: the static import graph of the
 * landing page and of the flow pages must not reach the modules that only some states show (verdict
 * texts, the attack catalogue, the request transport, JOSE, the settings link builder, the standards
 * parts of the code flow, the diagram's full-size view and mermaid's drawing code, the JWT decoder). A failure names the chain of imports that brings the module in: load it on
 * demand where it is shown (`import()`), or split the part the page needs from the rest.
 * `npm run bench -- --only=bundle` measures the bytes; this test says early which import broke them.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, expect, test } from 'vitest';
import { FLOWS } from '../flows/registry.ts';

const ROOT = join(dirname(new URL(import.meta.url).pathname), '..', '..');

/** `import … from '…'`, `export … from '…'` and `import '…'`, with the clause between (to tell types apart). */
const STATIC_IMPORT =
  /^\s*(import|export)\s+(type\s+)?([^'";]*?)\s*from\s*['"]([^'"]+)['"]|^\s*import\s+['"]([^'"]+)['"]/gm;

/** Whether an import clause brings nothing at run time: `import type`, or only `type` specifiers. */
function typeOnly(typeKeyword: string | undefined, clause: string): boolean {
  if (typeKeyword !== undefined) return true;
  const braces = /^\{([^}]*)\}$/.exec(clause.trim());
  if (braces === null) return false;
  const names = (braces[1] ?? '')
    .split(',')
    .map((n) => n.trim())
    .filter((n) => n !== '');
  return names.length > 0 && names.every((n) => n.startsWith('type '));
}

/** A relative specifier as a file of the repository (with its extension), or a package name. */
function resolve(from: string, specifier: string): string | undefined {
  if (!specifier.startsWith('.')) {
    const parts = specifier.split('/');
    return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
  }
  if (/\.(css|json|svg)$/.test(specifier)) return undefined;
  const base = join(dirname(join(ROOT, from)), specifier);
  const found = [base, `${base}.ts`, `${base}.tsx`].find((path) => /\.tsx?$/.test(path) && existsSync(path));
  return found === undefined ? undefined : relative(ROOT, found).replace(/\\/g, '/');
}

/** Every module `start` loads with its static imports, each with the chain of files that reaches it. */
function staticGraph(start: string): Map<string, readonly string[]> {
  const reached = new Map<string, readonly string[]>([[start, [start]]]);
  const queue = [start];
  while (queue.length > 0) {
    const file = queue.shift() as string;
    if (!/\.tsx?$/.test(file)) continue;
    const source = readFileSync(join(ROOT, file), 'utf8');
    for (const match of source.matchAll(STATIC_IMPORT)) {
      const [, , typeKeyword, clause = '', fromSpecifier, bareSpecifier] = match;
      const specifier = fromSpecifier ?? bareSpecifier;
      if (specifier === undefined || (fromSpecifier !== undefined && typeOnly(typeKeyword, clause))) continue;
      const target = resolve(file, specifier);
      if (target === undefined || reached.has(target)) continue;
      reached.set(target, [...(reached.get(file) ?? [file]), target]);
      queue.push(target);
    }
  }
  return reached;
}

/** The chains by which `start` reaches any of `modules` (empty when it reaches none). */
function chainsTo(start: string, modules: readonly string[]): string[] {
  const graph = staticGraph(start);
  return modules.flatMap((module) => {
    const chain = graph.get(module);
    return chain === undefined ? [] : [chain.join(' → ')];
  });
}

describe('what the landing page loads at first paint', () => {
  const LANDING = 'src/main.tsx';

  test('the walk follows the app: it reaches the settings store and its metadata checks', () => {
    const graph = staticGraph(LANDING);
    expect(graph.has('src/state/settings.ts')).toBe(true);
    expect(graph.has('src/protocol/metadata-fields.ts')).toBe(true);
    expect(graph.has('src/protocol/endpoint-checks.ts')).toBe(true);
    expect(graph.has('react-router')).toBe(true);
  });

  test('no verdict texts, attack catalogue, transport, discovery, link builder, JOSE or mermaid', () => {
    expect(
      chainsTo(LANDING, [
        'src/protocol/provider-features.ts',
        'src/protocol/flow-support.ts',
        'src/state/provider-features.ts',
        'src/protocol/discovery.ts',
        'src/protocol/transport.ts',
        'src/flows/attacks/registry.ts',
        'src/state/settings-transfer.ts',
        'jose',
        'mermaid',
      ]),
    ).toEqual([]);
  });
});

describe('what the flow pages load at first paint', () => {
  test('the walk follows a flow page: the code flow reaches its flow and the frame of every flow page', () => {
    const graph = staticGraph('src/ui/routes/authorization-code.tsx');
    expect(graph.has('src/flows/authorization-code.ts')).toBe(true);
    expect(graph.has('src/ui/components/flow-page.tsx')).toBe(true);
  });

  test('the frame of every flow page leaves the settings link builder and JOSE out', () => {
    expect(chainsTo('src/ui/components/flow-page.tsx', ['src/state/settings-transfer.ts', 'jose'])).toEqual(
      [],
    );
  });

  test('the client authentication choice shows assertion fields without the signer (JOSE)', () => {
    expect(
      chainsTo('src/ui/components/client-auth-choice.tsx', ['src/protocol/client-assertion.ts', 'jose']),
    ).toEqual([]);
  });

  test('the code flow page under Entra loads no standards parts (PAR, JAR, JARM options, client authentication)', () => {
    expect(
      chainsTo('src/ui/routes/authorization-code.tsx', [
        'src/ui/routes/authorization-code-standards.tsx',
        'src/ui/components/client-auth-choice.tsx',
      ]),
    ).toEqual([]);
  });

  // Every flow page: the request transport loads with the first request (`flows/send-request.ts`), the
  // diagram's full-size view when first opened and mermaid's drawing code with a text that has no stored
  // drawing; none comes with the page.
  test.each(FLOWS.map((flow) => flow.id))(
    'the %s page leaves the transport, the full-size diagram view and the mermaid drawing code out',
    (id) => {
      expect(
        chainsTo(`src/ui/routes/${id}.tsx`, [
          'src/protocol/transport.ts',
          'src/ui/components/diagram-dialog.tsx',
          'src/ui/components/sequence-diagram-draw.ts',
          'mermaid',
        ]),
      ).toEqual([]);
    },
  );

  test('the walk follows the diagram: the panel reaches its column drawing, not its on-demand parts', () => {
    const graph = staticGraph('src/ui/components/diagram-panel.tsx');
    expect(graph.has('src/ui/components/sequence-diagram.tsx')).toBe(true);
    expect(graph.has('src/ui/components/diagram-dialog.tsx')).toBe(false);
  });

  test('the on-behalf-of page loads the API call with the call, not with the page', () => {
    expect(chainsTo('src/ui/routes/on-behalf-of.tsx', ['src/flows/call-api.ts'])).toEqual([]);
  });

  test('the client credentials page loads the JWT decoder with the token, not with the page', () => {
    expect(
      chainsTo('src/ui/routes/client-credentials.tsx', [
        'src/protocol/jwt.ts',
        'jwt-decode',
        'src/flows/client-credentials-token.ts',
      ]),
    ).toEqual([]);
  });

  // The code flow's nonce check, request object and JARM reading, and the implicit page's ID token checks,
  // load the JWT decoder with the response (or object) they read.
  test.each(['authorization-code', 'implicit'])(
    'the %s page loads the JWT decoder with a token, not with the page',
    (id) => {
      expect(
        chainsTo(`src/ui/routes/${id}.tsx`, ['src/protocol/jwt.ts', 'jwt-decode', 'src/protocol/hybrid.ts']),
      ).toEqual([]);
    },
  );

  // Every flow page (one route module per flow id, `src/ui/flow-routes.ts`): JOSE loads with the first
  // key, proof or assertion, and the callback parser with the first answer or paste, never with a page.
  test.each(FLOWS.map((flow) => flow.id))(
    'the %s page leaves JOSE and the callback parser out of its first load',
    (id) => {
      const route = `src/ui/routes/${id}.tsx`;
      expect(existsSync(join(ROOT, route))).toBe(true);
      expect(
        chainsTo(route, ['jose', 'src/protocol/callback.ts', 'src/flows/authorization-code-callback.ts']),
      ).toEqual([]);
    },
  );
});
