import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

// The import boundaries of the architecture are lint rules (eslint.config.mjs). This spec proves
// that the rule fires on deliberate violations, and stays quiet on allowed imports.
const ROOT = join(__dirname, '..');

async function lint(filePath: string, code: string): Promise<string[]> {
  // ESLint's flat config loads with a dynamic import, which jest's VM cannot do: run it in its own process.
  const out = execFileSync(process.execPath, [join(ROOT, 'scripts', 'lint-probe.mjs'), filePath], {
    input: code,
    cwd: ROOT,
  });
  const messages = JSON.parse(out.toString()) as Array<{ ruleId: string | null; message: string }>;
  return messages.filter((m) => m.ruleId === 'import-x/no-restricted-paths').map((m) => m.message);
}

describe('import boundaries', () => {
  jest.setTimeout(60_000);

  it('refuses an app importing another app', async () => {
    const errors = await lint('apps/gateway/src/__boundary_probe__.ts', "import '../../ingest/src/main';\n");
    expect(errors.join('\n')).toMatch(/An app must not import another app/);
  });

  it('refuses a library importing an app', async () => {
    const errors = await lint(
      'libs/pipeline/src/__boundary_probe__.ts',
      "import '../../../apps/ingest/src/main';\n",
    );
    expect(errors.join('\n')).toMatch(/Libraries must not import apps/);
  });

  it('refuses libs/dsp importing another library', async () => {
    const errors = await lint(
      'libs/dsp/src/__boundary_probe__.ts',
      "import { Keys } from '@pressline/storage';\nexport const k = Keys;\n",
    );
    expect(errors.join('\n')).toMatch(/libs\/dsp imports nothing of the repo/);
  });

  it('refuses libs/contracts importing another library', async () => {
    const errors = await lint(
      'libs/contracts/src/__boundary_probe__.ts',
      "import { dbToGain } from '@pressline/dsp';\nexport const g = dbToGain;\n",
    );
    expect(errors.join('\n')).toMatch(/libs\/contracts imports nothing of the repo/);
  });

  it('refuses a stage importing another stage', async () => {
    const errors = await lint(
      'libs/stages/mastering/src/__boundary_probe__.ts',
      "import { IngestStage } from '@pressline/stage-ingest';\nexport const s = IngestStage;\n",
    );
    expect(errors.join('\n')).toMatch(/Stages never import each other/);
  });

  it('allows an app to import libraries', async () => {
    const errors = await lint(
      'apps/gateway/src/__boundary_probe__.ts',
      "import { Keys } from '@pressline/storage';\nexport const k = Keys;\n",
    );
    expect(errors).toEqual([]);
  });
});
