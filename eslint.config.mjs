// @ts-check
// Lint rules, including the architecture's import boundaries (see docs in README "Layout"):
// apps -> libs only, never app -> app; libs never import apps; libs/dsp and libs/contracts
// import nothing of the repo; stages never import each other.
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';

const APPS = ['gateway', 'ingest', 'analysis', 'mixing', 'mastering', 'packaging', 'pressline'];
const STAGES = ['ingest', 'analysis', 'mixing', 'mastering', 'packaging'];

/** @type {Array<{target: string, from: string, except?: string[], message: string}>} */
const zones = [
  ...APPS.map((app) => ({
    target: `./apps/${app}`,
    from: './apps',
    except: [`./${app}`],
    message: 'An app must not import another app: move the shared code into libs/.',
  })),
  {
    target: './libs',
    from: './apps',
    message: 'Libraries must not import apps (dependencies point apps -> libs).',
  },
  {
    target: './libs/dsp',
    from: './libs',
    except: ['./dsp'],
    message: 'libs/dsp imports nothing of the repo.',
  },
  {
    target: './libs/contracts',
    from: './libs',
    except: ['./contracts'],
    message: 'libs/contracts imports nothing of the repo.',
  },
  ...STAGES.map((stage) => ({
    target: `./libs/stages/${stage}`,
    from: './libs/stages',
    except: [`./${stage}`],
    message: 'Stages never import each other: they meet only through libs/contracts.',
  })),
];

export default tseslint.config(
  {
    ignores: ['dist/**', 'node_modules/**', '.tools/**', '.stack/**', 'out/**', 'coverage/**', 'reports/**'],
  },
  eslint.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { 'import-x': importX },
    settings: {
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: './tsconfig.json' })],
    },
    rules: {
      'import-x/no-restricted-paths': ['error', { zones, basePath: import.meta.dirname }],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-extraneous-class': 'off',
      '@typescript-eslint/restrict-template-expressions': [
        'error',
        { allowNumber: true, allowBoolean: true },
      ],
    },
  },
  {
    files: ['**/*.spec.ts', '**/*.integration-spec.ts', 'tests/**/*.ts', 'libs/testing/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/unbound-method': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  {
    files: ['**/*.mjs', '**/*.cjs', '**/*.js'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    files: ['**/*.mjs', '**/*.cjs', '**/*.js'],
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
        setTimeout: 'readonly',
        performance: 'readonly',
      },
    },
  },
  {
    files: ['**/*.cjs', '**/*.js'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: { require: 'readonly', module: 'writable', __dirname: 'readonly', exports: 'writable' },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
