// The one place that reads the sandbox's data from disk: data/codes.json, data/currencies.json,
// data/methods/*.json, data/cards/*.json and the scenario folder. Each file is checked against its schema (schemas/catalogue/,
// schemas/scenario/) and handed to the domain as values; a bad file stops the start with its name and field.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from './config.js';
import type { Catalogue } from './domain/catalogue/catalogue.js';
import { CardCatalogue, type Brand, type TestCardsFile } from './domain/catalogue/cards.js';
import { CodeTable, type CodeEntry } from './domain/catalogue/codes.js';
import { Currencies } from './domain/catalogue/currencies.js';
import { CatalogueError, MethodCatalogue, type OperationOverride, type PaymentMethod } from './domain/catalogue/methods.js';
import { buildScenarioCatalogue, ScenarioError, type ScenarioCatalogue, type ScenarioFile } from './domain/catalogue/scenarios.js';
import type { OperationKind } from './domain/model.js';
import { OutcomeRules } from './domain/payments/outcomes.js';
import { fromRoot } from './project-root.js';
import { fieldOf, validatorFor } from './schema-registry.js';

export type MethodOverrides = Record<string, Partial<Record<OperationKind, OperationOverride>>>;

export interface CatalogueSources {
  /** The scenario folder (SANDBOX_CONFIG's scenarios_dir, else scenarios/). */
  scenariosDir: string;
  /** The config file's changes to methods' limits and times. */
  methodOverrides?: MethodOverrides;
}

/** Parses and schema-checks one data file; `fail` makes the error of the caller's kind. */
function readChecked<T>(path: string, shownAs: string, schemaId: string, fail: (message: string) => Error): T {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw fail(`${shownAs}: not valid JSON: ${(error as Error).message}`);
  }
  const validate = validatorFor<T>(schemaId);
  if (validate(data)) return data;
  const problems = (validate.errors ?? []).map((e) => `"${fieldOf(e) || '(root)'}" ${e.keyword === 'additionalProperties' ? 'is an unknown key' : e.message}`);
  throw fail(`${shownAs}: ${[...new Set(problems)].join('; ')}`);
}

const catalogueError = (message: string): Error => new CatalogueError(message);
const scenarioError = (message: string): Error => new ScenarioError(message);

function jsonFiles(folder: string): string[] {
  return readdirSync(folder).filter((name) => name.endsWith('.json')).sort();
}

export function loadCodes(): CodeTable {
  const file = readChecked<{ codes: Record<string, CodeEntry> }>(fromRoot('data', 'codes.json'), 'data/codes.json', 'catalogue/codes.json', catalogueError);
  return new CodeTable(file.codes);
}

export function loadCurrencies(): Currencies {
  const file = readChecked<{ exponents: Record<string, number> }>(fromRoot('data', 'currencies.json'), 'data/currencies.json', 'catalogue/currencies.json', catalogueError);
  return new Currencies(file.exponents);
}

/** The methods with the config file's overrides applied; an override of an unknown method or operation is a config error. */
export function loadMethods(overrides: MethodOverrides = {}): MethodCatalogue {
  const folder = fromRoot('data', 'methods');
  const methods = jsonFiles(folder).map((name) => readChecked<PaymentMethod>(join(folder, name), `data/methods/${name}`, 'catalogue/method.json', catalogueError));
  for (const [code, override] of Object.entries(overrides)) {
    const method = methods.find((m) => m.code === code);
    if (method === undefined) throw new ConfigError(`SANDBOX_CONFIG: methods.${code}: no such method`);
    for (const kind of ['sale', 'payout'] as const) {
      const rules = method.operations[kind];
      const change = override[kind];
      if (change === undefined) continue;
      if (rules === undefined) throw new ConfigError(`SANDBOX_CONFIG: methods.${code}.${kind}: the method has no ${kind}`);
      method.operations[kind] = { ...rules, ...change };
    }
  }
  return new MethodCatalogue(methods);
}

export function loadScenarioFiles(folder: string): ScenarioFile[] {
  if (!existsSync(folder)) throw new ScenarioError(`scenarios folder ${folder} does not exist`);
  return jsonFiles(folder).map((file) => ({
    file,
    data: readChecked<ScenarioFile['data']>(join(folder, file), `scenarios/${file}`, 'scenario/scenario-file.json', scenarioError),
  }));
}

/** The scenario catalogue of a folder, its codes checked against the code table and its methods against the methods. */
export function loadScenarios(folder: string, codes: CodeTable = loadCodes(), methods: MethodCatalogue = loadMethods()): ScenarioCatalogue {
  return buildScenarioCatalogue(loadScenarioFiles(folder), new OutcomeRules(codes), methods);
}

/** Card brands and ECommPay's test cards (data/cards/). */
export function loadCards(): CardCatalogue {
  const brands = readChecked<{ brands: Brand[] }>(fromRoot('data', 'cards', 'brands.json'), 'data/cards/brands.json', 'catalogue/brands.json', catalogueError);
  const testCards = readChecked<TestCardsFile>(fromRoot('data', 'cards', 'test-cards.json'), 'data/cards/test-cards.json', 'catalogue/test-cards.json', catalogueError);
  return new CardCatalogue(brands.brands, testCards);
}

export function loadCatalogue(sources: CatalogueSources): Catalogue {
  const codes = loadCodes();
  const methods = loadMethods(sources.methodOverrides);
  return {
    codes,
    cards: loadCards(),
    currencies: loadCurrencies(),
    methods,
    scenarios: loadScenarios(sources.scenariosDir, codes, methods),
  };
}

/** A shop platform's status names per order state, for the conformance kit's order probe (data/conformance/shops.json). */
export interface ShopPreset { description: string; paid: string[]; failed: string[]; pending: string[] }

export function loadShopPresets(): Record<string, ShopPreset> {
  const file = readChecked<{ shops: Record<string, ShopPreset> }>(fromRoot('data', 'conformance', 'shops.json'), 'data/conformance/shops.json', 'catalogue/conformance-shops.json', catalogueError);
  return file.shops;
}
