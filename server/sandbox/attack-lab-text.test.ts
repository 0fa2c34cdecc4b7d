/**
 * Every text the attack pages show, read as a learner reads it: each attack's lede, both runs'
 * explanations, every step's "why" with its citation, and — from real runs of every attack, both ways,
 * against a real sandbox — every step's account, its facts and the outcome with its refusal. The texts
 * are joined exactly as the page joins them (text.ts), and no paragraph may repeat a citation, an error
 * code or a sentence: the "(RFC 8252 §7.3). (RFC 8252 §7.3)" and "AADSTS501481: AADSTS501481" kind.
 * No text ends a sentence twice (".." or "!."), no step or outcome names an error code twice, and a
 * refusal the run expects (the defence working) is shown once, in the outcome, in the server's or the
 * check's own words — never with the troubleshooting hints meant for a failure (the "Is the sandbox the
 * one this app was started with (Settings)?" kind, or the error explainer's "what to do").
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ATTACK_DEFINITIONS } from '../../src/flows/attacks/definitions.ts';
import { ATTACKS } from '../../src/flows/attacks/registry.ts';
import { runAttack, stepsForMode } from '../../src/flows/attacks/runner.ts';
import { SANDBOX_MISMATCH_HINT } from '../../src/flows/attacks/sandbox-lab.ts';
import { citedText, refusalParts, refusalText } from '../../src/flows/attacks/text.ts';
import {
  ATTACK_MODES,
  type AttackDefinition,
  type AttackDeps,
  type AttackMode,
  type AttackRunRecord,
} from '../../src/flows/attacks/types.ts';
import { RELAY_PATH } from '../../src/protocol/transport.ts';
import { startTestSandbox, TEST_ORIGIN, TEST_REDIRECT_URI, type TestSandbox } from './test-support.ts';

let sandbox: TestSandbox;
const records = new Map<string, AttackRunRecord>();

beforeAll(async () => {
  sandbox = await startTestSandbox();
  // One run of each attack each way, in turn (runs change the sandbox's switches and settings).
  for (const attack of ATTACK_DEFINITIONS)
    for (const mode of ATTACK_MODES)
      records.set(`${attack.id} ${mode}`, await runAttack(attack, mode, deps()));
}, 120_000);
afterAll(async () => {
  await sandbox.stop();
});

function deps(): AttackDeps {
  return {
    fetch: async (input, init) => {
      const headers = new Headers(init.headers);
      if (input === RELAY_PATH) {
        const target = headers.get('x-relay-target') ?? '';
        headers.delete('x-relay-target');
        headers.delete('x-relay-token');
        return fetch(target, { ...init, headers });
      }
      headers.set('origin', TEST_ORIGIN);
      return fetch(input, { ...init, headers });
    },
    now: Date.now,
    relayAvailable: true,
    relayToken: 'test',
    appOrigin: TEST_ORIGIN,
    sandboxOrigin: sandbox.origin,
    redirectUri: TEST_REDIRECT_URI,
  };
}

// What the pages cite and the error codes servers and checks answer with.
const CITATION = /\b(?:RFC \d{3,5}|OIDC Core|OpenID Connect Core)(?: §[\d.]+)?/g;
const ERROR_CODE =
  /\b(?:AADSTS\d+|IDX\d+|[A-Z]+(?:_[A-Z]+)+|invalid_(?:grant|request|client|token|scope)|unauthorized_client|access_denied)\b/g;

/** The sentences of a paragraph (a full stop, ? or ! and a space end one), normalised. */
function sentences(paragraph: string): string[] {
  return paragraph
    .split(/(?<=[.!?])\s+/)
    .map((s) => s.replace(/\s+/g, ' ').trim().toLowerCase())
    .filter((s) => s.length > 3);
}

function repeated(values: readonly string[]): string[] {
  const seen = new Set<string>();
  const twice = new Set<string>();
  for (const value of values) (seen.has(value) ? twice : seen).add(value);
  return [...twice];
}

/** What is wrong with one paragraph as shown: citations, codes or sentences it says twice. */
export function doubled(paragraph: string): string[] {
  const citations = [...paragraph.matchAll(CITATION)].map((m) => m[0]);
  // A bare "RFC 9700" beside "RFC 9700 §4.4" is one citation read twice only when both are the same.
  const codes = [...paragraph.matchAll(ERROR_CODE)].map((m) => m[0]);
  return [
    ...repeated(citations).map((c) => `citation ${c}`),
    ...repeated(codes).map((c) => `code ${c}`),
    ...repeated(sentences(paragraph)).map((s) => `sentence “${s}”`),
  ];
}

