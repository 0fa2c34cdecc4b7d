/**
 * Section 5, sandbox throughput: client-credentials token requests from autocannon on loopback against
 * the sandbox's token endpoint, the sandbox alone in its own process so the load generator does not
 * share its event loop. A short warm-up run first, then the measured run.
 */
import autocannon from 'autocannon';
import { SANDBOX_TENANT, sandboxApp } from '../../server/sandbox/seed.ts';
import { figureFor, heading, printFigures, type SectionResult } from './report.ts';
import { startLoadSandbox } from './servers.ts';

const SECTION = 'Throughput';
const figure = figureFor(SECTION);
const DURATION_S = 10;
const WARM_UP_S = 2;
const CONNECTIONS = 16;
const TARGET_PER_S = 1_000;

/** "Flow Lab Web App", the seeded confidential client with application permissions on Graph. */
const WEB_APP = sandboxApp('web');
const BODY = new URLSearchParams({
  grant_type: 'client_credentials',
  client_id: WEB_APP.clientId,
  client_secret: WEB_APP.clientSecret ?? '',
  scope: 'https://graph.microsoft.com/.default',
}).toString();

function load(url: string, seconds: number): Promise<autocannon.Result> {
  return autocannon({
    url,
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: BODY,
    connections: CONNECTIONS,
    duration: seconds,
    timeout: 10,
  });
}

export async function benchThroughput(): Promise<SectionResult> {
  heading(`5. Sandbox throughput: client credentials, ${CONNECTIONS} connections, ${DURATION_S} s`);
  const sandbox = await startLoadSandbox();
  try {
    const url = `${sandbox.origin}/${SANDBOX_TENANT.id}/oauth2/v2.0/token`;
    const check = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: BODY,
    });
    const sample = (await check.json()) as { access_token?: unknown };
    if (check.status !== 200 || typeof sample.access_token !== 'string')
      throw new Error(`the token endpoint did not issue a token: ${check.status} ${JSON.stringify(sample)}`);

    const warm = await load(url, WARM_UP_S);
    console.log(`  warm-up ${WARM_UP_S} s: ${Math.round(warm['2xx'] / warm.duration)} tokens/s`);
    const result = await load(url, DURATION_S);
    const perSecond = result['2xx'] / result.duration;
    console.log(
      `  ${result['2xx']} tokens in ${result.duration.toFixed(1)} s; latency p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, max ${result.latency.max} ms; errors ${result.errors} (timeouts ${result.timeouts}), non-2xx ${result.non2xx}`,
    );
    const figures = [
      figure('client-credentials tokens per second', perSecond, '/s', { op: '>=', limit: TARGET_PER_S }),
      figure('p99 latency', result.latency.p99, 'ms'),
      figure('errors + non-2xx responses', result.errors + result.non2xx, 'count', { op: '=', limit: 0 }),
    ];
    console.log('');
    printFigures(figures);
    return {
      figures,
      details: {
        connections: CONNECTIONS,
        durationS: result.duration,
        tokens: result['2xx'],
        latency: result.latency,
        errors: result.errors,
        timeouts: result.timeouts,
        non2xx: result.non2xx,
        statusCodeStats: result.statusCodeStats,
      },
    };
  } finally {
    await sandbox.stop();
  }
}
