// Build step after tsc: writes every JSON Schema's validator as compiled code (dist/schemas/validators.js), so a
// start loads them in milliseconds instead of compiling them with Ajv.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import standaloneModule from 'ajv/dist/standalone/index.js';
import type { Ajv } from 'ajv';
import { projectRoot } from './project-root.js';
import { COMPILED_VALIDATORS, compiledValidatorsSource, schemaFiles } from './schema-registry.js';

// ajv's standalone entry is CommonJS with a default export that NodeNext sees one level down.
const standaloneCode = (standaloneModule as unknown as { default: (ajv: Ajv, refs: Record<string, string>) => string }).default;

const target = join(projectRoot, COMPILED_VALIDATORS);
mkdirSync(dirname(target), { recursive: true });
writeFileSync(target, await compiledValidatorsSource(schemaFiles(), standaloneCode));
