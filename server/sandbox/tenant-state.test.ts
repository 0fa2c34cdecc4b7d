/**
 * tenant-state.ts: several instances' copies of the tenant state, on one shared store (in memory, and on
 * the test Redis), under generated interleavings of writes, concurrent writes and request starts.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createMemoryStore } from './store/memory-store.ts';
import type { SharedStore } from './store/shared-store.ts';
import { clearTestPrefix, freshPrefix, openTestRedisStore } from './store/test-redis.ts';
import { TenantState, type TenantPart } from './tenant-state.ts';

/** A part holding a list of strings (absent: empty), as an instance would hold registrations. */
class ListPart implements TenantPart {
  value: readonly string[] = [];
  loads = 0;
  constructor(readonly name: string) {}
  load(value: unknown): void {
    this.loads += 1;
    this.value = (value as string[] | undefined) ?? [];
  }
}

interface Instance {
  readonly tenant: TenantState;
  readonly items: ListPart;
  readonly flags: ListPart;
}

async function instanceOn(store: SharedStore): Promise<Instance> {
  const tenant = new TenantState(store);
  const items = new ListPart('items');
  const flags = new ListPart('flags');
  tenant.register(items);
  tenant.register(flags);
  await tenant.refreshIfChanged();
  return { tenant, items, flags };
}

const append = (item: string) => (current: string[] | undefined) => [...(current ?? []), item];

type Command =
  | { readonly kind: 'write'; readonly on: number; readonly part: 'items' | 'flags'; readonly item: string }
  | { readonly kind: 'together'; readonly on: readonly number[]; readonly item: string }
  | { readonly kind: 'request'; readonly on: number };

const commands = fc.array(
  fc.oneof(
    fc.record({
      kind: fc.constant('write' as const),
      on: fc.integer({ min: 0, max: 2 }),
      part: fc.constantFrom('items' as const, 'flags' as const),
      item: fc.string({ maxLength: 4 }),
    }),
    fc.record({
      kind: fc.constant('together' as const),
      on: fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 2, maxLength: 5 }),
      item: fc.string({ maxLength: 4 }),
    }),
    fc.record({ kind: fc.constant('request' as const), on: fc.integer({ min: 0, max: 2 }) }),
  ),
  { maxLength: 25 },
);

/** Runs generated commands on three instances and checks what each holds against a plain model. */
async function checkAgainstModel(store: SharedStore, run: readonly Command[]): Promise<void> {
  const instances = [await instanceOn(store), await instanceOn(store), await instanceOn(store)];
  const model = { items: [] as string[], flags: [] as string[] };
  for (const [step, command] of run.entries()) {
    if (command.kind === 'write') {
      const at = instances[command.on]!;
      const item = `${step}:${command.item}`;
      await at.tenant.write(command.part, append(item));
      model[command.part].push(item);
      // The writer holds its own write at once, without another request.
      expect(at[command.part].value).toContain(item);
    } else if (command.kind === 'together') {
      // Writes to one part from several instances at the same time: none may be lost.
      const written = command.on.map((on, i) => ({ on, item: `${step}.${i}:${command.item}` }));
      await Promise.all(written.map(({ on, item }) => instances[on]!.tenant.write('items', append(item))));
      model.items.push(...written.map(({ item }) => item));
    } else {
      const at = instances[command.on]!;
      await at.tenant.refreshIfChanged();
      // A request starts from everything any instance wrote before it.
      expect([...at.items.value].sort()).toEqual([...model.items].sort());
      expect([...at.flags.value].sort()).toEqual([...model.flags].sort());
    }
  }
  for (const at of instances) {
    await at.tenant.refreshIfChanged();
    expect([...at.items.value].sort()).toEqual([...model.items].sort());
    expect([...at.flags.value].sort()).toEqual([...model.flags].sort());
  }
}

describe('tenant state on one in-memory store', () => {
  test('generated writes, concurrent writes and requests on three instances: nothing stale, nothing lost', async () => {
    await fc.assert(
      fc.asyncProperty(commands, async (run) => {
        const store = createMemoryStore();
        try {
          await checkAgainstModel(store, run);
        } finally {
          await store.close();
        }
      }),
      { numRuns: 150 },
    );
  });

  test('a request with nothing changed reads one key and reloads nothing', async () => {
    const store = createMemoryStore();
    const a = await instanceOn(store);
    const loads = a.items.loads;
    const get = store.get.bind(store);
    let reads = 0;
    store.get = (key) => {
      reads += 1;
      return get(key);
    };
    await a.tenant.refreshIfChanged();
    await a.tenant.refreshIfChanged();
    expect(reads).toBe(2);
    expect(a.items.loads).toBe(loads);
    await store.close();
  });

  test('an announced write reloads an idle instance before its next request', async () => {
    const store = createMemoryStore();
    const a = await instanceOn(store);
    const b = await instanceOn(store);
    await b.tenant.listen();
    await a.tenant.write('items', append('x'));
    await expect.poll(() => b.items.value).toEqual(['x']);
    await b.tenant.close();
    await store.close();
  });

  test('writing a part no instance registered is a programming error, said at once', async () => {
    const store = createMemoryStore();
    const a = await instanceOn(store);
    await expect(a.tenant.write('nope', () => 1)).rejects.toThrow("no part 'nope'");
    expect(() => a.tenant.register(new ListPart('items'))).toThrow('registered twice');
    await store.close();
  });
});

describe('tenant state on the test Redis', () => {
  const prefixes: string[] = [];
  let connections: SharedStore[] = [];
  beforeAll(() => {
    connections = [];
  });
  afterAll(async () => {
    await Promise.all(connections.map((c) => c.close()));
    await Promise.all(prefixes.map((p) => clearTestPrefix(p)));
  });

  test('generated runs: three instances, each with its own connection, agree with the model', async () => {
    await fc.assert(
      fc.asyncProperty(commands, async (run) => {
        const prefix = freshPrefix();
        prefixes.push(prefix);
        const store = await openTestRedisStore(prefix);
        connections.push(store);
        // Instances on separate connections, as separate processes would be.
        const others = [await openTestRedisStore(prefix), await openTestRedisStore(prefix)];
        connections.push(...others);
        const instances = [
          await instanceOn(store),
          await instanceOn(others[0]!),
          await instanceOn(others[1]!),
        ];
        const model: string[] = [];
        for (const [step, command] of run.entries()) {
          if (command.kind === 'request') {
            const at = instances[command.on]!;
            await at.tenant.refreshIfChanged();
            expect([...at.items.value].sort()).toEqual([...model].sort());
            continue;
          }
          const on = command.kind === 'write' ? [command.on] : command.on;
          const written = on.map((i, n) => ({ i, item: `${step}.${n}:${command.item}` }));
          await Promise.all(written.map(({ i, item }) => instances[i]!.tenant.write('items', append(item))));
          model.push(...written.map(({ item }) => item));
        }
        for (const at of instances) {
          await at.tenant.refreshIfChanged();
          expect([...at.items.value].sort()).toEqual([...model].sort());
        }
      }),
      { numRuns: 25 },
    );
  }, 60_000);
});
