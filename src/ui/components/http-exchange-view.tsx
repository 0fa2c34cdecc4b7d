import { useId, useMemo, useState, type ReactNode } from 'react';
import type { HttpExchange } from '../../protocol/http.ts';
import {
  CREDENTIAL_PARAMS,
  findBodySecrets,
  findHeaderSecrets,
  findUrlSecrets,
  isJwtShaped,
  redactionMark,
  splitSecrets,
  type TextSegment,
} from '../../protocol/redact.ts';
import './components.css';
import { CopyButton } from './copy-button.tsx';
import { MaskedValue } from './masked-value.tsx';
import { useRelayOffHere } from './hosting-notices.tsx';
import { SnippetView } from './snippet-view.tsx';

export interface HttpExchangeViewProps {
  readonly exchange: HttpExchange;
  /** Heading level of the "Request" / "Response" headings. Defaults to 3. */
  readonly headingLevel?: 2 | 3 | 4 | 5;
  /** The request was sent and no HTTP answer came back: why, in one line (host and cause). */
  readonly noAnswer?: string;
}

interface Param {
  readonly rawName: string;
  readonly rawValue: string;
  readonly name: string;
  readonly value: string;
  readonly hasValue: boolean;
}

/** Decodes one application/x-www-form-urlencoded component; leaves it as sent if it is malformed. */
function formDecode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}

function parseForm(body: string): Param[] {
  if (body === '') return [];
  return body.split('&').map((pair) => {
    const eq = pair.indexOf('=');
    const rawName = eq === -1 ? pair : pair.slice(0, eq);
    const rawValue = eq === -1 ? '' : pair.slice(eq + 1);
    return { rawName, rawValue, name: formDecode(rawName), value: formDecode(rawValue), hasValue: eq !== -1 };
  });
}

function splitUrl(url: string): { base: string; query: string } {
  const hashless = url.split('#', 1)[0] ?? url;
  const q = hashless.indexOf('?');
  return q === -1 ? { base: url, query: '' } : { base: hashless.slice(0, q), query: hashless.slice(q + 1) };
}

function isJsonContent(headers: HttpExchange['request']['headers'], body: string): boolean {
  const type = headers.find(([name]) => name.toLowerCase() === 'content-type')?.[1] ?? '';
  if (/[/+]json\b/i.test(type)) return true;
  const start = body.trimStart().charAt(0);
  return start === '{' || start === '[';
}

function prettyBody(headers: HttpExchange['request']['headers'], body: string): string {
  if (!isJsonContent(headers, body)) return body;
  try {
    return JSON.stringify(JSON.parse(body) as unknown, null, 2);
  } catch {
    return body;
  }
}

