/**
 * The few browser globals the app's modules read while they load and render (window.location for the
 * redirect URI, web storage for zustand's persisted stores), set up for a build-time render in Node.
 * Storage starts empty each time: the prerendered page is what a first-time visitor sees.
 */
class MemoryStorage implements Storage {
  readonly #items = new Map<string, string>();
  get length(): number {
    return this.#items.size;
  }
  clear(): void {
    this.#items.clear();
  }
  getItem(key: string): string | null {
    return this.#items.get(key) ?? null;
  }
  key(index: number): string | null {
    return [...this.#items.keys()][index] ?? null;
  }
  removeItem(key: string): void {
    this.#items.delete(key);
  }
  setItem(key: string, value: string): void {
    this.#items.set(key, String(value));
  }
}

/** Points `location` at another page of the same render (storages are kept). */
export function setPrerenderLocation(url: URL): void {
  Object.defineProperty(globalThis, 'location', { value: url, configurable: true, writable: true });
}

/** Points `window.location` at `url` and empties both storages; returns a function that undoes it all. */
export function installPrerenderGlobals(url: URL): () => void {
  const names = ['window', 'location', 'localStorage', 'sessionStorage'] as const;
  const saved = names.map((name) => Object.getOwnPropertyDescriptor(globalThis, name));
  const values: Record<(typeof names)[number], unknown> = {
    window: globalThis,
    location: url,
    localStorage: new MemoryStorage(),
    sessionStorage: new MemoryStorage(),
  };
  for (const name of names)
    Object.defineProperty(globalThis, name, { value: values[name], configurable: true, writable: true });
  return () => {
    names.forEach((name, i) => {
      const descriptor = saved[i];
      if (descriptor === undefined) Reflect.deleteProperty(globalThis, name);
      else Object.defineProperty(globalThis, name, descriptor);
    });
  };
}
