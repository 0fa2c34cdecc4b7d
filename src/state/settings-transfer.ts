/**
 * Settings leaving and entering the app: an export file (authority and profiles) and a share link
 * (authority, the active profile, a flow and a step). Both are built from an allowlist of fields, so a
 * secret, password, private key or token can never be part of them, whatever else the state holds.
 * Whatever comes in is checked field by field, with an error naming the field.
 */
import { parseIssuerUrl, validateStoredEndpoints, type MetadataKind } from '../protocol/discovery.ts';
import { ENTRA_CLOUD_ORIGINS, type Endpoints } from '../protocol/endpoints.ts';
import { InvalidInputError } from '../protocol/errors.ts';
import { decodeBase64Url, encodeBase64Url } from '../protocol/base64url.ts';
import { findFlow, type FlowId } from '../flows/registry.ts';
import type { AppProfile, AuthorityKind, Platform, Settings } from './settings.ts';

export const SETTINGS_FILE_FORMAT = 'oauth-flow-lab/settings';

/** The authority, as exported or shared. */
export type AuthorityTransfer =
  | { readonly kind: 'sandbox' }
  | { readonly kind: 'entra'; readonly cloud: string; readonly tenant: string }
  | {
      readonly kind: 'issuer';
      readonly issuer: string;
      readonly metadata: MetadataKind;
      readonly endpoints: Endpoints;
    }
  | { readonly kind: 'manual'; readonly endpoints: Endpoints };

/** A profile as exported or shared: never its secret. */
export interface ProfileTransfer {
  readonly id: string;
  readonly name: string;
  readonly clientId: string;
  readonly redirectUri: string;
  readonly platform: Platform;
  readonly scopes: string;
  readonly preset?: string;
}

export interface SettingsFile {
  readonly format: typeof SETTINGS_FILE_FORMAT;
  readonly version: 1;
  readonly authority: AuthorityTransfer;
  readonly profiles: readonly ProfileTransfer[];
  readonly activeProfileId: string;
}

export interface ShareLink {
  readonly v: 1;
  readonly authority: AuthorityTransfer;
  readonly profile: ProfileTransfer;
  readonly flow?: FlowId;
  readonly step?: string;
}

const PLATFORMS: readonly Platform[] = ['spa', 'web', 'public'];
const MAX_PROFILES = 50;
const MAX_TEXT = 2048;

/** Copies an endpoint set field by field (an allowlist: nothing else rides along). */
function copyEndpoints(e: Endpoints): Endpoints {
  return {
    authorization: e.authorization,
    ...(e.token === undefined ? {} : { token: e.token }),
    ...(e.jwks === undefined ? {} : { jwks: e.jwks }),
    ...(e.deviceAuthorization === undefined ? {} : { deviceAuthorization: e.deviceAuthorization }),
    ...(e.discovery === undefined ? {} : { discovery: e.discovery }),
  };
}

/** The authority of some settings, with only the fields that describe where requests go. */
export function authorityTransfer(settings: Settings): AuthorityTransfer {
  switch (settings.authority) {
    case 'entra':
      return { kind: 'entra', cloud: settings.entraOrigin, tenant: settings.tenant };
    case 'issuer':
      return settings.issuer === null
        ? { kind: 'sandbox' }
        : {
            kind: 'issuer',
            issuer: settings.issuer.issuer,
            metadata: settings.issuer.metadata,
            endpoints: copyEndpoints(settings.issuer.endpoints),
          };
    case 'manual':
      return settings.manualEndpoints === null
        ? { kind: 'sandbox' }
        : { kind: 'manual', endpoints: copyEndpoints(settings.manualEndpoints) };
    default:
      return { kind: 'sandbox' };
  }
}

/** A profile without its secret: only the named, non-secret fields are copied. */
export function profileTransfer(profile: AppProfile): ProfileTransfer {
  return {
    id: profile.id,
    name: profile.name,
    clientId: profile.clientId,
    redirectUri: profile.redirectUri,
    platform: profile.platform,
    scopes: profile.scopes,
    ...(profile.preset === undefined ? {} : { preset: profile.preset }),
  };
}