/** Sentence ends said twice: "..", "!.", "?.", ". ." (an ellipsis and addresses are not sentence ends). */
export function doubledStops(paragraph: string): string[] {
  const prose = paragraph.replace(/\bhttps?:\/\/\S+/g, ' ').replace(/\.{3}|…/g, ' ');
  return [...prose.matchAll(/[.!?][\s)]*[.!?]/g)].map((m) => `“${m[0]}” in “${paragraph}”`);
}

/** Troubleshooting a failure asks for, in our own words (the refusal's own words are the server's). */
function troubleshootingHints(paragraph: string, refusal: { code: string; message: string }): string[] {
  const found: string[] = [];
  if (paragraph.includes(SANDBOX_MISMATCH_HINT)) found.push(`the sandbox hint in “${paragraph}”`);
  // A question in our own words is a troubleshooting prompt, not an account of the defence.
  const prose = paragraph.replace(/\bhttps?:\/\/\S+/g, ' ');
  if (/\?(\s|$)/.test(prose)) found.push(`a question in “${paragraph}”`);
  if (/\((?:Settings|settings)\)|\breload\b|\btry again\b/i.test(prose))
    found.push(`a failure’s advice in “${paragraph}”`);
  // The failure panel's headings (FailurePanel: "What happened" / "What to do") belong to failures only.
  if (/\bWhat to do\b/.test(prose)) found.push(`a failure’s “what to do” in “${paragraph}”`);
  // A refusal's own words are the server's; a troubleshooting hint of ours would follow them.
  const own = paragraph.replace(refusal.message, ' ');
  if (/\b(?:make sure|check (?:that|whether|the|your))\b/i.test(own))
    found.push(`troubleshooting in our own words in “${paragraph}”`);
  return found;
}

/** The most specific code of a refusal: the AADSTS number its code or message names, else its code. */
function refusalCode(refusal: { code: string; message: string }): string {
  return /AADSTS\d+/.exec(refusal.code)?.[0] ?? /AADSTS\d+/.exec(refusal.message)?.[0] ?? refusal.code;
}

/** Every paragraph one attack's page shows in one mode: its own texts, then the run's, step by step. */
function paragraphs(attack: AttackDefinition, mode: AttackMode, record: AttackRunRecord): string[][] {
  const run = attack.runs[mode];
  const blocks: string[][] = [
    [attack.summary],
    [run.explanation, ...(run.appDefenceOff === undefined ? [] : [run.appDefenceOff])],
    ...(attack.onEntra === undefined ? [] : [[attack.onEntra.text]]),
  ];
  for (const step of stepsForMode(attack, mode)) {
    const done = record.steps.find((s) => s.id === step.id);
    blocks.push([
      step.title,
      citedText(step.why, step.spec),
      ...(done?.said === undefined ? [] : [done.said]),
      ...(done?.facts ?? []).map((fact) => `${fact.label}: ${fact.value}`),
      ...(done?.failure === undefined ? [] : [done.failure.message]),
    ]);
  }
  const verdict = record.verdict;
  if (verdict !== undefined)
    blocks.push([verdict.why, ...(verdict.refusal === undefined ? [] : [refusalText(verdict.refusal)])]);
  return blocks;
}

