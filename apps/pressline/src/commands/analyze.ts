import { isAudioError } from '@pressline/audio';
import { ALL_MEASURES, measureFile, type FileMeasurement, type MeasureName } from '@pressline/measurement';
import { parse, UsageError } from '../args';

export const ANALYZE_HELP = `pressline analyze FILE... [--json] [--series] [--bpm-range MIN-MAX] [--only MEASURES]

Measures each file in one streaming pass: format, loudness per ITU-R BS.1770-5 / EBU R128
(integrated, loudness range, momentary and short-term maxima), true peak and sample peak, QC
findings (clipping, inter-sample overs, DC, phase, mono compatibility, silence, bit depth,
bandwidth, dual mono, polarity), tempo, beats, downbeats and metre, key and tuning.

  --json        one JSON object per file and per line, in order: file, format{sampleRate,channels,
                bitDepth,durationSeconds,codec}, loudness{integratedLufs,loudnessRangeLu,
                momentaryMaxLufs,shortTermMaxLufs,truePeakDbtp,samplePeakDbfs}, qc{status,findings},
                tempo{bpm,confidence,candidates,steady}, beats, downbeats, beatsPerBar,
                key{tonic,mode,label,camelot,openKey,confidence,runnerUp}, tuningHz
  --series      add loudness.momentarySeries and loudness.shortTermSeries (10 Hz, LUFS; null = silent)
  --bpm-range   limits of the tempo, e.g. 70-180 (default 40-250; the choice between metrical
                levels within them is the trained octave model's)
  --only        a subset of loudness,rhythm,key (loudness is always measured)

Values that do not exist (digital silence, shorter than 400 ms / 3 s) are null.
Exit code 2 when a file cannot be read (its line then holds "error"), 0 otherwise.`;

function fmt(v: number | null, unit: string, digits = 1): string {
  return v === null ? '—' : `${v.toFixed(digits)} ${unit}`;
}

function human(m: FileMeasurement): string {
  const l = m.loudness;
  const lines = [
    `${m.file}`,
    `  format      ${m.format.description}`,
    `  integrated  ${fmt(l.integratedLufs, 'LUFS')}    range ${fmt(l.loudnessRangeLu, 'LU')}`,
    `  max M / S   ${fmt(l.momentaryMaxLufs, 'LUFS')} / ${fmt(l.shortTermMaxLufs, 'LUFS')}`,
    `  true peak   ${fmt(l.truePeakDbtp, 'dBTP')}    sample peak ${fmt(l.samplePeakDbfs, 'dBFS')}`,
    ...(m.tempo
      ? [
          `  tempo       ${m.tempo.bpm.toFixed(1)} BPM (confidence ${m.tempo.confidence.toFixed(2)}${m.tempo.steady ? '' : ', not steady'}), ${m.timeSignature}, ${m.beats?.length ?? 0} beats`,
        ]
      : []),
    ...(m.key
      ? [
          `  key         ${m.key.label} (${m.key.camelot} / ${m.key.openKey}, confidence ${m.key.confidence.toFixed(2)}), A4 = ${m.tuningHz?.toFixed(1)} Hz`,
        ]
      : []),
    `  qc          ${m.qc.status}`,
    ...m.qc.findings
      .filter((f) => f.severity !== 'pass')
      .map((f) => `    ${f.severity.padEnd(4)} ${f.code}: ${f.message}`),
  ];
  return `${lines.join('\n')}\n`;
}

export async function analyzeCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, {
    json: { type: 'boolean', default: false },
    series: { type: 'boolean', default: false },
    'bpm-range': { type: 'string' },
    only: { type: 'string' },
  });
  if (positionals.length === 0) throw new UsageError('analyze takes one or more files');
  let bpmRange: [number, number] | undefined;
  if (values['bpm-range']) {
    const m = /^(\d+(?:\.\d+)?)-(\d+(?:\.\d+)?)$/.exec(values['bpm-range']);
    if (!m || !(Number(m[1]) >= 20 && Number(m[2]) <= 400 && Number(m[2]) > Number(m[1]) * 1.2)) {
      throw new UsageError(
        '--bpm-range wants MIN-MAX within 20-400 BPM, MAX at least 1.2 x MIN (e.g. 70-180)',
      );
    }
    bpmRange = [Number(m[1]), Number(m[2])];
  }
  const measures = values.only ? values.only.split(',').map((x) => x.trim()) : [...ALL_MEASURES];
  const unknown = measures.filter((x) => !(ALL_MEASURES as readonly string[]).includes(x));
  if (unknown.length)
    throw new UsageError(`--only: unknown measure ${unknown.join(', ')} (loudness, rhythm, key)`);
  let unreadable = 0;
  for (const file of positionals) {
    try {
      const m = await measureFile(file, {
        series: values.series,
        bpmRange,
        measures: measures as MeasureName[],
      });
      process.stdout.write(values.json ? `${JSON.stringify(m)}\n` : human(m));
    } catch (e) {
      if (!isAudioError(e)) throw e;
      unreadable++;
      const reason = `${e.code}: ${e.message.split('\n')[0]}`;
      process.stderr.write(`pressline analyze: ${file}: ${reason}\n`);
      if (values.json) process.stdout.write(`${JSON.stringify({ file, error: reason, code: e.code })}\n`);
    }
  }
  return unreadable > 0 ? 2 : 0;
}