/** The export file: the authority and every profile, no secrets. */
export function buildSettingsFile(settings: Settings): SettingsFile {
  return {
    format: SETTINGS_FILE_FORMAT,
    version: 1,
    authority: authorityTransfer(settings),
    profiles: settings.profiles.map(profileTransfer),
    activeProfileId: settings.activeProfileId,
  };
}

/** The share link's payload: the authority, the active profile, and where to land. */
export function buildSharePayload(settings: Settings, flow?: FlowId, step?: string): ShareLink {
  const profile = settings.profiles.find((p) => p.id === settings.activeProfileId) ?? settings.profiles[0];
  if (profile === undefined) throw new InvalidInputError('profile', 'There is no app profile to share.');
  return {
    v: 1,
    authority: authorityTransfer(settings),
    profile: profileTransfer(profile),
    ...(flow === undefined ? {} : { flow }),
    ...(step === undefined ? {} : { step }),
  };
}

/** The share link itself: `/flows/<flow>?share=<base64url JSON>` (or `/settings?share=` without a flow). */
export function buildShareUrl(origin: string, settings: Settings, flow?: FlowId, step?: string): string {
  const payload = buildSharePayload(settings, flow, step);
  const path = flow === undefined ? '/settings' : `/flows/${flow}`;
  return `${origin}${path}?share=${encodeBase64Url(new TextEncoder().encode(JSON.stringify(payload)))}`;
}

// Reading what comes in.

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(
  record: Record<string, unknown>,
  key: string,
  path: string,
  options: { optional?: boolean } = {},
): string {
  const value = record[key];
  if (value === undefined && options.optional === true) return '';
  if (typeof value !== 'string')
    throw new InvalidInputError(`${path}.${key}`, `${path}.${key} must be text.`);
  if (value.length > MAX_TEXT) throw new InvalidInputError(`${path}.${key}`, `${path}.${key} is too long.`);
  return value;
}

function readEndpoints(value: unknown, path: string): Endpoints {
  if (!isRecord(value))
    throw new InvalidInputError(path, `${path} must be an object with the endpoint URLs.`);
  try {
    const discovery = text(value, 'discovery', path, { optional: true });
    // From a discovery document, the token endpoint and key set may be absent (OIDC Discovery §3).
    const fromDocument = discovery === '' ? {} : { optional: true };
    return validateStoredEndpoints({
      authorization: text(value, 'authorization', path),
      token: text(value, 'token', path, fromDocument),
      jwks: text(value, 'jwks', path, fromDocument),
      deviceAuthorization: text(value, 'deviceAuthorization', path, { optional: true }),
      discovery,
    });
  } catch (error) {
    if (error instanceof InvalidInputError && !error.field.startsWith(path))
      throw new InvalidInputError(`${path}.${error.field}`, `${path}: ${error.message}`);
    throw error;
  }
}

/** Checks an authority read from a file or link. */
export function readAuthority(value: unknown, path = 'authority'): AuthorityTransfer {
  if (!isRecord(value)) throw new InvalidInputError(path, `${path} must be an object.`);
  const kind = value['kind'] as AuthorityKind;
  switch (kind) {
    case 'sandbox':
      return { kind };
    case 'entra': {
      const cloud = text(value, 'cloud', path);
      if (!(ENTRA_CLOUD_ORIGINS as readonly string[]).includes(cloud)) {
        throw new InvalidInputError(
          `${path}.cloud`,
          `${path}.cloud must be one of ${ENTRA_CLOUD_ORIGINS.join(', ')}.`,
        );
      }
      const tenant = text(value, 'tenant', path).trim();
      if (!/^[A-Za-z0-9.-]{1,256}$/.test(tenant)) {
        throw new InvalidInputError(
          `${path}.tenant`,
          `${path}.tenant must be a tenant id, a domain, or common / organizations / consumers.`,
        );
      }
      return { kind, cloud, tenant };
    }
    case 'issuer': {
      let issuer: string;
      try {
        issuer = parseIssuerUrl(text(value, 'issuer', path));
      } catch (error) {
        throw new InvalidInputError(`${path}.issuer`, `${path}.issuer: ${(error as Error).message}`);
      }
      const metadata =
        value['metadata'] === 'oauth-authorization-server'
          ? 'oauth-authorization-server'
          : 'openid-configuration';
      return { kind, issuer, metadata, endpoints: readEndpoints(value['endpoints'], `${path}.endpoints`) };
    }
    case 'manual':
      return { kind, endpoints: readEndpoints(value['endpoints'], `${path}.endpoints`) };
    default:
      throw new InvalidInputError(`${path}.kind`, `${path}.kind must be sandbox, entra, issuer or manual.`);
  }
}

