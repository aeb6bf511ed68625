/**
 * Where a device's config names a backend: the dotted paths of every `key`
 * whose value is `id` (the IDE controller's `primary.master.drive: "hda"`, a
 * NIC's `netdev: "net0"`). Configs are plain JSON, so one walk serves all.
 */
export function referencesTo(config: unknown, key: string, id: string, path = ''): string[] {
  if (config === null || typeof config !== 'object') return [];
  const found: string[] = [];
  for (const [k, v] of Object.entries(config)) {
    const here = path ? `${path}.${k}` : k;
    if (k === key && v === id) found.push(path);
    else found.push(...referencesTo(v, key, id, here));
  }
  return found;
}
