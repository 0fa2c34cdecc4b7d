/**
 * Every text the attack pages show, read as a learner reads it: each attack's lede, both runs'
 * explanations, every step's "why" with its citation, and — from real runs of every attack, both ways,
 * against a real sandbox — every step's account, its facts and the outcome with its refusal. The texts
 * are joined exactly as the page joins them (text.ts), and no paragraph may repeat a citation, an error
 * code or a sentence: the "(RFC 8252 §7.3). (RFC 8252 §7.3)" and "AADSTS501481: AADSTS501481" kind.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ATTACK_DEFINITIONS } from '../../src/flows/attacks/definitions.ts';
import { ATTACKS } from '../../src/flows/attacks/registry.ts';
import { runAttack, stepsForMode } from '../../src/flows/attacks/runner.ts';
import { citedText, refusalText } from '../../src/flows/attacks/text.ts';
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
