// `npm run lint`, part two (part one is .dependency-cruiser.cjs, the layer rules): no function in src/ grows past
// about 80 lines, so a surface or a service stays a set of small steps a reader can follow.
import tseslint from 'typescript-eslint';

export default [
  {
    files: ['src/**/*.ts'],
    languageOptions: { parser: tseslint.parser },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      'max-lines-per-function': ['error', { max: 80, skipBlankLines: true, skipComments: true }],
    },
  },
];
