import fc from 'fast-check';
import { renderToStaticMarkup } from 'react-dom/server';
import { afterEach, describe, expect, test } from 'vitest';
import { applyLabConfig, useLabConfig } from '../../state/lab-config.ts';
import { AttackLabOffText, isRelayOffHere, RelayOffText } from './hosting-notices.tsx';

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
    // The same fact once: the server's own headline gives way to ours.
    expect(html).toContain('A shared server.');
    expect(html).not.toContain('The relay is off');
    expect(html).toContain('Copy such a request as curl');
    expect(renderToStaticMarkup(<RelayOffText reason="" />)).toContain('It is a personal tool');
  });
});

describe('one relay message in hosting mode, none about a relay that is not there', () => {
  test('any server reason, with or without its own headline: the notice says the relay is off once', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('', 'The relay is off: ', 'the local relay is off. ', 'THE RELAY IS OFF:'),
        fc.string({ maxLength: 80 }).filter((t) => !/relay is off/i.test(t)),
        (headline, why) => {
          const html = renderToStaticMarkup(<RelayOffText reason={`${headline}${why}`} />);
          expect(html.match(/relay is off/gi)).toHaveLength(1);
        },
      ),
    );
  });

  test('relay texts give way to the notice only when hosted with the relay off', () => {
    fc.assert(
      fc.property(fc.boolean(), fc.boolean(), (hosting, relay) => {
        expect(isRelayOffHere({ hosting, relay })).toBe(hosting && !relay);
      }),
    );
  });

  test('attack pages in hosting mode: the attack lab is off, why, and what to do', () => {
    const html = renderToStaticMarkup(<AttackLabOffText />);
    expect(html).toContain('The attack lab is off on this shared server.');
    expect(html).toContain('for everyone in the class');
    expect(html).toContain('<code>npm start</code>');
  });
});
