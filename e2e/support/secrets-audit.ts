import { expect, type Page } from '@playwright/test';

/**
 * Collects the page's console output from now on, so the audit can check nothing secret was logged.
 */
export function recordConsole(page: Page): string[] {
  const lines: string[] = [];
  page.on('console', (message) => lines.push(message.text()));
  page.on('pageerror', (error) => lines.push(error.message));
  return lines;
}

/** Reads the tokens a TokenView shows on the page (access, ID, refresh), for the audit. */
export async function tokensOnPage(page: Page): Promise<string[]> {
  const tokens: string[] = [];
  for (const label of ['Access token', 'ID token', 'Refresh token']) {
    const region = page.getByRole('region', { name: label, exact: true });
    if ((await region.count()) === 0) continue;
    const value = await region.first().getByRole('textbox').first().inputValue();
    if (value !== '') tokens.push(value);
  }
  return tokens;
}

/**
 * The secrets audit: none of `secrets` may appear in localStorage, sessionStorage, IndexedDB,
 * cookies, the current URL, any history entry of the tab, or the console.
 */
export async function expectNoSecretsLeft(
  page: Page,
  secrets: readonly string[],
  consoleLines: readonly string[],
): Promise<void> {
  const wanted = secrets.filter((s) => s.length >= 8);
  expect(wanted.length, 'the audit needs at least one secret to look for').toBeGreaterThan(0);
  const storage = await page.evaluate(async () => {
    const dump = (store: Storage) =>
      JSON.stringify(Object.fromEntries(Object.keys(store).map((k) => [k, store.getItem(k)])));
    const databases = 'databases' in indexedDB ? await indexedDB.databases() : [];
    const idb: string[] = [];
    for (const info of databases) {
      if (info.name === undefined) continue;
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const request = indexedDB.open(info.name as string);
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
      for (const storeName of Array.from(db.objectStoreNames)) {
        const all = await new Promise<unknown[]>((resolve) => {
          const request = db.transaction(storeName, 'readonly').objectStore(storeName).getAll();
          request.onsuccess = () => resolve(request.result);
          request.onerror = () => resolve([]);
        });
        idb.push(JSON.stringify(all));
      }
      db.close();
    }
    return { local: dump(localStorage), session: dump(sessionStorage), idb: idb.join('\n') };
  });
  const cookies = JSON.stringify(await page.context().cookies());
  const cdp = await page.context().newCDPSession(page);
  const history = (await cdp.send('Page.getNavigationHistory')) as { entries: { url: string }[] };
  await cdp.detach();
  const places: Record<string, string> = {
    localStorage: storage.local,
    sessionStorage: storage.session,
    IndexedDB: storage.idb,
    cookies,
    url: page.url(),
    history: history.entries.map((e) => e.url).join('\n'),
    console: consoleLines.join('\n'),
  };
  const leaks: string[] = [];
  for (const [place, content] of Object.entries(places)) {
    for (const secret of wanted) {
      if (content.includes(secret) || content.includes(encodeURIComponent(secret)))
        leaks.push(`${place} holds ${secret.slice(0, 12)}…`);
    }
  }
  expect(leaks).toEqual([]);
}
