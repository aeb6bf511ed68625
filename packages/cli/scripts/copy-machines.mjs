// prepack (and the root's postbuild, so a checkout's @plugboard/cli/machines/
// resolves as an installed one does): the package carries the repository's
// machines/ and the profile schema beside them, so `$schema` in a shipped
// profile names a file that exists in the installed package (in the
// repository it points into core).
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';

const source = new URL('../../../machines/', import.meta.url);
const target = new URL('../machines/', import.meta.url);
const schema = new URL('../../core/schema/machine.schema.json', import.meta.url);
const SCHEMA_NAME = 'machine.schema.json';

rmSync(target, { recursive: true, force: true });
mkdirSync(target);
cpSync(schema, new URL(SCHEMA_NAME, target));
for (const name of readdirSync(source).filter((n) => n.endsWith('.json'))) {
  const profile = JSON.parse(readFileSync(new URL(name, source), 'utf8'));
  if (profile.$schema !== undefined) profile.$schema = `./${SCHEMA_NAME}`;
  writeFileSync(new URL(name, target), `${JSON.stringify(profile, null, 2)}\n`);
}
