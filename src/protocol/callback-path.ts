/**
 * The path of this app's redirect URI on its own origin. Both sides share it: the app builds its
 * `redirect_uri` from it, the sandbox seeds its app registrations with it, and the app's server
 * receives `response_mode=form_post` there. It is the one constant the app and the sandbox agree on
 * in code; everything else the app learns from the sandbox's directory at run time.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-3.1.2
 */
export const CALLBACK_PATH = '/callback';
