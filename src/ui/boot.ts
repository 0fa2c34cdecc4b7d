/**
 * What the app server embeds in each page it serves (server/page-boot.ts): the app's runtime config and
 * the sandbox's directory as they were when the page was sent. Taken before the first render, they let
 * a flow page draw itself completely at once, over its prerendered HTML, instead of waiting for two
 * requests made one after the other. A page served any other way (dev server, static host) has none,
 * and the app reads both over the network as before.
 */
import { applyLabConfig } from '../state/lab-config.ts';
import { acceptEmbeddedDirectory } from '../state/sandbox-directory.ts';

/** The id of the `<script type="application/json">` element that carries the data. */
export const BOOT_ELEMENT_ID = 'lab-boot';

/** The embedded data's shape (all optional: the server leaves out what it could not get). */
export interface PageBoot {
  readonly config?: unknown;
  readonly directory?: { readonly origin: string; readonly etag?: string; readonly body: unknown };
}

/** Applies the embedded data, if any; says which parts were taken. */
export function takeEmbeddedBoot(doc: Document = document): { config: boolean; directory: boolean } {
  const element = doc.getElementById(BOOT_ELEMENT_ID);
  let boot: PageBoot = {};
  try {
    const parsed: unknown = element === null ? {} : JSON.parse(element.textContent ?? '{}');
    if (typeof parsed === 'object' && parsed !== null) boot = parsed as PageBoot;
  } catch {
    // A page with a broken boot element works as one without.
  }
  element?.remove();
  const config = boot.config !== undefined && applyLabConfig(boot.config);
  const { directory: d } = boot;
  const directory =
    config &&
    d !== undefined &&
    typeof d.origin === 'string' &&
    acceptEmbeddedDirectory(d.origin, d.body, typeof d.etag === 'string' ? d.etag : undefined);
  return { config, directory };
}
