import { beforeEach, describe, expect, test } from 'vitest';
import { applyPresentParam, presentParam, useSessionPrefs } from './session-prefs.ts';

describe('presenter mode from the address', () => {
  beforeEach(() => useSessionPrefs.setState({ presenter: false }));

  test('?present=1 turns it on, ?present=0 off, anything else leaves it', () => {
    expect(presentParam('?present=1')).toBe(true);
    expect(presentParam('?x=2&present=0')).toBe(false);
    expect(presentParam('?present=yes')).toBeUndefined();
    expect(presentParam('')).toBeUndefined();
  });

  test('applying an address changes the tab’s preference only when it asks for another value', () => {
    expect(applyPresentParam('?present=1')).toBe(true);
    expect(useSessionPrefs.getState().presenter).toBe(true);
    expect(applyPresentParam('?present=1')).toBe(false);
    expect(applyPresentParam('?share=abc')).toBe(false);
    expect(useSessionPrefs.getState().presenter).toBe(true);
    expect(applyPresentParam('?present=0')).toBe(true);
    expect(useSessionPrefs.getState().presenter).toBe(false);
  });
});
