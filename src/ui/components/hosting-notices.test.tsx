import fc from 'fast-check';
import { renderToStaticMarkup } from 'react-dom/server';
import { afterEach, describe, expect, test } from 'vitest';
import { applyLabConfig, useLabConfig } from '../../state/lab-config.ts';
import { RelayOffText } from './hosting-notices.tsx';

const initial = useLabConfig.getState();
afterEach(() => useLabConfig.setState(initial, true));

describe('the relay in hosting mode', () => {
  test('the lab config of a shared server: relay off, hosting, the reason kept; no token', () => {
    applyLabConfig({
      sandboxOrigin: 'https://sandbox.lab.example',
      relay: false,
      hosting: true,
      relayOffReason: 'The relay is off: this lab runs on a shared server.',
      formPost: true,
    });
    const config = useLabConfig.getState();
    expect(config).toMatchObject({ relay: false, hosting: true, relayToken: '' });
    expect(config.relayOffReason).toBe('The relay is off: this lab runs on a shared server.');
  });

  test('any value in the config fields: hosting only for true, the reason a short string', () => {
    fc.assert(
      fc.property(fc.anything(), fc.anything(), (hosting, reason) => {
        applyLabConfig({ hosting, relayOffReason: reason });
        const config = useLabConfig.getState();
        expect(config.hosting).toBe(hosting === true);
        expect(typeof config.relayOffReason).toBe('string');
        expect(config.relayOffReason.length).toBeLessThanOrEqual(400);
      }),
    );
  });

  test('on a shared server the notice says the relay is off, why (the server’s words), and what to do', () => {
    const html = renderToStaticMarkup(<RelayOffText reason="The relay is off: a shared server." />);
    expect(html).toContain('The local relay is off on this shared server.');
    expect(html).toContain('The relay is off: a shared server.');
    expect(html).toContain('Copy such a request as curl');
    expect(renderToStaticMarkup(<RelayOffText reason="" />)).toContain('It is a personal tool');
  });
});
