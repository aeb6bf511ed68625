import {
  checkProfileLayer,
  type Json,
  MAX_PROFILE_DEPTH,
  ProfileError,
  type ProfileLayer,
  parseProfileJson,
  type ResolvedProfile,
  resolveProfileLayers,
  tooDeep,
} from '@plugboard/core';
import schema from '@plugboard/core/schema/machine.schema.json' with { type: 'json' };

/**
 * A profile in a page: fetched by URL, `extends` followed as links relative
 * to it, each file and the merge validated with the same schema and the
 * same code as `plugboard run` uses. A profile given as JSON, and the
 * overrides, resolve their paths against `base`.
 */
export async function loadPageProfile(
  profile: string | Json,
  base: string,
  overrides: Json[] = [],
): Promise<ResolvedProfile> {
  const file = typeof profile === 'string' ? new URL(profile, base).href : new URL('profile.json', base).href;
  const layers: ProfileLayer[] = [];
  const seen: string[] = [];
  let next: { url: string; json: Json | null } | null = {
    url: file,
    json: typeof profile === 'string' ? null : profile,
  };
  while (next) {
    const url: string = next.url;
    if (seen.includes(url))
      throw new ProfileError(url, [
        `/extends: "extends" loops back to this file (${[...seen, url].join(' -> ')})`,
      ]);
    seen.push(url);
    let json: Json | null = next.json;
    if (!json) {
      const response = await fetch(url);
      if (!response.ok) throw new ProfileError(url, [`cannot read the file (HTTP ${response.status})`]);
      json = parseProfileJson(await response.text(), url);
    } else {
      const deep = tooDeep(json);
      if (deep !== null)
        throw new ProfileError(url, [`${deep}: nested more than ${MAX_PROFILE_DEPTH} levels deep`]);
    }
    checkProfileLayer(json, url, schema);
    layers.unshift({ json, dir: new URL('.', url).href });
    next = typeof json.extends === 'string' ? { url: new URL(json.extends, url).href, json: null } : null;
  }
  // Paths in overrides are the page's, as --set's are the working directory's.
  for (const o of overrides) layers.push({ json: o, dir: new URL('.', base).href });
  return resolveProfileLayers(layers, file, file, schema);
}
