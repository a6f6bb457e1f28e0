import type { QcFigures } from './analyzer';
import { QC_THRESHOLDS, qcFindings, type QcFinding } from './findings';

/** Figures of a clean 44.1 kHz stereo master; each test changes one figure. */
function clean(): QcFigures {
  return {
    sampleRate: 44100,
    channels: 2,
    durationSeconds: 180,
    clipping: {
      runs: 0,
      samples: 0,
      perChannel: [
        { runs: 0, samples: 0 },
        { runs: 0, samples: 0 },
      ],
      levelDbfs: -0.01,
      minRun: 3,
    },
    interSampleOvers: {
      events: 0,
      samples: 0,
      perChannel: [
        { events: 0, samples: 0 },
        { events: 0, samples: 0 },
      ],
    },
    dcOffset: { perChannel: [1e-5, -1e-5], maxDbfs: -100 },
    phase: {
      meanCorrelation: 0.6,
      worstWindowCorrelation: 0.1,
      worstWindowStartSeconds: 12.3,
      windows: 1790,
    },
    monoCompatibility: { stereoLufs: -14, monoLufs: -15.2, dropLu: 1.2 },
    silence: {
      thresholdDbfs: -60,
      leadingSeconds: 0.1,
      trailingSeconds: 1.5,
      gaps: [],
      gapCount: 0,
      gapTotalSeconds: 0,
    },
    bitDepth: { effectiveBits: 24, declaredBits: 24 },
    bandwidth: { effectiveHz: 22050, cutoffHz: null, cutoffDropDb: null, nyquistHz: 22050, frames: 720 },
    stereo: { sideToMidDb: -8, dualMono: false, polarityInverted: false },
    nonFiniteSamples: 0,
  };
}

function get(findings: QcFinding[], code: QcFinding['code']): QcFinding {
  const f = findings.find((x) => x.code === code);
  if (!f) throw new Error(`no ${code} finding`);
  return f;
}

