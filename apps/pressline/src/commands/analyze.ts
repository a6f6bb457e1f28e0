import { isAudioError } from '@pressline/audio';
import { measureFile, type FileMeasurement } from '@pressline/measurement';
import { parse, UsageError } from '../args';

export const ANALYZE_HELP = `pressline analyze FILE... [--json] [--series]

Measures each file in one streaming pass: format, loudness per ITU-R BS.1770-5 / EBU R128
(integrated, loudness range, momentary and short-term maxima), true peak and sample peak, and QC
findings (clipping, inter-sample overs, DC, phase, mono compatibility, silence, bit depth,
bandwidth, dual mono, polarity).

  --json     one JSON object per file and per line, in order: file, format{sampleRate,channels,
             bitDepth,durationSeconds,codec}, loudness{integratedLufs,loudnessRangeLu,
             momentaryMaxLufs,shortTermMaxLufs,truePeakDbtp,samplePeakDbfs}, qc{status,findings}
  --series   add loudness.momentarySeries and loudness.shortTermSeries (10 Hz, LUFS; null = silent)

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
    `  qc          ${m.qc.status}`,
    ...m.qc.findings.filter((f) => f.severity !== 'pass').map((f) => `    ${f.severity.padEnd(4)} ${f.code}: ${f.message}`),
  ];
  return `${lines.join('\n')}\n`;
}

export async function analyzeCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { json: { type: 'boolean', default: false }, series: { type: 'boolean', default: false } });
  if (positionals.length === 0) throw new UsageError('analyze takes one or more files');
  let unreadable = 0;
  for (const file of positionals) {
    try {
      const m = await measureFile(file, { series: values.series });
      const { decode: _decode, ...published } = m;
      const out = values.json ? { ...published, qc: { status: m.qc.status, findings: m.qc.findings, figures: m.qc.figures } } : null;
      process.stdout.write(values.json ? `${JSON.stringify(out)}\n` : human(m));
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
