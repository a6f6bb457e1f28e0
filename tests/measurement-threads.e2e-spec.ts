import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { measureFile } from '../libs/measurement/src/measure-file';
import { REPO_ROOT } from '../libs/testing/src/process-line';
import { encodeWav } from '../libs/testing/src/wav';

jest.setTimeout(60_000);

// The built CLI measures with worker threads (meter + QC + rhythm + key in one, true peak in
// another); the sources under jest measure in one thread. Both must say the same.
it('measures the same figures with worker threads as in one thread', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'threads-'));
  const fs = 48000;
  const n = fs * 8;
  let seed = 7;
  const noise = (): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff - 0.5;
  };
  const l = Float32Array.from(
    { length: n },
    (_, i) => 0.3 * Math.sin((2 * Math.PI * 220 * i) / fs) * (1 + Math.sin(i / 20000)) + 0.1 * noise(),
  );
  const r = Float32Array.from(
    { length: n },
    (_, i) => 0.25 * Math.sin((2 * Math.PI * 330 * i) / fs) + 0.1 * noise(),
  );
  const file = join(dir, 'x.wav');
  writeFileSync(file, encodeWav({ sampleRate: fs, channels: [l, r] }, { format: 'int24' }));

  const threaded = JSON.parse(
    execFileSync(join(REPO_ROOT, 'bin', 'pressline'), ['analyze', '--json', file]).toString(),
  ) as Record<string, any>;
  const single = await measureFile(file);
  for (const k of [
    'integratedLufs',
    'loudnessRangeLu',
    'momentaryMaxLufs',
    'shortTermMaxLufs',
    'truePeakDbtp',
    'samplePeakDbfs',
  ] as const) {
    expect(threaded.loudness[k]).toBeCloseTo(single.loudness[k]!, 9);
  }
  expect(threaded.qc.findings).toEqual(JSON.parse(JSON.stringify(single.qc.findings)));
  expect(threaded.tempo.bpm).toBeCloseTo(single.tempo!.bpm, 6);
  expect(threaded.key.label).toBe(single.key!.label);
});
