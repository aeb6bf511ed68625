type Json = Record<string, unknown>;

/**
 * `--set devices.nic.type=i82557b` as a profile overlay. The value is JSON
 * when it parses as JSON (numbers, booleans, null, objects), a string otherwise.
 */
export function parseSet(text: string): Json {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new Error(`--set ${text}: expected PATH=VALUE, e.g. devices.nic.type=i82557b`);
  const path = text.slice(0, eq).split('.');
  if (path.some((p) => p === '')) throw new Error(`--set ${text}: empty path segment`);
  const raw = text.slice(eq + 1);
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    value = raw;
  }
  const root: Json = {};
  let node = root;
  path.slice(0, -1).forEach((key) => {
    node[key] = {};
    node = node[key] as Json;
  });
  node[path[path.length - 1]] = value;
  return root;
}
