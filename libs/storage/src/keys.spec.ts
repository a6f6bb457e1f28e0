import { Keys, safeFileName, tenantOfKey } from './keys';

describe('safeFileName', () => {
  it.each([
    ['../../etc/passwd', 'passwd'],
    ['..\\..\\windows\\system32\\evil.dll', 'evil.dll'],
    ['Three (stems)', 'Three_stems'],
    ['Ünïcödé — Tëst.wav', 'Unicode_Test.wav'],
    ['<script>alert(1)</script>.wav', 'script.wav'],
    ['   ', 'file'],
    ['.hidden', 'hidden'],
    ['a\u0000b.wav', 'ab.wav'],
  ])('turns %j into %j', (given, expected) => {
    expect(safeFileName(given)).toBe(expected);
  });
  it('keeps names short', () => {
    expect(safeFileName('x'.repeat(500)).length).toBeLessThanOrEqual(100);
  });
});

describe('Keys', () => {
  it('lays keys out by tenant, release, track and step', () => {
    expect(Keys.stepOutput('acme', 'rel_1', 'trk_2', 'analysis', 'abc')).toBe(
      'tenants/acme/releases/rel_1/tracks/trk_2/analysis/abc/',
    );
  });
  it('refuses ids that would leave their folder', () => {
    expect(() => Keys.release('acme', '../other')).toThrow(RangeError);
    expect(() => Keys.tenant('a/b')).toThrow(RangeError);
  });
  it('never lets a client file name become a path', () => {
    expect(Keys.upload('acme', 'rel_1', 'trk_2', 0, '../../../../x.wav')).toBe(
      'tenants/acme/releases/rel_1/uploads/trk_2/1-x.wav',
    );
  });
  it('tells the tenant of a key', () => {
    expect(tenantOfKey('tenants/acme/releases/x')).toBe('acme');
    expect(tenantOfKey('other/acme')).toBeNull();
  });
});
