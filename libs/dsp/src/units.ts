/** Unit types for DSP signatures: plain numbers whose names say what they measure. */
export type Decibels = number;
export type Lufs = number;
export type LoudnessUnits = number;
export type Dbtp = number;
export type Hertz = number;
export type Seconds = number;
export type Samples = number;
export type Gain = number;

export function dbToGain(db: Decibels): Gain {
  return Math.pow(10, db / 20);
}

export function gainToDb(gain: Gain): Decibels {
  return 20 * Math.log10(gain);
}
