import { describe, expect, test } from 'vitest';
import { buildSequenceDiagram, escapeMermaidText, messageIndexesForStep } from './diagram.ts';
import type { DiagramSpec } from './types.ts';

const SPEC: DiagramSpec = {
  actors: [
    { id: 'browser', label: 'Browser (SPA)' },
    { id: 'entra', label: 'Entra ID' },
    { id: 'end', label: 'API' },
  ],
  messages: [
    { from: 'browser', to: 'entra', text: 'GET /authorize?response_type=code', step: 'authorize' },
    { from: 'entra', to: 'browser', text: '302 Location: ...?code=x#frag', step: 'authorize', reply: true },
    { from: 'browser', to: 'entra', text: 'POST /token; code + code_verifier', step: 'redeem' },
    { from: 'entra', to: 'browser', text: 'access_token, id_token', step: 'redeem', reply: true },
    { from: 'browser', to: 'end', text: 'GET /me\nAuthorization: Bearer <token>', step: 'call' },
  ],
};

describe('buildSequenceDiagram', () => {
  test('Mermaid sequenceDiagram: aliased participants, ->> requests, -->> replies', () => {
    expect(buildSequenceDiagram(SPEC)).toMatchInlineSnapshot(`
      "sequenceDiagram
        participant browser as Browser (SPA)
        participant entra as Entra ID
        participant p3 as API
        browser->>entra: GET /authorize?response_type=code
        entra-->>browser: 302 Location#58; ...?code=x#35;frag
        browser->>entra: POST /token#59; code + code_verifier
        entra-->>browser: access_token, id_token
        browser->>p3: GET /me Authorization#58; Bearer #60;token#62;
      "
    `);
  });

  test('is deterministic', () => {
    expect(buildSequenceDiagram(SPEC)).toBe(buildSequenceDiagram(structuredClone(SPEC)));
  });

  test('actors used only in messages are declared, unsafe ids are replaced', () => {
    const text = buildSequenceDiagram({
      actors: [{ id: 'a b', label: 'Spaced' }],
      messages: [{ from: 'a b', to: 'ghost', text: 'hi', step: 's' }],
    });
    expect(text).toBe(
      'sequenceDiagram\n  participant p1 as Spaced\n  participant ghost as ghost\n  p1->>ghost: hi\n',
    );
  });
});

describe('escapeMermaidText', () => {
  test('Mermaid entity codes: ; # : < > % become entities, whitespace collapses', () => {
    expect(escapeMermaidText(' a;b#c:d <br> 100%%\n x ')).toBe('a#59;b#35;c#58;d #60;br#62; 100#37;#37; x');
  });

  test('aliases also escape , and @', () => {
    expect(escapeMermaidText('User, you@home', 'alias')).toBe('User#44; you#64;home');
    expect(escapeMermaidText('User, you@home')).toBe('User, you@home');
  });

  test('empty text becomes a no-break space entity', () => {
    expect(escapeMermaidText('  ')).toBe('#160;');
  });
});

describe('messageIndexesForStep', () => {
  test('returns the message positions of a step, in order', () => {
    expect(messageIndexesForStep(SPEC, 'authorize')).toEqual([0, 1]);
    expect(messageIndexesForStep(SPEC, 'call')).toEqual([4]);
    expect(messageIndexesForStep(SPEC, 'nope')).toEqual([]);
  });
});