/** Checks a profile read from a file or link; a secret in it is ignored, never read. */
export function readProfile(value: unknown, path: string): ProfileTransfer {
  if (!isRecord(value)) throw new InvalidInputError(path, `${path} must be an object.`);
  const id = text(value, 'id', path);
  if (!/^[A-Za-z0-9_-]{1,80}$/.test(id))
    throw new InvalidInputError(`${path}.id`, `${path}.id must be letters, digits, - or _.`);
  const name = text(value, 'name', path).trim();
  if (name === '') throw new InvalidInputError(`${path}.name`, `${path}.name is empty.`);
  const redirectUri = text(value, 'redirectUri', path);
  if (redirectUri !== '') {
    try {
      new URL(redirectUri);
    } catch {
      throw new InvalidInputError(`${path}.redirectUri`, `${path}.redirectUri is not an absolute URL.`);
    }
  }
  const platform = value['platform'];
  if (!PLATFORMS.includes(platform as Platform)) {
    throw new InvalidInputError(`${path}.platform`, `${path}.platform must be spa, web or public.`);
  }
  const preset = text(value, 'preset', path, { optional: true });
  return {
    id,
    name,
    clientId: text(value, 'clientId', path).trim(),
    redirectUri,
    platform: platform as Platform,
    scopes: text(value, 'scopes', path, { optional: true }),
    ...(preset === '' ? {} : { preset }),
  };
}

/** Parses an import (text or already-parsed JSON) into checked settings; throws naming the bad field. */
export function parseSettingsFile(input: string | unknown): SettingsFile {
  let json: unknown = input;
  if (typeof input === 'string') {
    try {
      json = JSON.parse(input);
    } catch {
      throw new InvalidInputError('file', 'This is not JSON.');
    }
  }
  if (!isRecord(json)) throw new InvalidInputError('file', 'The file must hold one JSON object.');
  if (json['format'] !== SETTINGS_FILE_FORMAT) {
    throw new InvalidInputError(
      'format',
      `This is not an OAuth Flow Lab settings file (format must be “${SETTINGS_FILE_FORMAT}”).`,
    );
  }
  if (json['version'] !== 1)
    throw new InvalidInputError('version', 'Only version 1 settings files can be read.');
  const authority = readAuthority(json['authority']);
  const list = json['profiles'];
  if (!Array.isArray(list) || list.length === 0)
    throw new InvalidInputError('profiles', 'profiles must be a list with at least one profile.');
  if (list.length > MAX_PROFILES)
    throw new InvalidInputError('profiles', `At most ${MAX_PROFILES} profiles.`);
  const profiles = list.map((p, i) => readProfile(p, `profiles[${i}]`));
  const ids = new Set<string>();
  for (const [i, p] of profiles.entries()) {
    if (ids.has(p.id))
      throw new InvalidInputError(`profiles[${i}].id`, `profiles[${i}].id “${p.id}” is used twice.`);
    ids.add(p.id);
  }
  const activeProfileId = typeof json['activeProfileId'] === 'string' ? json['activeProfileId'] : '';
  if (!ids.has(activeProfileId)) {
    throw new InvalidInputError('activeProfileId', 'activeProfileId must be the id of one of the profiles.');
  }
  return { format: SETTINGS_FILE_FORMAT, version: 1, authority, profiles, activeProfileId };
}

