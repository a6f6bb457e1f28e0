import { mkdir, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { extname, join, resolve } from 'node:path';
import {
  EQ_CURVES,
  formatReport,
  getProfile,
  loadProfileFile,
  masterAlbum,
  masterTrack,
  PROFILE_NAMES,
  resolveProfile,
  toMasterFailure,
  type AlbumReport,
  type CliAdjustments,
  type EqSetting,
  type MasterReport,
  type MasteringProfile,
} from '@pressline/stage-mastering';
import { parse, UsageError } from '../args';

export const MASTER_HELP = `pressline master IN --profile NAME --out OUT [options]
pressline master --album DIR --profile NAME --out OUTDIR [options]

Masters IN to a delivery profile: subsonic high-pass, optional tonal-balance EQ and compression,
sample-rate conversion, loudness gain (linear whenever the true peak allows it), a true-peak
limiter only where the profile's policy asks for it, TPDF dither, then a verification of the
written file with the project's meter (integrated loudness within +-0.2 LU of the target, true
peak under the ceiling). A master that misses is not written (exit code 1).

  --profile NAME     ${PROFILE_NAMES.join(', ')}, or a profile JSON file
  --out OUT          the master (.wav or .flac: the extension chooses the container), or a folder with --album
  --album DIR        master every audio file of DIR together: one gain anchored on the loudest track
  --reference REF    match REF's loudness, spectral balance (1/3-octave) and stereo width
  --json             print the report as JSON (one line; with --album the album report)
  --target LUFS      loudness target (-40..-5)       --ceiling DBTP   true-peak ceiling (-9..0)
  --rate HZ|source   output sample rate              --bits 16|24|32  output depth (32 = float WAV)
  --policy limit|quieter   when linear gain cannot reach the target under the ceiling
  --eq off|${Object.keys(EQ_CURVES).join('|')}   tonal balance toward a built-in curve
  --compress auto|off      gentle compression when the limiter alone would need too much
  --noise-shaping none|second-order|lipshitz|f-weighted
  --keep-target      with --reference: keep the profile's loudness target

Exit codes: 0 delivered and verified; 1 mastering failed (target not met, refused input);
2 usage error or unreadable input.`;

const AUDIO_EXTENSIONS = new Set([
  '.wav',
  '.flac',
  '.aif',
  '.aiff',
  '.aifc',
  '.mp3',
  '.m4a',
  '.ogg',
  '.opus',
  '.wv',
  '.w64',
  '.rf64',
]);

function numberOption(name: string, value: string | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < min || n > max)
    throw new UsageError(`--${name} must be a number in [${min}, ${max}], got ${value}`);
  return n;
}

function adjustments(values: Record<string, string | boolean | undefined>): CliAdjustments {
  const str = (k: string): string | undefined => (typeof values[k] === 'string' ? values[k] : undefined);
  const rate = str('rate');
  let sampleRate: CliAdjustments['sampleRate'];
  if (rate !== undefined && rate !== 'source') {
    const r = Number(rate);
    if (![44100, 48000, 88200, 96000, 176400, 192000].includes(r))
      throw new UsageError(
        `--rate must be 44100, 48000, 88200, 96000, 176400, 192000 or source, got ${rate}`,
      );
    sampleRate = r as CliAdjustments['sampleRate'];
  }
  const bits = str('bits');
  if (bits !== undefined && !['16', '24', '32'].includes(bits))
    throw new UsageError(`--bits must be 16, 24 or 32, got ${bits}`);
  const policy = str('policy');
  if (policy !== undefined && policy !== 'limit' && policy !== 'quieter')
    throw new UsageError(`--policy must be limit or quieter, got ${policy}`);
  const eqName = str('eq');
  let eq: EqSetting | undefined;
  if (eqName !== undefined) {
    if (eqName === 'off') eq = { mode: 'off' };
    else if (Object.prototype.hasOwnProperty.call(EQ_CURVES, eqName)) eq = { mode: 'curve', curve: eqName };
    else
      throw new UsageError(`--eq must be off or one of ${Object.keys(EQ_CURVES).join(', ')}, got ${eqName}`);
  }
  const compress = str('compress');
  if (compress !== undefined && compress !== 'auto' && compress !== 'off')
    throw new UsageError(`--compress must be auto or off, got ${compress}`);
  const shaping = str('noise-shaping');
  if (shaping !== undefined && !['none', 'second-order', 'lipshitz', 'f-weighted'].includes(shaping)) {
    throw new UsageError(
      `--noise-shaping must be none, second-order, lipshitz or f-weighted, got ${shaping}`,
    );
  }
  const a: CliAdjustments = {
    targetLufs: numberOption('target', str('target'), -40, -5),
    truePeakDbtp: numberOption('ceiling', str('ceiling'), -9, 0),
    sampleRate,
    bitDepth: bits === undefined ? undefined : (Number(bits) as 16 | 24 | 32),
    policy,
    eq,
    compression: compress,
    noiseShaping: shaping as CliAdjustments['noiseShaping'],
  };
  return Object.fromEntries(Object.entries(a).filter(([, v]) => v !== undefined));
}

