/**
 * "Export this run": one self-contained file (Markdown, or HTML) with a run's steps and their status, the
 * requests and responses it sent and got, its failure with the server's error fields, and its sequence
 * diagram — every credential redacted (src/protocol/redact.ts), whatever the screen's settings, so the
 * file can go into a write-up or a bug report.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-10.3
 */
import type { HttpExchange } from '../protocol/http.ts';
import {
  CREDENTIAL_PARAMS,
  findBodySecrets,
  isJwtShaped,
  redactExchange,
  redactKnownValues,
  redactSpans,
  redactText,
  redactionMark,
} from '../protocol/redact.ts';
import { buildSequenceDiagram } from './diagram.ts';
import { liveDiagramSpec } from './live-diagram.ts';
import type { StepFailure } from './runner.ts';
import type { FlowDefinition, RecordedMessage } from './types.ts';

/** What an export reads of a run: the shape of the flow-runs store's run, without depending on the store. */
export interface ExportableRun {
  readonly flowId: string;
  readonly runId?: string;
  readonly startedAt?: number;
  readonly ctx: unknown;
  readonly current: string;
  readonly status: Readonly<Record<string, string>>;
  readonly failure?: { readonly stepId: string; readonly failure: StepFailure };
  readonly recorded?: readonly RecordedMessage[];
}

export interface RunExportInput {
  readonly flow: FlowDefinition;
  readonly run: ExportableRun;
  /** The variant tags the page draws (`pkce`, `secret`, `certificate` …). */
  readonly variants: readonly string[];
  /** The authority the run went to, in a line ("Sandbox tenant at http://localhost:5174"). */
  readonly authority: string;
  /** When the export was made. */
  readonly now: Date;
}

/** One exchange found in the run's context, with the step it belongs to when the recordings say. */
export interface FoundExchange {
  /** Where it sits in the context, e.g. `tokenExchange` or `polling.attempts[2]`. */
  readonly path: string;
  readonly exchange: HttpExchange;
  readonly stepId?: string;
}

const MAX_DEPTH = 8;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function isExchange(value: unknown): value is HttpExchange {
  if (!isObject(value) || !isObject(value['request'])) return false;
  const request = value['request'];
  return (
    typeof request['method'] === 'string' &&
    typeof request['url'] === 'string' &&
    Array.isArray(request['headers']) &&
    typeof value['startedAt'] === 'number' &&
    (value['via'] === 'browser' || value['via'] === 'relay')
  );
}

function walk(
  value: unknown,
  path: string,
  depth: number,
  visit: (value: unknown, path: string, key: string) => boolean,
  seen: Set<unknown>,
  key = '',
): void {
  if (depth > MAX_DEPTH) return;
  if (isObject(value)) {
    if (seen.has(value)) return;
    seen.add(value);
  }
  if (!visit(value, path, key)) return;
  if (Array.isArray(value))
    value.forEach((item, i) => walk(item, `${path}[${i}]`, depth + 1, visit, seen, key));
  else if (isObject(value))
    for (const [name, item] of Object.entries(value))
      walk(item, path === '' ? name : `${path}.${name}`, depth + 1, visit, seen, name);
}

