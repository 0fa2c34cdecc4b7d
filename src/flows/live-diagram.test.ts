import { describe, expect, test } from 'vitest';
import { buildSequenceDiagram } from './diagram.ts';
import { diagramPath, liveDiagramSpec, plannedDiagram, RELAY_ACTOR } from './live-diagram.ts';
import type { DiagramSpec, RecordedMessage } from './types.ts';

const spec: DiagramSpec = {
  actors: [
    { id: 'app', label: 'App' },
    { id: 'as', label: 'Authorization server' },
  ],
  messages: [
    { from: 'app', to: 'app', text: 'Make code_verifier', step: 'pkce', variant: 'pkce' },
    { from: 'app', to: 'as', text: 'Authorize with code_challenge', step: 'authorize', variant: 'pkce' },
    { from: 'app', to: 'as', text: 'Authorize', step: 'authorize', variant: 'secret' },
    { from: 'app', to: 'as', text: 'POST /token', step: 'poll', http: true },
    { from: 'as', to: 'app', text: 'tokens', step: 'poll', http: true, reply: true },
    { from: 'app', to: 'app', text: 'Read the tokens', step: 'tokens' },
  ],
};

const poll = (status: number, error?: string, at = 0): RecordedMessage => ({
  step: 'poll',
  method: 'POST',
  url: 'http://localhost:5174/5f1c9e7a-0b3d-4c2e-9a61-7d8e2f4b6c10/oauth2/v2.0/token',
  via: 'browser',
  status,
  at,
  ...(error === undefined ? {} : { error }),
});

describe('the diagram of a run', () => {
  test('draws only the variant the run uses', () => {
    expect(plannedDiagram(spec, ['secret']).messages.map((m) => m.text)).toEqual([
      'Authorize',
      'POST /token',
      'tokens',
      'Read the tokens',
    ]);
    expect(buildSequenceDiagram(plannedDiagram(spec, ['secret']))).not.toMatch(
      /code_verifier|code_challenge/,
    );
  });

  test('before anything is sent it is the plan; once sent, the recording replaces the planned HTTP pair', () => {
    expect(liveDiagramSpec(spec, [], ['pkce']).messages).toEqual(plannedDiagram(spec, ['pkce']).messages);
    const live = liveDiagramSpec(spec, [poll(200)], ['pkce']).messages;
    expect(live.map((m) => m.text)).toEqual([
      'Make code_verifier',
      'Authorize with code_challenge',
      'POST …/token',
      '200',
      'Read the tokens',
    ]);
    expect(live[3]).toMatchObject({ from: 'as', to: 'app', reply: true, failed: false, step: 'poll' });
  });

  test('repeated polls fold into one loop with their count; the different last answer follows it', () => {
    const recorded = [
      poll(400, 'authorization_pending AADSTS70016', 1),
      poll(400, 'authorization_pending AADSTS70016', 2),
      poll(400, 'slow_down', 3),
      poll(400, 'authorization_pending AADSTS70016', 4),
      poll(200, undefined, 5),
    ];
    const live = liveDiagramSpec(spec, recorded, []).messages.filter((m) => m.step === 'poll');
    expect(live).toHaveLength(4);
    expect(live[0]).toMatchObject({ loop: '4 times', text: 'POST …/token' });
    expect(live[1]).toMatchObject({
      loop: '4 times',
      text: '400 authorization_pending AADSTS70016 ×3, 400 slow_down ×1',
      failed: true,
    });
    expect(live[3]).toMatchObject({ text: '200', failed: false });
    expect(live[3]?.loop).toBeUndefined();
    const text = buildSequenceDiagram(liveDiagramSpec(spec, recorded, []));
    expect(text).toMatch(/ {2}loop 4 times\n {4}app->>p2: POST[^\n]*\n {4}p2--xapp: 400[^\n]*\n {2}end\n/);
  });

  test('a request through the relay draws the relay as a participant beside the sender', () => {
    const live = liveDiagramSpec(spec, [{ ...poll(400, 'invalid_client AADSTS7000215'), via: 'relay' }], []);
    expect(live.actors.map((a) => a.id)).toEqual(['app', RELAY_ACTOR.id, 'as']);
    expect(
      live.messages.filter((m) => m.step === 'poll').map((m) => [m.from, m.to, m.failed === true]),
    ).toEqual([
      ['app', 'relay', false],
      ['relay', 'as', false],
      ['as', 'relay', true],
      ['relay', 'app', true],
    ]);
  });

  test('the same answer every pass is named once; a failure then a success is two exchanges, no loop', () => {
    const same = liveDiagramSpec(spec, [poll(400, 'slow_down', 1), poll(400, 'slow_down', 2)], []).messages;
    expect(same.filter((m) => m.step === 'poll').map((m) => [m.text, m.loop])).toEqual([
      ['POST …/token', '2 times'],
      ['400 slow_down', '2 times'],
    ]);
    const retried = liveDiagramSpec(
      spec,
      [poll(401, 'invalid_client', 1), poll(200, undefined, 2)],
      [],
    ).messages;
    expect(retried.filter((m) => m.step === 'poll').map((m) => [m.text, m.loop])).toEqual([
      ['POST …/token', undefined],
      ['401 invalid_client', undefined],
      ['POST …/token', undefined],
      ['200', undefined],
    ]);
  });

  test('a request that got no answer is one failed arrow saying why', () => {
    const live = liveDiagramSpec(
      spec,
      [{ step: 'poll', method: 'POST', url: poll(0).url, via: 'browser', at: 0, error: 'no answer' }],
      [],
    );
    const sent = live.messages.filter((m) => m.step === 'poll');
    expect(sent).toEqual([
      {
        from: 'app',
        to: 'as',
        step: 'poll',
        text: 'POST …/token — no answer',
        failed: true,
      },
    ]);
  });

  test('hand-recorded messages (the sign-in redirect) are drawn as recorded, in step order', () => {
    const recorded: RecordedMessage[] = [
      {
        step: 'authorize',
        method: 'navigation',
        url: '/authorize',
        via: 'navigation',
        at: 1,
        from: 'app',
        to: 'as',
        label: 'GET /authorize (the tab navigates)',
      },
      {
        step: 'authorize',
        method: 'navigation',
        url: '/callback',
        via: 'navigation',
        at: 2,
        from: 'as',
        to: 'app',
        label: '302 to the redirect URI: error=access_denied',
        reply: true,
        error: 'access_denied',
      },
    ];
    const live = liveDiagramSpec(spec, recorded, ['secret']).messages;
    expect(live.map((m) => m.text)).toEqual([
      'Authorize',
      'GET /authorize (the tab navigates)',
      '302 to the redirect URI: error=access_denied',
      'POST /token',
      'tokens',
      'Read the tokens',
    ]);
    expect(live[2]).toMatchObject({ reply: true, failed: true });
  });

  test('paths short enough to stay whole between lifelines: the last segment, or a short path as it is', () => {
    expect(diagramPath('https://login.microsoftonline.com/common/oauth2/v2.0/token?x=1')).toBe('…/token');
    expect(diagramPath('http://localhost:5174/portal/apps/1b6f/certificates')).toBe('…/certificates');
    expect(diagramPath('/relay/forward')).toBe('/relay/forward');
    expect(diagramPath('https://graph.microsoft.com/v1.0/me')).toBe('/v1.0/me');
  });
});
