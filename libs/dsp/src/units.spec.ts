import { dbToGain, gainToDb } from './units';

describe('dB conversions', () => {
  it('maps -6.0206 dB to half amplitude', () => {
    expect(dbToGain(-6.0206)).toBeCloseTo(0.5, 4);
  });
  it('round-trips gain through decibels', () => {
    expect(dbToGain(gainToDb(0.123))).toBeCloseTo(0.123, 10);
  });
});