function ParamTable({
  caption,
  params,
  isSecret,
  revealed,
}: {
  readonly caption: string;
  readonly params: readonly Param[];
  readonly isSecret: (name: string) => boolean;
  readonly revealed: boolean;
}) {
  return (
    <div className="lab-table-scroll">
      <table className="lab-table http-exchange__params">
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Parameter</th>
            <th scope="col">Value (decoded)</th>
          </tr>
        </thead>
        <tbody>
          {params.map((param, index) => {
            const masked = param.hasValue && (isSecret(param.name) || isJwtShaped(param.value));
            return (
              <tr key={`${index}-${param.rawName}`}>
                <th scope="row">
                  <code>{param.name}</code>
                </th>
                <td>
                  {masked ? (
                    <span className="http-exchange__masked">
                      <MaskedValue value={param.value} label={param.name} revealed={revealed} />
                    </span>
                  ) : param.hasValue ? (
                    <code className="http-exchange__value">{param.value}</code>
                  ) : (
                    <span className="http-exchange__none">(no value)</span>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function formatDuration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`;
}

/** Raw text with each credential as a MaskedValue (its own reveal), or in clear when all are revealed. */
function renderSegments(segments: readonly TextSegment[], revealed: boolean): ReactNode[] {
  return segments.map((segment, index) =>
    segment.secret === undefined ? (
      segment.text
    ) : (
      <MaskedValue key={index} value={segment.text} label={segment.secret} revealed={revealed} />
    ),
  );
}

/**
 * Both copies of a raw text: masked (for a bug report or a slide) and as sent (to replay it). The second
 * is offered because the raw view is a debugging tool; the clipboard is not the screen.
 */
function RawCopyButtons({
  what,
  segments,
  targetId,
}: {
  readonly what: 'request' | 'response';
  readonly segments: readonly TextSegment[];
  readonly targetId: string;
}) {
  const real = segments.map((segment) => segment.text).join('');
  if (real === '') return null;
  const hasSecrets = segments.some((segment) => segment.secret !== undefined);
  const masked = segments
    .map((segment) => (segment.secret === undefined ? segment.text : redactionMark(segment.secret)))
    .join('');
  return (
    <div className="http-exchange__copy">
      {hasSecrets ? (
        <>
          <CopyButton text={masked} targetId={targetId} label={`Copy the ${what}, secrets redacted`} />
          <CopyButton text={real} targetId={targetId} label={`Copy the ${what} with its secrets`} />
        </>
      ) : (
        <CopyButton text={real} targetId={targetId} label={`Copy the ${what}`} />
      )}
    </div>
  );
}

/** Shows one HTTP exchange as it went over the wire, with secrets masked until revealed. */
export function HttpExchangeView(props: HttpExchangeViewProps) {
  const { exchange, headingLevel = 3 } = props;
  const [revealed, setRevealed] = useState(false);
  const relayOff = useRelayOffHere();
  const requestId = useId();
  const responseId = useId();
  const requestRawId = useId();
  const responseRawId = useId();
  const Heading = `h${headingLevel}` as const;
  const { request, response } = exchange;

  const secrets = useMemo(
    () => new Set([...CREDENTIAL_PARAMS, ...request.secretFields.map((f) => f.toLowerCase())]),
    [request.secretFields],
  );
  const isSecretParam = (name: string): boolean => secrets.has(name.toLowerCase());
  // Token requests are forms; a few (certificate upload) are JSON, shown as JSON rather than split.
  const isFormBody = !isJsonContent(request.headers, request.body ?? '');
  const bodyParams = useMemo(
    () => (isFormBody ? parseForm(request.body ?? '') : []),
    [isFormBody, request.body],
  );
  const { base, query } = useMemo(() => splitUrl(request.url), [request.url]);
  const queryParams = useMemo(() => parseForm(query), [query]);

  // One rule for every raw view (redact.ts): credential parameters and members, credential headers and
  // JWTs are masked in the request and the response alike, each with its own reveal.
  const requestSegments = useMemo((): TextSegment[] => {
    const extra = request.secretFields;
    const out: TextSegment[] = [{ text: `${request.method} ` }];
    out.push(...splitSecrets(request.url, findUrlSecrets(request.url, extra)));
    for (const [name, value] of request.headers) {
      out.push({ text: `\n${name}: ` }, ...splitSecrets(value, findHeaderSecrets(name, value, extra)));
    }
    if (request.body !== undefined) {
      out.push({ text: '\n\n' });
      if (isFormBody) {
        // The body is one line joined by &; it is shown one parameter per line.
        for (const segment of splitSecrets(
          request.body,
          findBodySecrets(request.body, 'application/x-www-form-urlencoded', extra),
        ))
          out.push(segment.secret === undefined ? { text: segment.text.replace(/&/g, '\n&') } : segment);
      } else {
        const pretty = prettyBody(request.headers, request.body);
        out.push(...splitSecrets(pretty, findBodySecrets(pretty, 'application/json', extra)));
      }
    }
    return out;
  }, [request, isFormBody]);
  const responseSegments = useMemo((): TextSegment[] | undefined => {
    if (response === undefined) return undefined;
    const out: TextSegment[] = [{ text: `HTTP ${response.status} ${response.statusText}`.trim() }];
    for (const [name, value] of response.headers) {
      out.push({ text: `\n${name}: ` }, ...splitSecrets(value, findHeaderSecrets(name, value)));
    }
    const pretty = prettyBody(response.headers, response.body);
    const type = response.headers.find(([name]) => name.toLowerCase() === 'content-type')?.[1] ?? '';
    out.push({ text: '\n\n' }, ...splitSecrets(pretty, findBodySecrets(pretty, type)));
    return out;
  }, [response]);
  const hasSecrets =
    request.secretFields.length > 0 ||
    requestSegments.some((segment) => segment.secret !== undefined) ||
    (responseSegments?.some((segment) => segment.secret !== undefined) ?? false);

  // A preview of a request not sent yet has no start time (0): it is not "waiting" for anything.
  const noAnswer = response === undefined ? props.noAnswer : undefined;
  const sent = exchange.startedAt > 0 || response !== undefined || noAnswer !== undefined;
  const timing =
    exchange.durationMs !== undefined
      ? `Took ${formatDuration(exchange.durationMs)}.`
      : noAnswer !== undefined
        ? 'Attempted: this request was sent, and no answer came back.'
        : !sent
          ? 'Not sent yet: this is the request the next step will send.'
          : response === undefined
            ? 'In progress…'
            : '';
  const status = response?.status ?? 0;
  const statusClass = status >= 200 && status < 300 ? 'ok' : status >= 400 ? 'danger' : 'neutral';

  return (
    <article className="http-exchange" aria-label={`HTTP exchange: ${request.method} ${base}`}>
      <div className="http-exchange__meta">
        {relayOff && exchange.via === 'relay' && !sent ? (
          // Hosting mode: the page's relay notice says why; no line about a relay that is not there.
          <p className="http-exchange__via">
            <strong>Not sent: a browser may not send this request itself.</strong>
          </p>
        ) : (
          <p className="http-exchange__via">
            <strong>
              {exchange.via === 'browser'
                ? sent
                  ? 'Sent from the browser'
                  : 'Will be sent from the browser'
                : sent
                  ? 'Sent through the local relay'
                  : 'Will go through the local relay'}
            </strong>
            {exchange.viaReason === '' ? null : <>: {exchange.viaReason}</>}
          </p>
        )}
        <p className="http-exchange__timing">{timing}</p>
        {hasSecrets ? (
          <button
            type="button"
            className="lab-button"
            aria-pressed={revealed}
            onClick={() => setRevealed((value) => !value)}
          >
            Reveal secrets
          </button>
        ) : null}
      </div>

      <div className="http-exchange__half" aria-labelledby={requestId} role="group">
        <Heading id={requestId} className="http-exchange__heading">
          Request
        </Heading>
        <pre className="lab-code http-exchange__raw" tabIndex={0} id={requestRawId}>
          <code>{renderSegments(requestSegments, revealed)}</code>
        </pre>
        <RawCopyButtons what="request" segments={requestSegments} targetId={requestRawId} />
        {request.body !== undefined && bodyParams.length > 0 ? (
          <>
            <p className="http-exchange__hint">
              The body is sent as one line joined by &amp;; it is split here, one parameter per line.
            </p>
            <ParamTable
              caption="Body parameters"
              params={bodyParams}
              isSecret={isSecretParam}
              revealed={revealed}
            />
          </>
        ) : null}
        {queryParams.length > 0 ? (
          <ParamTable
            caption="Query parameters"
            params={queryParams}
            isSecret={isSecretParam}
            revealed={revealed}
          />
        ) : null}
        <SnippetView request={request} revealed={revealed} />
      </div>

      <div className="http-exchange__half" aria-labelledby={responseId} role="group">
        <Heading id={responseId} className="http-exchange__heading">
          Response
        </Heading>
        {noAnswer !== undefined ? (
          <p className="lab-message http-exchange__pending">No response: {noAnswer}</p>
        ) : response === undefined ? (
          <p className="lab-message http-exchange__pending" role="status">
            {sent ? 'Waiting for the response…' : 'No response yet: the request has not been sent.'}
          </p>
        ) : (
          <>
            {/* A coloured summary of the raw text's first line, for the eye: a screen reader reads that line
                once, in the raw response below, rather than twice. */}
            <p className={`http-exchange__status http-exchange__status--${statusClass}`} aria-hidden="true">
              {`HTTP ${response.status} ${response.statusText}`.trim()}
            </p>
            <pre className="lab-code http-exchange__raw" tabIndex={0} id={responseRawId}>
              <code>{renderSegments(responseSegments ?? [], revealed)}</code>
            </pre>
            <RawCopyButtons what="response" segments={responseSegments ?? []} targetId={responseRawId} />
          </>
        )}
      </div>
    </article>
  );
}
