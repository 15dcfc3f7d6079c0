// Lint configuration: typescript-eslint's type-aware recommended set, plus the few rules the
// developers' guide asks for (no untyped `any`, type-only imports spelled as such).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { boundaries } from './scripts/lint/project-boundaries.js';

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'coverage/',
      '.serverless/',
      '.serverless-params/',
      'dist/',
      '.bench/',
      '.cache/',
      '.stryker-tmp/',
      'reports/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'always'],
      'no-console': 'error',
    },
  },
  {
    // lib/'s domains import each other in one direction, without barrels (see the rule).
    files: ['lib/**/*.ts', 'functions/**/*.ts'],
    plugins: { project: { rules: { boundaries } } },
    rules: { 'project/boundaries': 'error' },
  },
  {
    // Tests assert that control characters never get through, so they spell them in patterns.
    files: ['test/**/*.ts'],
    rules: { 'no-control-regex': 'off' },
  },
  {
    // infra/settings.cjs is loaded by the Serverless Framework with require().
    files: ['**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      sourceType: 'commonjs',
      globals: { module: 'writable', require: 'readonly', __filename: 'readonly' },
    },
    // CommonJS loads modules with require(); that is the point of the file.
    rules: { ...tseslint.configs.disableTypeChecked.rules, '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['bin/**/*.js', 'eslint.config.js', 'scripts/lint/*.js'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      globals: { process: 'readonly' },
    },
  },
);