async function loadProfile(name: string): Promise<MasteringProfile> {
  try {
    return name.endsWith('.json') ? await loadProfileFile(name) : getProfile(name);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

async function audioFilesOf(dir: string): Promise<string[]> {
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch (e) {
    throw new UsageError(`--album: cannot read ${dir}: ${(e as Error).message}`);
  }
  const files: string[] = [];
  for (const name of entries.sort()) {
    if (name.startsWith('.') || !AUDIO_EXTENSIONS.has(extname(name).toLowerCase())) continue;
    if ((await stat(join(dir, name))).isFile()) files.push(join(dir, name));
  }
  if (files.length === 0) throw new UsageError(`--album: no audio files in ${dir}`);
  return files;
}

/** `--target -14` as well as `--target=-14` (node's parser takes a negative number for an option). */
function joinNegativeValues(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if ((argv[i] === '--target' || argv[i] === '--ceiling') && /^-\d/.test(argv[i + 1] ?? ''))
      out.push(`${argv[i]}=${argv[++i]}`);
    else out.push(argv[i]);
  }
  return out;
}

export async function masterCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(joinNegativeValues(argv), {
    profile: { type: 'string' },
    out: { type: 'string' },
    album: { type: 'string' },
    reference: { type: 'string' },
    json: { type: 'boolean', default: false },
    target: { type: 'string' },
    ceiling: { type: 'string' },
    rate: { type: 'string' },
    bits: { type: 'string' },
    policy: { type: 'string' },
    eq: { type: 'string' },
    compress: { type: 'string' },
    'noise-shaping': { type: 'string' },
    'keep-target': { type: 'boolean', default: false },
  });
  if (!values.profile) throw new UsageError('--profile is required');
  if (!values.out) throw new UsageError('--out is required');
  if (values.album ? positionals.length > 0 : positionals.length !== 1) {
    throw new UsageError(
      values.album
        ? 'with --album give no input file (DIR is the input)'
        : 'master takes exactly one input file',
    );
  }
  const cli = adjustments(values);
  for (const [what, path] of [
    ['input', positionals[0]],
    ['--reference', values.reference],
  ] as const) {
    if (path === undefined) continue;
    const st = await stat(path).catch(() => null);
    if (!st?.isFile()) {
      process.stderr.write(`pressline master: ${what} ${path}: not a readable file\n`);
      return 2;
    }
  }
  const out = resolve(values.out);
  if (!values.album) {
    const ext = extname(out).toLowerCase();
    if (ext !== '.wav' && ext !== '.flac')
      throw new UsageError(`--out must end in .wav or .flac, got ${values.out}`);
    (cli as { container?: 'wav' | 'flac' }).container = ext === '.wav' ? 'wav' : 'flac';
  }
  let profile;
  try {
    profile = resolveProfile(await loadProfile(values.profile), {}, cli);
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError((e as Error).message);
  }
  const workDir = await mkdtemp(join(tmpdir(), 'pressline-master-'));
  try {
    if (values.album) {
      const inputs = await audioFilesOf(values.album);
      await mkdir(out, { recursive: true });
      const report: AlbumReport = await masterAlbum({
        inputs,
        outputDir: out,
        profile,
        workDir,
        reference: values.reference,
        referenceLoudness: !values['keep-target'] && cli.targetLufs === undefined,
      });
      if (values.json) process.stdout.write(`${JSON.stringify(report)}\n`);
      else {
        process.stdout.write(`album: ${report.reason}\n`);
        for (const r of report.tracks) process.stdout.write(formatReport(r));
      }
      return 0;
    }
    const report: MasterReport = await masterTrack({
      input: resolve(positionals[0]),
      output: out,
      profile,
      workDir,
      reference: values.reference,
      referenceLoudness: !values['keep-target'] && cli.targetLufs === undefined,
    });
    process.stdout.write(values.json ? `${JSON.stringify(report)}\n` : formatReport(report));
    return 0;
  } catch (e) {
    const f = toMasterFailure(e);
    if (f.code === 'internal') throw e;
    process.stderr.write(`pressline master: ${f.code}: ${f.reason}\n`);
    if (values.json)
      process.stdout.write(
        `${JSON.stringify({ error: f.reason, code: f.code, report: f.report ?? null })}\n`,
      );
    return ['not-audio', 'truncated-or-corrupt', 'unsupported-format'].includes(f.code) ? 2 : 1;
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}