describe('the texts every attack page shows (both runs, every step, every outcome)', () => {
  test('every attack in the catalogue is walked', () => {
    expect(ATTACK_DEFINITIONS.map((a) => a.id)).toEqual(ATTACKS.map((a) => a.id));
  });

  describe.each(ATTACK_DEFINITIONS.flatMap((a) => ATTACK_MODES.map((m) => [a.id, m, a] as const)))(
    '%s, defence %s',
    (id, mode, attack) => {
      test('the run reached its verdict, the one it should', () => {
        const record = records.get(`${id} ${mode}`);
        expect(record?.failure, JSON.stringify(record?.failure)).toBeUndefined();
        expect(record?.verdict?.attackWorked).toBe(attack.runs[mode].expected === 'attack-works');
      });

      test('no paragraph repeats a citation, an error code or a sentence; no block repeats a sentence', () => {
        const record = records.get(`${id} ${mode}`);
        if (record === undefined) throw new Error(`no run of ${id} ${mode}`);
        const found: string[] = [];
        for (const block of paragraphs(attack, mode, record)) {
          for (const paragraph of block)
            found.push(...doubled(paragraph).map((d) => `${d} in “${paragraph}”`));
          found.push(
            ...repeated(block.flatMap(sentences)).map((s) => `sentence “${s}” twice in one step or outcome`),
          );
        }
        expect(found).toEqual([]);
      });

      test('no text ends a sentence twice (“..”, “!.”), and no step or outcome names an error code twice', () => {
        const record = records.get(`${id} ${mode}`);
        if (record === undefined) throw new Error(`no run of ${id} ${mode}`);
        const found: string[] = [];
        for (const block of paragraphs(attack, mode, record)) {
          for (const paragraph of block) found.push(...doubledStops(paragraph));
          const codes = block.flatMap((paragraph) => [...paragraph.matchAll(ERROR_CODE)].map((m) => m[0]));
          found.push(...repeated(codes).map((c) => `code ${c} twice in “${block.join(' | ')}”`));
        }
        expect(found).toEqual([]);
      });

      test('an expected refusal is the defence: shown once, in the outcome, with no troubleshooting hints', () => {
        const record = records.get(`${id} ${mode}`);
        const refusal = record?.verdict?.refusal;
        if (record === undefined || refusal === undefined || record.verdict?.attackWorked !== false) {
          expect(attack.runs[mode].expected === 'defence-stops' ? refusal : undefined).toBeUndefined();
          return;
        }
        const blocks = paragraphs(attack, mode, record);
        const outcome = blocks.at(-1) ?? [];
        const deciding = blocks.at(-2) ?? [];
        const found: string[] = [];
        for (const paragraph of [...deciding, ...outcome])
          found.push(...troubleshootingHints(paragraph, refusal));
        const code = refusalCode(refusal);
        const said = [...deciding, ...outcome].join(' | ');
        expect(said.split(code).length - 1, `${code} in “${said}”`).toBe(1);
        const message = refusalParts(refusal).message;
        if (message.length > 20)
          expect(said.split(message).length - 1, `the refusal’s message in “${said}”`).toBe(1);
        expect(found).toEqual([]);
      });

      test('each refusal and each cited "why" keeps its code and citation once', () => {
        const record = records.get(`${id} ${mode}`);
        const refusal = record?.verdict?.refusal;
        if (refusal !== undefined) {
          const line = refusalText(refusal);
          expect(line.split(refusal.code).length - 1, line).toBeGreaterThanOrEqual(1);
          expect(doubled(line), line).toEqual([]);
        }
        for (const step of stepsForMode(attack, mode)) {
          const line = citedText(step.why, step.spec);
          expect(line.split(step.spec).length - 1, line).toBe(1);
        }
      });
    },
  );
});

describe('the check itself', () => {
  test('finds the doubled stops and the troubleshooting an expected refusal once carried', () => {
    const shown =
      'Refused with AADSTS50011: … registration (the port of an http://localhost redirect URI is ignored).. Is the sandbox the one this app was started with (Settings)?';
    expect(doubledStops(shown)).toHaveLength(1);
    expect(doubledStops('Stop! . Go.')).toHaveLength(1);
    expect(doubledStops('Wait… and see... http://a.example/x.. fine.')).toEqual([]);
    expect(troubleshootingHints(shown, { code: 'AADSTS50011', message: 'x' }).length).toBeGreaterThan(0);
    expect(
      troubleshootingHints('Refused with AADSTS50011: The redirect URI does not match.', {
        code: 'AADSTS50011',
        message: 'The redirect URI does not match.',
      }),
    ).toEqual([]);
  });
  test('finds the doubling the pages once showed', () => {
    expect(doubled('Native apps listen on loopback (RFC 8252 §7.3). (RFC 8252 §7.3)')).toContain(
      'citation RFC 8252 §7.3',
    );
    expect(doubled('Refused with AADSTS501481: AADSTS501481: The Code_Verifier does not match.')).toContain(
      'code AADSTS501481',
    );
    expect(doubled('The app refused it. The app refused it.')).toContain('sentence “the app refused it.”');
    expect(doubled('RFC 9700 §4.4 and RFC 9207 §2.4 say so (STATE_MISMATCH).')).toEqual([]);
  });
});
