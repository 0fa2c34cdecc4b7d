/**
 * compose.yaml, the reference set-up for a class (docs/workshop.md), checked without Docker: it parses,
 * it has Redis, two identical sandbox instances on that Redis behind the proxy's public origin, the app in
 * hosting mode and a TLS proxy; every file it mounts exists; every npm script it runs is in package.json;
 * and the Caddyfile sends the two public origins to those services and ports.
 */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';

type Yaml = string | null | readonly Yaml[] | { readonly [key: string]: Yaml };

interface Line {
  readonly indent: number;
  readonly text: string;
  readonly number: number;
}

/**
 * A YAML reader for the block subset compose.yaml is written in (mappings, sequences of scalars, plain
 * and quoted scalars, full-line comments). Anything else in the file is an error naming its line, so a
 * construct this reader would misread cannot pass unnoticed.
 */
export function parseYamlSubset(source: string): Yaml {
  const lines: Line[] = [];
  source.split('\n').forEach((raw, index) => {
    if (raw.trim() === '' || raw.trim().startsWith('#')) return;
    if (/^\s*\t/.test(raw)) throw new Error(`line ${index + 1}: a tab in the indentation`);
    if (/\s#/.test(raw.replace(/"[^"]*"|'[^']*'/g, '""')))
      throw new Error(`line ${index + 1}: comments after a value are not in the subset`);
    lines.push({ indent: raw.length - raw.trimStart().length, text: raw.trim(), number: index + 1 });
  });
  let at = 0;
  const scalar = (text: string, line: Line): string => {
    if (text.startsWith('"')) {
      if (!/^"(?:[^"\\]|\\.)*"$/.test(text)) throw new Error(`line ${line.number}: unclosed quote`);
      return JSON.parse(text) as string;
    }
    if (text.startsWith("'")) {
      if (!/^'(?:[^']|'')*'$/.test(text)) throw new Error(`line ${line.number}: unclosed quote`);
      return text.slice(1, -1).replaceAll("''", "'");
    }
    if (/^[[{&*!|>%@`]/.test(text)) throw new Error(`line ${line.number}: "${text}" is not in the subset`);
    return text;
  };
  const block = (indent: number): Yaml => {
    const first = lines[at];
    if (first === undefined || first.indent !== indent) throw new Error('an empty block');
    if (first.text.startsWith('- ') || first.text === '-') {
      const items: Yaml[] = [];
      while (lines[at]?.indent === indent && lines[at]?.text.startsWith('- ')) {
        const line = lines[at] as Line;
        const item = line.text.slice(2).trim();
        if (/^[\w.-]+:(\s|$)/.test(item)) throw new Error(`line ${line.number}: mappings in a list`);
        items.push(scalar(item, line));
        at += 1;
      }
      return items;
    }
    const map: Record<string, Yaml> = {};
    while (lines[at]?.indent === indent) {
      const line = lines[at] as Line;
      const match = /^([\w.-]+):(?:\s+(.*))?$/.exec(line.text);
      if (!match) throw new Error(`line ${line.number}: expected "key: value", got "${line.text}"`);
      const [, key = '', value] = match;
      if (key in map) throw new Error(`line ${line.number}: "${key}" twice`);
      at += 1;
      if (value !== undefined && value !== '') map[key] = scalar(value, line);
      else {
        const next = lines[at];
        map[key] = next !== undefined && next.indent > indent ? block(next.indent) : null;
      }
    }
    const stray = lines[at];
    if (stray !== undefined && stray.indent > indent)
      throw new Error(`line ${stray.number}: indented more than the entries before it`);
    return map;
  };
  const document = block(0);
  if (at !== lines.length) throw new Error(`line ${lines[at]?.number ?? 0}: not part of the document`);
  return document;
}

const asMap = (value: Yaml | undefined, what: string): Record<string, Yaml> => {
  if (value === null || value === undefined || typeof value === 'string' || Array.isArray(value))
    throw new Error(`${what} is not a mapping`);
  return value as Record<string, Yaml>;
};
const asList = (value: Yaml | undefined, what: string): string[] => {
  if (!Array.isArray(value)) throw new Error(`${what} is not a list`);
  return value.map((item) => {
    if (typeof item !== 'string') throw new Error(`${what} holds a non-string`);
    return item;
  });
};

const compose = asMap(parseYamlSubset(readFileSync('compose.yaml', 'utf8')), 'compose.yaml');
const services = asMap(compose['services'], 'services');
const service = (name: string) => asMap(services[name], `service ${name}`);
const env = (name: string) => asMap(service(name)['environment'], `${name}.environment`);
const scripts = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> })
  .scripts;

describe('the YAML subset reader', () => {
  test('reads mappings, lists and quoted scalars, and refuses what it does not know', () => {
    expect(parseYamlSubset("a:\n  b: \"x y\"\n  c:\n    - 1\n    - 'it''s'\nd: e\n")).toEqual({
      a: { b: 'x y', c: ['1', "it's"] },
      d: 'e',
    });
    expect(() => parseYamlSubset('a: [1, 2]\n')).toThrow(/subset/);
    expect(() => parseYamlSubset('a: b # note\n')).toThrow(/comments/);
    expect(() => parseYamlSubset('a: b\na: c\n')).toThrow(/twice/);
    expect(() => parseYamlSubset('a:\n  - b: c\n')).toThrow(/mappings in a list/);
    expect(() => parseYamlSubset('a: b\n    c: d\n')).toThrow(/indented/);
  });
});

describe('compose.yaml', () => {
  test('Redis, two sandbox instances, the app, a proxy (and the one-off install)', () => {
    expect(Object.keys(services).sort()).toEqual([
      'app',
      'install',
      'proxy',
      'redis',
      'sandbox-1',
      'sandbox-2',
    ]);
    expect(String(service('redis')['image'])).toMatch(/^redis:/);
  });

  test('both sandbox instances: the same image and command, one Redis, the proxy’s public origin', () => {
    const [one, two] = [service('sandbox-1'), service('sandbox-2')];
    expect(one['image']).toBe(two['image']);
    expect(asList(one['command'], 'command')).toEqual(asList(two['command'], 'command'));
    expect(env('sandbox-1')).toEqual(env('sandbox-2'));
    const e = env('sandbox-1');
    expect(e['SANDBOX_REDIS_URL']).toBe('redis://redis:6379');
    expect(String(e['SANDBOX_PUBLIC_ORIGIN'])).toMatch(/^https:\/\/\$\{LAB_HOSTNAME[^}]*\}:8443$/);
    expect(e['LAB_HOST']).toBe('0.0.0.0');
    expect(String(e['LAB_TRAINER_PASSWORD'])).toMatch(/^\$\{LAB_TRAINER_PASSWORD:\?/);
    expect(String(e['LAB_PUBLIC_ORIGIN'])).toMatch(/^https:\/\/\$\{LAB_HOSTNAME/);
  });

  test('the app runs npm start in hosting mode with the same Redis, public origins and password', () => {
    expect(asList(service('app')['command'], 'app.command')).toEqual(['npm', 'start', '--', '--host']);
    const e = env('app');
    expect(e['SANDBOX_REDIS_URL']).toBe(env('sandbox-1')['SANDBOX_REDIS_URL']);
    expect(String(e['LAB_PUBLIC_ORIGIN'])).toMatch(/^https:\/\/\$\{LAB_HOSTNAME[^}]*\}$/);
    expect(String(e['SANDBOX_PUBLIC_ORIGIN'])).toMatch(/^https:\/\/\$\{LAB_HOSTNAME\}:8443$/);
    expect(String(e['LAB_TRAINER_PASSWORD'])).toMatch(/^\$\{LAB_TRAINER_PASSWORD:\?/);
  });

  test('every command is an npm script of package.json (or npm ci, or the images’ own)', () => {
    for (const [name, raw] of Object.entries(services)) {
      const command = asMap(raw, name)['command'];
      if (command === undefined || command === null) continue;
      const words = asList(command, `${name}.command`);
      if (words[0] !== 'npm') {
        expect(['redis-server'], `${name} runs ${words[0] ?? ''}`).toContain(words[0]);
        continue;
      }
      const script = words[1] === 'run' ? words[2] : words[1];
      if (script === 'ci') continue;
      expect(scripts, `${name}: npm ${words.join(' ')}`).toHaveProperty(script ?? '');
    }
  });

  test('every file it mounts exists; every service it depends on is defined', () => {
    for (const [name, raw] of Object.entries(services)) {
      const s = asMap(raw, name);
      for (const volume of s['volumes'] === undefined ? [] : asList(s['volumes'], `${name}.volumes`)) {
        const [from = ''] = volume.split(':');
        if (from.startsWith('./')) expect(existsSync(from), `${name} mounts ${from}`).toBe(true);
        else expect(asMap(compose['volumes'], 'volumes'), `${name} uses volume ${from}`).toHaveProperty(from);
      }
      const depends = s['depends_on'];
      const names = Array.isArray(depends)
        ? asList(depends, name)
        : Object.keys(depends ? asMap(depends, name) : {});
      for (const dependency of names)
        expect(services, `${name} depends on ${dependency}`).toHaveProperty(dependency);
    }
  });

  test('the Caddyfile: TLS on both origins, the app, and round robin over both sandbox instances', () => {
    const caddy = readFileSync('deploy/Caddyfile', 'utf8');
    expect(asList(service('proxy')['ports'], 'proxy.ports')).toEqual(['443:443', '8443:8443']);
    expect(caddy).toMatch(/https:\/\/\{\$LAB_HOSTNAME\}:443 \{[^}]*tls internal[^}]*reverse_proxy app:5173/);
    const appPort = String(env('app')['APP_PORT']);
    expect(appPort).toBe('5173');
    const sandboxPort = String(env('sandbox-1')['SANDBOX_PORT']);
    expect(caddy).toContain(`reverse_proxy sandbox-1:${sandboxPort} sandbox-2:${sandboxPort}`);
    expect(caddy).toContain('lb_policy round_robin');
    // Braces balance: Caddy refuses the file otherwise.
    expect(caddy.split('{').length).toBe(caddy.split('}').length);
  });
});
