// One Ajv instance for every JSON Schema in schemas/: Gate requests, the config file and scenario files.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { fromRoot } from './project-root.js';

// ajv-formats ships CommonJS with a default export that NodeNext sees one level down.
const addFormats = addFormatsModule as unknown as { default: (ajv: Ajv) => Ajv };

function schemaFiles(folder: string): string[] {
  return readdirSync(folder).flatMap((name) => {
    const path = join(folder, name);
    if (statSync(path).isDirectory()) return schemaFiles(path);
    return name.endsWith('.json') ? [path] : [];
  });
}

function buildAjv(): Ajv {
  const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
  (addFormats.default ?? (addFormatsModule as unknown as (a: Ajv) => Ajv))(ajv);
  const root = fromRoot('schemas');
  for (const file of schemaFiles(root)) {
    const schema = JSON.parse(readFileSync(file, 'utf8')) as { $id?: string };
    const expectedId = relative(root, file).split('\\').join('/');
    if (schema.$id !== expectedId) throw new Error(`schema ${file} must have $id "${expectedId}"`);
    ajv.addSchema(schema);
  }
  // Compile everything now so a broken schema stops the start, not the first request that needs it.
  for (const file of schemaFiles(root)) ajv.getSchema(relative(root, file).split('\\').join('/'));
  return ajv;
}

const ajv = buildAjv();
const compiled = new Map<string, ValidateFunction>();

export function validatorFor<T>(schemaId: string): ValidateFunction<T> {
  let validate = compiled.get(schemaId);
  if (validate === undefined) {
    validate = ajv.getSchema(schemaId);
    if (validate === undefined) throw new Error(`unknown schema ${schemaId}`);
    compiled.set(schemaId, validate);
  }
  return validate as ValidateFunction<T>;
}

/** `payment.amount` style path of the field an Ajv error is about. */
export function fieldOf(error: ErrorObject): string {
  const segments = error.instancePath.split('/').slice(1).map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'));
  if (error.keyword === 'required') segments.push(String((error.params as { missingProperty: string }).missingProperty));
  if (error.keyword === 'additionalProperties') {
    segments.push(String((error.params as { additionalProperty: string }).additionalProperty));
  }
  return segments.join('.');
}
