// Locates the package folder so data, schemas and views load the same from src/ (tests) and dist/src/ (start).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findPackageRoot(start: string): string {
  let folder = start;
  while (!existsSync(join(folder, 'package.json'))) {
    const parent = dirname(folder);
    if (parent === folder) throw new Error(`no package.json above ${start}`);
    folder = parent;
  }
  return folder;
}

export const projectRoot = findPackageRoot(dirname(fileURLToPath(import.meta.url)));

export function fromRoot(...segments: string[]): string {
  return join(projectRoot, ...segments);
}
