import { planAlbum, planLoudness } from './plan';

const base = { ceilingDbtp: -1, peakMarginDb: 0.2, policy: 'limit' as const };

describe('planLoudness', () => {
  it('is linear when the gained true peak stays under ceiling - margin', () => {
    const p = planLoudness({ ...base, integratedLufs: -20, truePeakDbtp: -10, desiredGainDb: 6 });
    expect(p).toMatchObject({ decision: 'linear', gainDb: 6, expectedLufs: -14, limiterReductionDb: 0 });
  });

  it("keeps the gain and plans the limiter by policy 'limit'", () => {
    const p = planLoudness({ ...base, integratedLufs: -20, truePeakDbtp: -3, desiredGainDb: 6 });
    expect(p.decision).toBe('limit');
    expect(p.gainDb).toBe(6);
    expect(p.limiterReductionDb).toBeCloseTo(3 - -1.2, 9);
  });

  it("lowers the gain until the peak fits by policy 'quieter', and says by how much", () => {
    const p = planLoudness({
      ...base,
      policy: 'quieter',
      integratedLufs: -20,
      truePeakDbtp: -3,
      desiredGainDb: 6,
    });
    expect(p.decision).toBe('quieter');
    expect(p.gainDb).toBeCloseTo(1.8, 9);
    expect(p.quieterByLu).toBeCloseTo(4.2, 9);
    expect(p.expectedLufs).toBeCloseTo(-18.2, 9);
  });

  it('refuses non-finite figures', () => {
    expect(() =>
      planLoudness({ ...base, integratedLufs: Number.NEGATIVE_INFINITY, truePeakDbtp: -3, desiredGainDb: 0 }),
    ).toThrow(RangeError);
  });
});

describe('planAlbum', () => {
  const tracks = [
    { id: 'a', integratedLufs: -20, truePeakDbtp: -8 },
    { id: 'b', integratedLufs: -18, truePeakDbtp: -6 },
    { id: 'c', integratedLufs: -25, truePeakDbtp: -3 },
  ];

  it('anchors one gain on the loudest track', () => {
    const p = planAlbum(tracks, { targetLufs: -14, ...base });
    expect(p.anchorId).toBe('b');
    expect(p.gainDb).toBeCloseTo(4, 9);
    expect(p.tracks.map((t) => t.plan.expectedLufs)).toEqual([-16, -14, -21]);
  });

  it("limits only the track whose peaks the album gain pushes over (policy 'limit')", () => {
    const p = planAlbum(tracks, { targetLufs: -14, ...base });
    expect(p.tracks.map((t) => t.plan.decision)).toEqual(['linear', 'linear', 'limit']);
  });

  it("lowers the album gain for the peakiest track by policy 'quieter', keeping the differences", () => {
    const p = planAlbum(tracks, { targetLufs: -14, ...base, policy: 'quieter' });
    expect(p.gainDb).toBeCloseTo(1.8, 9);
    expect(p.tracks.every((t) => t.plan.decision === 'linear')).toBe(true);
    const e = p.tracks.map((t) => t.plan.expectedLufs);
    expect(e[1] - e[0]).toBeCloseTo(2, 9);
    expect(e[1] - e[2]).toBeCloseTo(7, 9);
  });

  it('keeps the anchor at its own loudness without a target (CD)', () => {
    expect(planAlbum(tracks, { targetLufs: null, ...base }).gainDb).toBe(0);
  });
});
