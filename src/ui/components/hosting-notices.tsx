/**
 * What a learner must know when the lab is served to a class from a shared server (hosting mode,
 * docs/workshop.md): the local relay is off there, and a page opened over plain http from another
 * machine gets no WebCrypto from the browser.
 */
import { useLabConfig } from '../../state/lab-config.ts';

/**
 * Where a request would go through the local relay: on a shared server it is off, why, and what to do
 * instead. Renders nothing when the app runs on the learner's own machine.
 */
export function RelayOffNotice(props: { readonly id?: string }) {
  const hosting = useLabConfig((s) => s.hosting);
  const reason = useLabConfig((s) => s.relayOffReason);
  return hosting ? <RelayOffText reason={reason} {...props} /> : null;
}

/** The words of {@link RelayOffNotice}, with the server's reason (empty: ours). */
export function RelayOffText(props: { readonly reason: string; readonly id?: string }) {
  return (
    <p className="note relay-off" {...(props.id === undefined ? {} : { id: props.id })}>
      <strong>The local relay is off on this shared server.</strong>{' '}
      {props.reason === ''
        ? 'It is a personal tool: it sends requests from the machine it runs on.'
        : props.reason}{' '}
      Requests a browser may not send itself (a web app’s token request with its secret, a discovery document
      without CORS) fail here. Copy such a request as curl and send it from your own machine, or run the lab
      there with <code>npm start</code>.
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
