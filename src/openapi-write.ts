// `npm run openapi`: writes the OpenAPI document generated from schemas/ to openapi.json at the package root, where
// tools that read a file (client generators, linters, diffs) find it. The test suite fails while the file and the
// generated document differ.
import { writeFileSync } from 'node:fs';
import { openApiDocument } from './openapi.js';
import { fromRoot } from './project-root.js';

export const OPENAPI_FILE = 'openapi.json';

writeFileSync(fromRoot(OPENAPI_FILE), `${JSON.stringify(openApiDocument(), null, 2)}\n`);
