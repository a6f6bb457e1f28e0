// Tiny TypeScript runner for the bench during development (no build step): compiles .ts files on
// require with @swc/core (already a dev dependency through jest) and resolves the @pressline/*
// path aliases from tsconfig.json. Usage: node bench/analysis/ts-runner.cjs bench/analysis/main.ts [args]
const path = require('path');
const fs = require('fs');
const Module = require('module');
const { transformSync } = require('@swc/core');

const root = path.resolve(__dirname, '../..');
const { compilerOptions } = JSON.parse(fs.readFileSync(path.join(root, 'tsconfig.json'), 'utf8'));
const aliases = Object.entries(compilerOptions.paths).map(([alias, [target]]) => [
  alias,
  path.join(root, target),
]);

const originalResolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  for (const [alias, target] of aliases) {
    if (request === alias) return originalResolve.call(this, target, ...rest);
  }
  return originalResolve.call(this, request, ...rest);
};

require.extensions['.ts'] = function (module, filename) {
  const source = fs.readFileSync(filename, 'utf8');
  const { code } = transformSync(source, {
    filename,
    jsc: { parser: { syntax: 'typescript' }, target: 'es2023' },
    module: { type: 'commonjs' },
    sourceMaps: 'inline',
  });
  module._compile(code, filename);
};

const entry = process.argv[2];
if (!entry) {
  console.error('usage: node bench/analysis/ts-runner.cjs <file.ts> [args]');
  process.exit(2);
}
process.argv.splice(1, 1);
require(path.resolve(entry));