/** The stem of a message's URL, as the recordings keep it (no query, no fragment). */
function stem(url: string): string {
  return url.split(/[?#]/, 1)[0] ?? url;
}

/**
 * Every HTTP exchange the run's context holds that was sent, oldest first (by `startedAt`), each matched to
 * the step whose recording has the same method and URL nearest in time.
 */
export function findExchanges(ctx: unknown, recorded: readonly RecordedMessage[] = []): FoundExchange[] {
  const found: { path: string; exchange: HttpExchange }[] = [];
  walk(
    ctx,
    '',
    0,
    (value, path) => {
      if (!isExchange(value)) return true;
      // A preview of a request not sent yet is not part of what happened.
      if (value.startedAt > 0 || value.response !== undefined) found.push({ path, exchange: value });
      return false;
    },
    new Set(),
  );
  found.sort((a, b) => a.exchange.startedAt - b.exchange.startedAt);
  return found.map(({ path, exchange }) => {
    const candidates = recorded.filter(
      (m) => m.method === exchange.request.method && stem(m.url) === stem(exchange.request.url),
    );
    const nearest = candidates.sort(
      (a, b) => Math.abs(a.at - exchange.startedAt) - Math.abs(b.at - exchange.startedAt),
    )[0];
    return nearest === undefined ? { path, exchange } : { path, exchange, stepId: nearest.step };
  });
}

// Context keys whose string values are credentials, in the spellings the flows use (camelCase or wire).
const SECRET_KEY = /(?:secret|password|verifier|assertion|token|jwt|privatekey|pkcs8|^code$|devicecode)$/i;

/**
 * Every credential value the run's context holds: strings under credential-named keys (at any depth)
 * and any JWT-shaped string. The export replaces each wherever it appears, as the last net under the
 * structural redaction of each exchange.
 */
export function collectSecretValues(ctx: unknown): { readonly value: string; readonly name: string }[] {
  const values = new Map<string, string>();
  walk(
    ctx,
    '',
    0,
    (value, _path, key) => {
      if (typeof value !== 'string') return true;
      const flat = key.replace(/[_-]/g, '').toLowerCase();
      const named = CREDENTIAL_PARAMS.has(key.toLowerCase()) || SECRET_KEY.test(flat);
      // `token_type`, `tokenEndpoint` and the like name a token without holding one.
      const notAValue = /type$|endpoint$|url$|uri$|kind$|source$|hint$|method$|label$/i.test(key);
      if ((named && !notAValue) || isJwtShaped(value)) values.set(value, key === '' ? 'secret' : key);
      return true;
    },
    new Set(),
  );
  return [...values].map(([value, name]) => ({ value, name }));
}

function fence(text: string, language = ''): string {
  const longest = Math.max(2, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const marks = '`'.repeat(longest + 1);
  return `${marks}${language}\n${text}\n${marks}`;
}

function prettyJson(body: string): string {
  const start = body.trimStart().charAt(0);
  if (start !== '{' && start !== '[') return body;
  try {
    return JSON.stringify(JSON.parse(body) as unknown, null, 2);
  } catch {
    return body;
  }
}

function requestText(exchange: HttpExchange): string {
  const { request } = exchange;
  return [
    `${request.method} ${request.url}`,
    ...request.headers.map(([name, value]) => `${name}: ${value}`),
    ...(request.body === undefined ? [] : ['', prettyJson(request.body)]),
  ].join('\n');
}

function responseText(exchange: HttpExchange): string | undefined {
  const { response } = exchange;
  if (response === undefined) return undefined;
  return [
    `HTTP ${response.status} ${response.statusText}`.trim(),
    ...response.headers.map(([name, value]) => `${name}: ${value}`),
    '',
    prettyJson(response.body),
  ].join('\n');
}

function mdCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/** The pieces both formats are written from, already redacted. */
export interface RunReport {
  readonly title: string;
  readonly date: string;
  readonly authority: string;
  readonly steps: readonly {
    readonly id: string;
    readonly title: string;
    readonly status: string;
    readonly current: boolean;
  }[];
  readonly exchanges: readonly {
    readonly heading: string;
    readonly step?: string;
    readonly via: string;
    readonly request: string;
    readonly response?: string;
  }[];
  readonly failure?: {
    readonly step: string;
    readonly code: string;
    readonly message: string;
    readonly status?: number;
    readonly fields: readonly (readonly [string, string])[];
    readonly raw?: string;
  };
  readonly mermaid: string;
  /** Applies the last net (known values, JWTs) to any text added later, such as a drawn SVG. */
  readonly scrub: (text: string) => string;
}

/** Gathers a run into a report with every credential redacted. */
export function buildRunReport(input: RunExportInput): RunReport {
  const { flow, run, variants } = input;
  const known = collectSecretValues(run.ctx);
  const scrub = (text: string): string => redactText(redactKnownValues(text, known));
  const titleOf = (stepId: string): string => flow.steps.find((s) => s.id === stepId)?.title ?? stepId;
  const exchanges = findExchanges(run.ctx, run.recorded ?? []).map(({ exchange, stepId }) => {
    const clean = redactExchange(exchange);
    const status = exchange.response === undefined ? 'no answer' : `HTTP ${exchange.response.status}`;
    return {
      heading: scrub(`${exchange.request.method} ${stem(exchange.request.url)} — ${status}`),
      ...(stepId === undefined ? {} : { step: titleOf(stepId) }),
      via: scrub(
        `${exchange.via === 'relay' ? 'Sent through the local relay' : 'Sent from the browser'}${
          exchange.viaReason === '' ? '' : `: ${exchange.viaReason}`
        }${exchange.durationMs === undefined ? '' : ` Took ${Math.round(exchange.durationMs)} ms.`}`,
      ),
      request: scrub(requestText(clean)),
      ...(clean.response === undefined ? {} : { response: scrub(responseText(clean) ?? '') }),
    };
  });
  const failure = run.failure;
  const spec = liveDiagramSpec(flow.diagram, run.recorded ?? [], variants);
  return {
    title: flow.title,
    date: input.now.toISOString(),
    authority: scrub(input.authority),
    steps: flow.steps.map((step) => ({
      id: step.id,
      title: step.title,
      status: run.status[step.id] ?? 'idle',
      current: run.current === step.id,
    })),
    exchanges,
    ...(failure === undefined
      ? {}
      : {
          failure: {
            step: titleOf(failure.stepId),
            code: failure.failure.code,
            message: scrub(failure.failure.message),
            ...(failure.failure.status === undefined ? {} : { status: failure.failure.status }),
            fields: Object.entries(failure.failure.fields ?? {})
              .filter(([, value]) => value !== undefined)
              .map(
                ([name, value]) =>
                  [name, scrub(typeof value === 'string' ? value : JSON.stringify(value))] as const,
              ),
            ...(failure.failure.raw === undefined
              ? {}
              : {
                  raw: scrub(redactSpans(failure.failure.raw, findBodySecrets(failure.failure.raw, ''))),
                }),
          },
        }),
    mermaid: scrub(buildSequenceDiagram(spec)).trimEnd(),
    scrub,
  };
}

/** The run as Markdown: headings, a step table, fenced HTTP, the diagram in a ```mermaid block. */
export function buildRunMarkdown(input: RunExportInput): string {
  const report = buildRunReport(input);
  const lines: string[] = [
    `# ${report.title}: a run`,
    '',
    `- Exported: ${report.date}`,
    `- Authority: ${report.authority}`,
    `- Secrets and tokens are redacted (shown as ${redactionMark('name')}).`,
    '',
    '## Steps',
    '',
    '| # | Step | Status |',
    '|---|---|---|',
    ...report.steps.map(
      (step, i) => `| ${i + 1} | ${mdCell(step.title)}${step.current ? ' (current)' : ''} | ${step.status} |`,
    ),
    '',
    '## Requests and responses',
    '',
  ];
  if (report.exchanges.length === 0) lines.push('No request was sent in this run.', '');
  report.exchanges.forEach((exchange, i) => {
    lines.push(`### ${i + 1}. ${exchange.heading}`, '');
    if (exchange.step !== undefined) lines.push(`Step: ${exchange.step}. ${exchange.via}`, '');
    else lines.push(exchange.via, '');
    lines.push('Request:', '', fence(exchange.request, 'http'), '');
    lines.push(
      ...(exchange.response === undefined
        ? ['No response.', '']
        : ['Response:', '', fence(exchange.response, 'http'), '']),
    );
  });
  if (report.failure !== undefined) {
    const f = report.failure;
    lines.push('## Failure', '', `Step: ${f.step}. ${f.code}: ${f.message}`, '');
    if (f.status !== undefined) lines.push(`HTTP status: ${f.status}`, '');
    if (f.fields.length > 0)
      lines.push(
        '| Field | Value |',
        '|---|---|',
        ...f.fields.map(([n, v]) => `| ${mdCell(n)} | ${mdCell(v)} |`),
        '',
      );
    if (f.raw !== undefined && f.raw !== '') lines.push('Raw answer:', '', fence(f.raw), '');
  }
  lines.push('## Sequence diagram', '', fence(report.mermaid, 'mermaid'), '');
  return lines.join('\n');
}

function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/**
 * The run as one HTML file with its own styles and no script: the drawn diagram (`svg`, the page's own
 * mermaid drawing, when given) or else the mermaid text.
 */
export function buildRunHtml(input: RunExportInput, svg?: string): string {
  const report = buildRunReport(input);
  const e = escapeHtml;
  const parts: string[] = [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<title>${e(report.title)}: a run</title>`,
    '<style>body{font:16px/1.5 system-ui,sans-serif;max-width:72rem;margin:2rem auto;padding:0 1rem;color:#1b1f24}' +
      'pre{background:#f2f4f7;padding:.75rem;overflow:auto;white-space:pre-wrap;overflow-wrap:anywhere}' +
      'table{border-collapse:collapse}td,th{border:1px solid #c9ced6;padding:.25rem .5rem;text-align:left}' +
      '.diagram svg{max-width:100%;height:auto}</style>',
    // One main landmark holds the whole report, so a screen reader's landmarks reach all of it.
    '</head><body><main>',
    `<h1>${e(report.title)}: a run</h1>`,
    `<ul><li>Exported: ${e(report.date)}</li><li>Authority: ${e(report.authority)}</li>` +
      `<li>Secrets and tokens are redacted (shown as ${e(redactionMark('name'))}).</li></ul>`,
    '<h2>Steps</h2><table><thead><tr><th>#</th><th>Step</th><th>Status</th></tr></thead><tbody>',
    ...report.steps.map(
      (s, i) =>
        `<tr><td>${i + 1}</td><td>${e(s.title)}${s.current ? ' (current)' : ''}</td><td>${e(s.status)}</td></tr>`,
    ),
    '</tbody></table>',
    '<h2>Requests and responses</h2>',
  ];
  if (report.exchanges.length === 0) parts.push('<p>No request was sent in this run.</p>');
  report.exchanges.forEach((x, i) => {
    parts.push(
      `<h3>${i + 1}. ${e(x.heading)}</h3>`,
      `<p>${x.step === undefined ? '' : `Step: ${e(x.step)}. `}${e(x.via)}</p>`,
      `<p>Request:</p><pre>${e(x.request)}</pre>`,
      x.response === undefined ? '<p>No response.</p>' : `<p>Response:</p><pre>${e(x.response)}</pre>`,
    );
  });
  if (report.failure !== undefined) {
    const f = report.failure;
    parts.push('<h2>Failure</h2>', `<p>Step: ${e(f.step)}. ${e(f.code)}: ${e(f.message)}</p>`);
    if (f.status !== undefined) parts.push(`<p>HTTP status: ${f.status}</p>`);
    if (f.fields.length > 0)
      parts.push(
        '<table><thead><tr><th>Field</th><th>Value</th></tr></thead><tbody>',
        ...f.fields.map(([n, v]) => `<tr><td>${e(n)}</td><td>${e(v)}</td></tr>`),
        '</tbody></table>',
      );
    if (f.raw !== undefined && f.raw !== '') parts.push(`<p>Raw answer:</p><pre>${e(f.raw)}</pre>`);
  }
  parts.push('<h2>Sequence diagram</h2>');
  // The drawn SVG has no script (mermaid's strict security level); it is scrubbed like the rest.
  if (svg !== undefined && svg !== '')
    parts.push(`<div class="diagram">${report.scrub(withoutScripts(svg))}</div>`);
  parts.push(
    `<details${svg === undefined ? ' open' : ''}><summary>Mermaid text</summary><pre>${e(report.mermaid)}</pre></details>`,
  );
  parts.push('</main></body></html>');
  return parts.join('\n');
}

/** An SVG string without script elements or event handler attributes. */
function withoutScripts(svg: string): string {
  return svg.replace(/<script[\s\S]*?<\/script>/gi, '').replace(/\son[a-z]+\s*=\s*(?:"[^"]*"|'[^']*')/gi, '');
}

/** The file name for an export: the flow id and the time, e.g. `flow-lab-device-code-2026-11-30T15-04.md`. */
export function exportFileName(flowId: string, now: Date, extension: 'md' | 'html'): string {
  return `flow-lab-${flowId}-${now.toISOString().slice(0, 16).replace(/:/g, '-')}.${extension}`;
}
