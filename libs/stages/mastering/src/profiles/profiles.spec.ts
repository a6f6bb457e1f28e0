import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  chooseSampleRate,
  ceilingForTarget,
  defineProfile,
  getProfile,
  PROFILE_NAMES,
  PROFILES,
  resolveProfile,
  eqTargetBands,
  EQ_CURVES,
} from '.';

const EXPECTED = [
  'spotify',
  'apple-digital-masters',
  'youtube',
  'amazon',
  'tidal',
  'deezer',
  'soundcloud',
  'cd',
  'broadcast-r128',
  'broadcast-a85',
];

describe('built-in profiles', () => {
  it('has the ten profiles of the issue, one file each', () => {
    expect([...PROFILE_NAMES].sort()).toEqual([...EXPECTED].sort());
    for (const name of EXPECTED) expect(() => readFileSync(join(__dirname, `${name}.ts`))).not.toThrow();
  });

  it('takes the defaults of standards.md', () => {
    expect(getProfile('spotify')).toMatchObject({
      targetLufs: -14,
      truePeakDbtp: -1,
      container: 'wav',
      loudCeiling: { aboveLufs: -14, truePeakDbtp: -2 },
    });
    expect(getProfile('apple-digital-masters')).toMatchObject({
      targetLufs: -16,
      truePeakDbtp: -1,
      bitDepth: 24,
    });
    expect(getProfile('cd')).toMatchObject({ targetLufs: null, sampleRate: 44100, bitDepth: 16 });
    expect(getProfile('broadcast-r128')).toMatchObject({ targetLufs: -23, truePeakDbtp: -1 });
    expect(getProfile('broadcast-a85')).toMatchObject({ targetLufs: -24, truePeakDbtp: -2 });
    expect(getProfile('deezer').targetLufs).toBe(-15);
  });

  it('are documented in the README table with their target and ceiling', () => {
    const readme = readFileSync(join(__dirname, '../../README.md'), 'utf8');
    for (const p of Object.values(PROFILES)) {
      const row = readme.split('\n').find((l) => l.startsWith(`| \`${p.name}\``));
      expect(row).toBeDefined();
      expect(row).toContain(p.targetLufs === null ? 'none' : `${p.targetLufs}`);
      expect(row).toContain(`${p.truePeakDbtp}`);
    }
  });

  it('refuses an unknown name, listing the known ones', () => {
    expect(() => getProfile('napster')).toThrow(/known: spotify/);
  });
});

describe('defineProfile', () => {
  const base = {
    name: 'x',
    title: 'X',
    source: 's',
    targetLufs: -14,
    truePeakDbtp: -1,
    sampleRate: 'source' as const,
    bitDepth: 24 as const,
    container: 'flac' as const,
    policy: 'limit' as const,
  };

  it('fills the documented defaults', () => {
    expect(defineProfile(base)).toMatchObject({
      toleranceLu: 0.2,
      peakMarginDb: 0.2,
      subsonicHz: 15,
      eq: { mode: 'off' },
      compression: 'off',
      noiseShaping: 'none',
    });
  });

  it('lists every bad field in one RangeError', () => {
    expect(() => defineProfile({ ...base, targetLufs: 3, truePeakDbtp: 2 })).toThrow(
      /targetLufs.*truePeakDbtp/,
    );
  });

  it('refuses 32-bit float in FLAC', () => {
    expect(() => defineProfile({ ...base, bitDepth: 32 })).toThrow(RangeError);
  });
});

describe('resolveProfile', () => {
  it('applies a release override and says so', () => {
    const r = resolveProfile(getProfile('apple-digital-masters'), { targetLufs: -18, policy: 'limit' });
    expect(r.targetLufs).toBe(-18);
    expect(r.policy).toBe('limit');
    expect(r.changes.join(' ')).toMatch(/release override/);
  });

  it('lets the command line win over the release', () => {
    expect(resolveProfile(getProfile('tidal'), { targetLufs: -18 }, { targetLufs: -12 }).targetLufs).toBe(
      -12,
    );
  });

  it("lowers Spotify's ceiling to -2 dBTP for a target louder than -14 LUFS", () => {
    expect(resolveProfile(getProfile('spotify'), { targetLufs: -11 }).ceilingDbtp).toBe(-2);
    expect(resolveProfile(getProfile('spotify')).ceilingDbtp).toBe(-1);
  });

  it('keeps an explicit ceiling whatever the target', () => {
    expect(resolveProfile(getProfile('spotify'), { targetLufs: -11, truePeakDbtp: -1.5 }).ceilingDbtp).toBe(
      -1.5,
    );
  });

  it('applies the loud-ceiling rule to a target from elsewhere (a reference)', () => {
    const r = resolveProfile(getProfile('spotify'));
    expect(ceilingForTarget(r, -9).ceilingDbtp).toBe(-2);
    expect(ceilingForTarget(r, -16).ceilingDbtp).toBe(-1);
  });

  it('moves a 32-bit float override into WAV', () => {
    const r = resolveProfile(getProfile('tidal'), { bitDepth: 32 });
    expect(r.container).toBe('wav');
    expect(r.changes.join(' ')).toMatch(/32-bit float/);
  });
});

describe('chooseSampleRate', () => {
  const r = (name: string) => resolveProfile(getProfile(name));
  it('keeps a source rate within the bounds', () =>
    expect(chooseSampleRate(r('spotify'), 96000)).toBe(96000));
  it('raises a rate under the bounds to the lowest allowed', () =>
    expect(chooseSampleRate(r('spotify'), 22050)).toBe(44100));
  it('lowers 96 kHz to 48 kHz (same family) under a 48 kHz bound', () =>
    expect(chooseSampleRate(r('soundcloud'), 96000)).toBe(48000));
  it('lowers 88.2 kHz to 44.1 kHz (same family) under a 48 kHz bound', () =>
    expect(chooseSampleRate(r('soundcloud'), 88200)).toBe(44100));
  it('takes a fixed rate as it is', () => expect(chooseSampleRate(r('cd'), 96000)).toBe(44100));
});

describe('EQ target curves', () => {
  it('has 31 bands per curve and none for "off"', () => {
    for (const c of Object.values(EQ_CURVES)) expect(c).toHaveLength(31);
    expect(eqTargetBands({ mode: 'off' })).toBeNull();
  });
  it('refuses an unknown curve', () =>
    expect(() => eqTargetBands({ mode: 'curve', curve: 'smiley' })).toThrow(RangeError));
});
