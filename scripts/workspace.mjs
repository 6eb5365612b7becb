// Lists the workspace's package folders (packages/*, apps/*, tooling/*) with their package.json.
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

export const ROOT = new URL('..', import.meta.url).pathname;

export function workspacePackages() {
  const out = [];
  for (const group of ['tooling', 'packages', 'apps']) {
    const dir = join(ROOT, group);
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir).sort()) {
      const pj = join(dir, name, 'package.json');
      if (existsSync(pj)) out.push({ dir: join(dir, name), rel: `${group}/${name}`, pkg: JSON.parse(readFileSync(pj, 'utf8')) });
    }
  }
  return out;
}