/** Parses the `share` parameter of a link. */
export function parseShareParameter(value: string): ShareLink {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(decodeBase64Url(value)));
  } catch {
    throw new InvalidInputError('share', 'The share link is damaged: its settings cannot be read.');
  }
  if (!isRecord(json) || json['v'] !== 1)
    throw new InvalidInputError('share', 'This share link comes from another version of the app.');
  const flowValue = json['flow'];
  const flow = typeof flowValue === 'string' ? findFlow(flowValue)?.id : undefined;
  if (flowValue !== undefined && flow === undefined)
    throw new InvalidInputError('flow', 'The share link names a flow this app does not have.');
  const step = json['step'];
  if (step !== undefined && (typeof step !== 'string' || !/^[a-z0-9-]{1,40}$/.test(step))) {
    throw new InvalidInputError('step', 'The share link names an odd step.');
  }
  return {
    v: 1,
    authority: readAuthority(json['authority']),
    profile: readProfile(json['profile'], 'profile'),
    ...(flow === undefined ? {} : { flow: flow as FlowId }),
    ...(typeof step === 'string' ? { step } : {}),
  };
}

/** The settings after applying an authority (profiles untouched). */
export function withAuthority(settings: Settings, authority: AuthorityTransfer): Settings {
  switch (authority.kind) {
    case 'sandbox':
      // The sandbox's own tenant, whatever its directory says when a request is built.
      return { ...settings, authority: 'sandbox', tenant: '' };
    case 'entra':
      return { ...settings, authority: 'entra', entraOrigin: authority.cloud, tenant: authority.tenant };
    case 'issuer':
      return {
        ...settings,
        authority: 'issuer',
        issuer: { issuer: authority.issuer, metadata: authority.metadata, endpoints: authority.endpoints },
      };
    case 'manual':
      return { ...settings, authority: 'manual', manualEndpoints: authority.endpoints };
  }
}

/**
 * A profile from outside merged with what this browser has: a profile with the same id keeps the
 * secret typed here (and its "remember" choice) only if the client id did not change.
 */
export function mergeProfile(existing: AppProfile | undefined, incoming: ProfileTransfer): AppProfile {
  const keep = existing !== undefined && existing.clientId === incoming.clientId;
  return {
    ...incoming,
    clientSecret: keep ? existing.clientSecret : '',
    rememberSecret: keep ? existing.rememberSecret : false,
  };
}

/** The settings after an import: the file's authority and profiles replace the current ones. */
export function applySettingsFile(settings: Settings, file: SettingsFile): Settings {
  const profiles = file.profiles.map((p) =>
    mergeProfile(
      settings.profiles.find((q) => q.id === p.id),
      p,
    ),
  );
  return { ...withAuthority(settings, file.authority), profiles, activeProfileId: file.activeProfileId };
}

/** The settings after opening a share link: its authority, and its profile added (or updated) and made active. */
export function applyShareLink(settings: Settings, link: ShareLink): Settings {
  const existing = settings.profiles.find((p) => p.id === link.profile.id);
  const profile = mergeProfile(existing, link.profile);
  const profiles =
    existing === undefined
      ? [...settings.profiles, profile]
      : settings.profiles.map((p) => (p.id === profile.id ? profile : p));
  return { ...withAuthority(settings, link.authority), profiles, activeProfileId: profile.id };
}

/** Human-readable lines for what an authority is, for "this will change" lists. */
export function describeAuthority(authority: AuthorityTransfer): string {
  switch (authority.kind) {
    case 'sandbox':
      return 'The sandbox tenant';
    case 'entra':
      return `Entra ID at ${authority.cloud}, tenant ${authority.tenant}`;
    case 'issuer':
      return `The OpenID provider ${authority.issuer}`;
    case 'manual':
      return `Endpoints typed by hand (token endpoint ${authority.endpoints.token ?? 'none'})`;
  }
}
