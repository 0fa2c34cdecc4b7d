import { NetworkError } from '../protocol/errors.ts';

/**
 * A part of a flow loaded on demand (`import()`: the callback parser when an answer arrives, the request
 * transport with the first request), so flow pages do not load it with their first paint (issue 12). A
 * failed load, such as a dropped connection or an app updated since the page opened, is a
 * `NetworkError` (`NETWORK_ERROR`) naming `what` and saying to reload.
 */
export async function loadFlowPart<T>(load: () => Promise<T>, what: string): Promise<T> {
  try {
    return await load();
  } catch (cause) {
    throw new NetworkError(
      'NETWORK_ERROR',
      `The code that ${what} could not be loaded (the app’s server did not answer, or the app was updated since this page opened). Reload the page and try again.`,
      { cause },
    );
  }
}
