// The Eta engine over views/, with escaping on by default for everything a page echoes.
import { Eta } from 'eta';
import { fromRoot } from '../project-root.js';

export const views = new Eta({ views: fromRoot('views'), autoEscape: true, cache: true });
