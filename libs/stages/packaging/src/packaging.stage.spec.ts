import { analysisTags } from './packaging.stage';
import { PackageLayout } from './package-layout';

describe('analysisTags', () => {
  it('writes BPM rounded and the key in musical notation', () => {
    expect(
      analysisTags({
        tempo: { bpm: 127.96, confidence: 0.9 },
        key: { tonic: 'F#', mode: 'minor', camelot: '11A' },
      }),
    ).toEqual({ BPM: '128', INITIALKEY: 'F#m' });
    expect(analysisTags({ key: { tonic: 'Eb', mode: 'major', camelot: '5B' } })).toEqual({
      INITIALKEY: 'Eb',
    });
  });
  it('writes no BPM for a tempo of 0 and no key at key confidence 0 (silence, nothing pitched)', () => {
    expect(
      analysisTags({
        tempo: { bpm: 0, confidence: 0 },
        key: { tonic: 'C', mode: 'major', camelot: '8B', confidence: 0 },
      }),
    ).toEqual({});
    expect(analysisTags({ key: { tonic: 'A', mode: 'minor', camelot: '8A', confidence: 0.02 } })).toEqual({
      INITIALKEY: 'Am',
    });
  });
  it('writes nothing without an analysis', () => {
    expect(analysisTags(null)).toEqual({});
  });
});

describe('PackageLayout', () => {
  it('names track files by position and a safe title', () => {
    expect(PackageLayout.trackFile(3, 'Rock & Roll <Live> / "Remastered"', '.flac')).toBe(
      'tracks/03-Rock_Roll_Live_Remastered.flac',
    );
    expect(PackageLayout.trackFile(12, '...', '.flac')).toBe('tracks/12-track.flac');
  });
});
