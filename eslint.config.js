// Lint with the layer boundaries of shared/DESIGN.md: core imports nothing outside core and no node:*;
// io imports core; report imports core; api imports core, io and report; cli and server import api; nothing imports cli.
import tseslint from 'typescript-eslint';

const nodeBuiltins = ['node:*', 'fs', 'path', 'os', 'worker_threads', 'child_process', 'stream', 'fs/promises', 'url', 'crypto', 'util', 'events'];
const restrict = (patterns, message) => ({
  'no-restricted-imports': ['error', { patterns: [{ group: patterns, message }] }],
});

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'web/dist/**', 'assembly/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    files: ['src/core/**/*.ts'],
    rules: restrict([...nodeBuiltins, '**/io/**', '**/api/**', '**/cli/**', '**/server/**', '**/report/**'],
      'src/core is pure: no node:* and nothing outside core'),
  },
  {
    files: ['src/io/**/*.ts'],
    rules: restrict(['**/api/**', '**/cli/**', '**/server/**'], 'src/io may import core only'),
  },
  {
    files: ['src/api/**/*.ts'],
    rules: restrict(['**/cli/**', '**/server/**'], 'src/api may import core, io and report only'),
  },
  {
    files: ['src/report/**/*.ts'],
    rules: restrict([...nodeBuiltins, '**/io/**', '**/api/**', '**/cli/**', '**/server/**'],
      'src/report is pure: no node:* and nothing outside core and report'),
  },
  {
    files: ['src/cli/**/*.ts'],
    rules: restrict(['**/core/**', '**/io/**', '**/server/**'], 'src/cli imports the api only'),
  },
  {
    files: ['src/server/**/*.ts'],
    rules: restrict(['**/cli/**'], 'nothing imports cli'),
  },
);
