// Lints a piece of code as if it lived at a given path, with the project's ESLint config (import
// boundaries included) but without type information (the file does not exist). Used by
// tests/architecture.spec.ts to prove the boundary rules fire.
//   node scripts/lint-probe.mjs <path relative to the repo>  < code
import { ESLint } from 'eslint';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import tseslint from 'typescript-eslint';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const [filePath] = process.argv.slice(2);
let code = '';
for await (const chunk of process.stdin) code += chunk;
const eslint = new ESLint({
  cwd: root,
  overrideConfig: [
    {
      files: ['**/__boundary_probe__.ts'],
      ...tseslint.configs.disableTypeChecked,
      languageOptions: { parserOptions: { projectService: false, project: null } },
    },
  ],
});
const [result] = await eslint.lintText(code, { filePath: join(root, filePath) });
process.stdout.write(JSON.stringify(result.messages));
