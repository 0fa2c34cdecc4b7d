/**
 * `zustand` as the build-time render sees it (build/prerender.ts aliases the bare import here). zustand's
 * hook reads a store's *initial* state in a server render, but the prerender seeds the stores first
 * (the lab config, the sandbox directory), so here it reads the current state. Same API as `create`.
 */
import { useCallback, useSyncExternalStore } from 'react';
import { createStore, type StateCreator, type StoreApi } from 'zustand/vanilla';

export * from 'zustand/vanilla';

type Hook<T> = (<U>(selector?: (state: T) => U) => U) & StoreApi<T>;

function useStore<T, U>(api: StoreApi<T>, selector: (state: T) => U): U {
  const snapshot = useCallback(() => selector(api.getState()), [api, selector]);
  return useSyncExternalStore(api.subscribe, snapshot, snapshot);
}

export function create<T>(): (initializer: StateCreator<T, [], []>) => Hook<T>;
export function create<T>(initializer: StateCreator<T, [], []>): Hook<T>;
export function create<T>(initializer?: StateCreator<T, [], []>): unknown {
  const build = (init: StateCreator<T, [], []>): Hook<T> => {
    const api = createStore(init);
    const useBoundStore = <U>(selector: (state: T) => U = (s) => s as unknown as U) =>
      useStore(api, selector);
    return Object.assign(useBoundStore, api) as Hook<T>;
  };
  return initializer === undefined ? build : build(initializer);
}