describe('qcFindings', () => {
  it('passes every code for a clean stereo master', () => {
    const findings = qcFindings(clean());
    expect(findings.map((f) => f.code).sort()).toEqual(
      [
        'bandwidth',
        'bit-depth',
        'clipping',
        'dc-offset',
        'dual-mono',
        'intersample-overs',
        'leading-silence',
        'mono-compat',
        'non-finite',
        'phase',
        'polarity',
        'silence-gap',
        'trailing-silence',
      ].sort(),
    );
    for (const f of findings) expect(f.severity).toBe('pass');
  });

  it('every finding has a readable message and is JSON-safe', () => {
    for (const f of qcFindings(clean())) {
      expect(f.message.length).toBeGreaterThan(10);
      expect(JSON.stringify(f)).not.toMatch(/NaN|Infinity/);
    }
  });

  const graded: [string, (f: QcFigures, v: number) => void, QcFinding['code'], number, number, number][] = [
    ['clipped runs', (f, v) => (f.clipping.runs = v), 'clipping', 0, 1, 50],
    ['inter-sample overs', (f, v) => (f.interSampleOvers.events = v), 'intersample-overs', 0, 1, 50],
    ['DC offset dBFS', (f, v) => (f.dcOffset.maxDbfs = v), 'dc-offset', -60, -50, -30],
    ['mono drop LU', (f, v) => (f.monoCompatibility!.dropLu = v), 'mono-compat', 2.9, 3, 6],
    ['leading silence s', (f, v) => (f.silence.leadingSeconds = v), 'leading-silence', 1.9, 2, 10],
    ['trailing silence s', (f, v) => (f.silence.trailingSeconds = v), 'trailing-silence', 4.9, 5, 30],
  ];
  for (const [label, set, code, pass, warn, fail] of graded) {
    it(`${label}: ${pass} passes, ${warn} warns, ${fail} fails`, () => {
      const sev = (v: number): string => {
        const f = clean();
        set(f, v);
        return get(qcFindings(f), code).severity;
      };
      expect(sev(pass)).toBe('pass');
      expect(sev(warn)).toBe('warn');
      expect(sev(fail)).toBe('fail');
    });
  }

  it('phase: mean correlation below 0 warns, below -0.5 fails, a worst window below -0.7 warns', () => {
    const f = clean();
    f.phase!.meanCorrelation = -0.1;
    expect(get(qcFindings(f), 'phase').severity).toBe('warn');
    f.phase!.meanCorrelation = -0.6;
    expect(get(qcFindings(f), 'phase').severity).toBe('fail');
    f.phase!.meanCorrelation = 0.5;
    f.phase!.worstWindowCorrelation = -0.8;
    expect(get(qcFindings(f), 'phase')).toMatchObject({
      severity: 'warn',
      threshold: QC_THRESHOLDS.phaseWindowWarn,
    });
  });

  it('a mono fold-down that cancels to silence fails mono-compat with a null value', () => {
    const f = clean();
    f.monoCompatibility = { stereoLufs: -14, monoLufs: null, dropLu: null };
    expect(get(qcFindings(f), 'mono-compat')).toMatchObject({ severity: 'fail', value: null });
  });

  it('one digital-silence gap warns and its message says where', () => {
    const f = clean();
    f.silence.gaps = [{ startSeconds: 61.25, durationSeconds: 0.04 }];
    f.silence.gapCount = 1;
    f.silence.gapTotalSeconds = 0.04;
    const g = get(qcFindings(f), 'silence-gap');
    expect(g.severity).toBe('warn');
    expect(g.message).toMatch(/61\.250/);
  });

  it('bit depth: 16 bits used in a 24-bit container warns; 24 in a float container passes', () => {
    const f = clean();
    f.bitDepth = { effectiveBits: 16, declaredBits: 24 };
    expect(get(qcFindings(f), 'bit-depth').severity).toBe('warn');
    f.bitDepth = { effectiveBits: 24, declaredBits: 32 };
    expect(get(qcFindings(f), 'bit-depth').severity).toBe('pass');
  });

  it('bandwidth: a 16.5 kHz wall at 44.1 kHz looks lossy, 20.5 kHz passes, 22 kHz at 96 kHz looks upsampled', () => {
    const f = clean();
    f.bandwidth = { effectiveHz: 16500, cutoffHz: 16500, cutoffDropDb: 45, nyquistHz: 22050, frames: 720 };
    expect(get(qcFindings(f), 'bandwidth').message).toMatch(/lossy/);
    f.bandwidth = { ...f.bandwidth, effectiveHz: 20500, cutoffHz: 20500 };
    expect(get(qcFindings(f), 'bandwidth').severity).toBe('pass');
    f.sampleRate = 96000;
    f.bandwidth = { effectiveHz: 22000, cutoffHz: 22000, cutoffDropDb: 60, nyquistHz: 48000, frames: 720 };
    const b = get(qcFindings(f), 'bandwidth');
    expect(b.severity).toBe('warn');
    expect(b.message).toMatch(/upsampled/);
  });

  it('dual mono warns and polarity inversion fails, judged on the side-to-mid ratio', () => {
    const f = clean();
    f.stereo = { sideToMidDb: -200, dualMono: true, polarityInverted: false };
    expect(get(qcFindings(f), 'dual-mono').severity).toBe('warn');
    f.stereo = { sideToMidDb: 200, dualMono: false, polarityInverted: true };
    expect(get(qcFindings(f), 'polarity').severity).toBe('fail');
  });

  it('non-finite samples fail', () => {
    const f = clean();
    f.nonFiniteSamples = 3;
    expect(get(qcFindings(f), 'non-finite').severity).toBe('fail');
  });

  it('custom thresholds change the outcome', () => {
    const f = clean();
    f.clipping.runs = 5;
    expect(get(qcFindings(f), 'clipping').severity).toBe('warn');
    expect(
      get(qcFindings(f, { ...QC_THRESHOLDS, clippingRunsWarn: 10, clippingRunsFail: 20 }), 'clipping')
        .severity,
    ).toBe('pass');
  });

  it('leaves out the stereo-only codes for mono figures', () => {
    const f = clean();
    f.channels = 1;
    f.phase = null;
    f.monoCompatibility = null;
    f.stereo = null;
    const codes = qcFindings(f).map((x) => x.code);
    for (const code of ['phase', 'mono-compat', 'dual-mono', 'polarity']) expect(codes).not.toContain(code);
  });

  it('QC_THRESHOLDS is frozen', () => {
    expect(Object.isFrozen(QC_THRESHOLDS)).toBe(true);
  });
});
