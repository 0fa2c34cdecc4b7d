import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';

/**
 * The copies of the real providers' documents in test-fixtures/providers must stay verbatim copies
 * of the shared reference set, when that set is on this machine (it is not in every checkout).
 */
const FIXTURES = new URL('../../test-fixtures/providers/', import.meta.url);
const REFERENCE = new URL('../../../shared/reference/providers/', import.meta.url);
const referencePresent = existsSync(REFERENCE);

const jsonFiles = (dir: URL) =>
  readdirSync(dir)
    .filter((name) => name.endsWith('.json'))
    .sort();

describe('provider fixtures', () => {
  test('13 fixtures, each with its source, metadata and key set', () => {
    const names = jsonFiles(FIXTURES);
    expect(names).toHaveLength(13);
    for (const name of names) {
      const fixture = JSON.parse(readFileSync(new URL(name, FIXTURES), 'utf8')) as Record<string, unknown>;
      expect(Object.keys(fixture).sort(), name).toEqual(['jwks', 'metadata', 'source']);
    }
  });

  test.skipIf(!referencePresent)(
    `equal ../shared/reference/providers byte for byte (skipped: ${REFERENCE.pathname} is not on this machine)`,
    () => {
      expect(jsonFiles(FIXTURES)).toEqual(jsonFiles(REFERENCE));
      for (const name of jsonFiles(REFERENCE)) {
        const copy = readFileSync(new URL(name, FIXTURES));
        const original = readFileSync(new URL(name, REFERENCE));
        expect(copy.equals(original), `${name} differs from the reference copy`).toBe(true);
      }
    },
  );
});
