/**
 * What a learner must know when the lab is served to a class from a shared server (hosting mode,
 * docs/workshop.md): the local relay is off there, and a page opened over plain http from another
 * machine gets no WebCrypto from the browser.
 */
import type { ReactNode } from 'react';
import { useLabConfig, type LabConfig } from '../../state/lab-config.ts';
import type { Explanation } from '../explain-error.ts';

/** True when the app is hosted for a class and its relay is off: relay texts give way to the notice. */
export function useRelayOffHere(): boolean {
  return useLabConfig(isRelayOffHere);
}

/** {@link useRelayOffHere} of a given lab config. */
export function isRelayOffHere(config: Pick<LabConfig, 'hosting' | 'relay'>): boolean {
  return config.hosting && !config.relay;
}

/**
 * Where a request would go through the local relay: on a shared server it is off, why, and what to do
 * instead. Renders nothing when the app runs on the learner's own machine.
 */
export function RelayOffNotice(props: { readonly id?: string }) {
  const off = useRelayOffHere();
  const reason = useLabConfig((s) => s.relayOffReason);
  return off ? <RelayOffText reason={reason} {...props} /> : null;
}

/**
 * Words about the local relay that hold only where it runs ("this page sends it through the local
 * relay"): hidden in hosting mode, where {@link RelayOffNotice} says the one thing that is true there.
 */
export function WhereRelayRuns(props: { readonly children: ReactNode }) {
  return useRelayOffHere() ? null : <>{props.children}</>;
}

/**
 * A request only a server may send, on a shared server whose relay is off: said without naming the
 * relay, which the page's own notice explains once.
 */
export const HOSTED_RELAY_UNAVAILABLE: Pick<Explanation, 'title' | 'what' | 'fix'> = {
  title: 'Not sent: this request needs a server',
  what: 'A browser may not send this request itself, and this shared lab sends none from its server.',
  fix: 'Copy the request as curl and send it from your own machine, or run the lab there with npm start.',
};

/** The server's reason without a headline that repeats ours ("The relay is off: …"). */
function reasonBody(reason: string): string {
  const body = reason.replace(/^\s*the (local )?relay is off\s*[:.]\s*/i, '');
  return body === '' ? '' : `${body.charAt(0).toUpperCase()}${body.slice(1)}`;
}

/** The words of {@link RelayOffNotice}, with the server's reason (empty: ours). */
export function RelayOffText(props: { readonly reason: string; readonly id?: string }) {
  const body = reasonBody(props.reason);
  return (
    <p className="note relay-off" {...(props.id === undefined ? {} : { id: props.id })}>
      <strong>The local relay is off on this shared server.</strong>{' '}
      {body === '' ? 'It is a personal tool: it sends requests from the machine it runs on.' : body} Requests
      a browser may not send itself (a web app’s token request with its secret, a discovery document without
      CORS) fail here. Copy such a request as curl and send it from your own machine, or run the lab there
      with <code>npm start</code>.
    </p>
  );
}

/**
 * On an attack page in hosting mode: the sandbox refuses the attack lab there (its switches and sign-in
 * change the tenant for the whole class), and what to do instead. Nothing on the learner's own machine.
 */
export function AttackLabOffNotice() {
  return useLabConfig((s) => s.hosting) ? <AttackLabOffText /> : null;
}

/** The words of {@link AttackLabOffNotice}. */
export function AttackLabOffText() {
  return (
    <p className="warning" role="note" id="attack-lab-off">
      <strong>The attack lab is off on this shared server.</strong> Its switches turn a defence off for the
      whole tenant, and its sign-in acts as a demo user, so here they would change the sandbox for everyone in
      the class; the sandbox refuses them. Run the attack lab on your own machine with <code>npm start</code>.
    </p>
  );
}

/**
 * A page that is not a secure context (http from another machine) has no `crypto.subtle`: PKCE's
 * challenge, DPoP proofs and certificates cannot be made. Says so once, at the top of every page.
 * @see https://w3c.github.io/webappsec-secure-contexts/#intro
 */
export function InsecureContextNotice() {
  if (typeof window === 'undefined' || window.isSecureContext) return null;
  return (
    <p className="warning" role="status" id="insecure-context-notice">
      <strong>This page is not a secure context, so the browser gives it no WebCrypto.</strong> Browsers give
      WebCrypto only to https pages and to localhost; this one came over plain http from{' '}
      {window.location.host}. Without it PKCE challenges, DPoP proofs and certificates cannot be made, and
      those steps fail. Open the lab at its https address (ask your trainer), or run it on your own machine
      with <code>npm start</code>.
    </p>
  );
}
