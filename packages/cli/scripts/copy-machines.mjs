// prepack (and the root's postbuild, so a checkout's @plugboard/cli/machines/
// resolves as an installed one does): the package carries the repository's
// machines/ with the profile schema and the matrix schema beside them, so
// `$schema` in a shipped profile or matrix spec names a file that exists in
// the installed package (in the repository it points into core or the CLI).
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';

const source = new URL('../../../machines/', import.meta.url);
const target = new URL('../machines/', import.meta.url);
const schemas = {
  'machine.schema.json': new URL('../../core/schema/machine.schema.json', import.meta.url),
  'matrix.schema.json': new URL('../schema/matrix.schema.json', import.meta.url),
};

rmSync(target, { recursive: true, force: true });
mkdirSync(target);
for (const [name, url] of Object.entries(schemas)) cpSync(url, new URL(name, target));
for (const name of readdirSync(source).filter((n) => n.endsWith('.json'))) {
  const profile = JSON.parse(readFileSync(new URL(name, source), 'utf8'));
  if (profile.$schema !== undefined) profile.$schema = `./${profile.$schema.split('/').pop()}`;
  writeFileSync(new URL(name, target), `${JSON.stringify(profile, null, 2)}\n`);
}
