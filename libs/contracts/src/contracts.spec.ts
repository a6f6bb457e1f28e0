import { isValidIsrc, isValidUpc } from './identifiers';
import { canonicalJson, digest, isId, newId } from './ids';
import { MessageParseError, parseMessage } from './messages';
import { ReleaseSubmission } from './release';
import { nextStep, validateRoute } from './steps';

describe('identifiers', () => {
  it.each(['USRC17607839', 'US-RC1-76-07839', 'usrc17607839', 'QZ-PRS-26-00001'])(
    'accepts the ISRC %s',
    (isrc) => {
      expect(isValidIsrc(isrc)).toBe(true);
    },
  );
  it.each(['USRC1760783', 'US-RC1-76-0783X', '1SRC17607839', 'USRC17607839X', ''])(
    'refuses the ISRC %j',
    (isrc) => {
      expect(isValidIsrc(isrc)).toBe(false);
    },
  );
  it.each(['036000291452', '4006381333931', '96385074', '00012345600012'])(
    'accepts the GTIN %s (check digit right)',
    (upc) => {
      expect(isValidUpc(upc)).toBe(true);
    },
  );
  it.each(['036000291453', '4006381333932', '12345', '03600029145a'])('refuses the GTIN %j', (upc) => {
    expect(isValidUpc(upc)).toBe(false);
  });
});

describe('routes', () => {
  it('accepts routes in the natural order, with skips', () => {
    expect(validateRoute(['ingest', 'analysis', 'mastering', 'packaging'])).toBeNull();
    expect(validateRoute(['packaging'])).toBeNull();
  });
  it('refuses unknown, repeated or reordered steps', () => {
    expect(validateRoute(['ingest', 'ingest'])).toMatch(/out of order or repeated/);
    expect(validateRoute(['mastering', 'analysis'])).toMatch(/out of order/);
    expect(validateRoute(['ingest', 'cooking'])).toMatch(/unknown step "cooking"/);
    expect(validateRoute([])).toMatch(/empty/);
  });
  it('tells the next step, or null at the end', () => {
    expect(nextStep(['ingest', 'mastering'], 'ingest')).toBe('mastering');
    expect(nextStep(['ingest', 'mastering'], 'mastering')).toBeNull();
  });
});

describe('ids', () => {
  it('makes time-sortable ids that say what they name', () => {
    const a = newId('rel', 1_000_000);
    const b = newId('rel', 2_000_000);
    expect(isId(a, 'rel')).toBe(true);
    expect(isId(a, 'trk')).toBe(false);
    expect(a < b).toBe(true);
  });
  it('hashes equal values equally whatever their key order', () => {
    expect(canonicalJson({ b: 1, a: [1, { d: 2, c: 3 }] })).toBe('{"a":[1,{"c":3,"d":2}],"b":1}');
    expect(digest({ x: 1, y: 2 })).toBe(digest({ y: 2, x: 1 }));
    expect(digest({ x: 1 })).not.toBe(digest({ x: 2 }));
  });
});

describe('parseMessage', () => {
  it('names what is wrong with a message', () => {
    expect(() =>
      parseMessage('{"schema": "pressline.step.requested.v1", "step": "cooking"}', [
        'pressline.step.requested.v1',
      ]),
    ).toThrow(/invalid pressline.step.requested.v1: .*step/);
    expect(() => parseMessage('not json', ['pressline.status.v1'])).toThrow(MessageParseError);
    expect(() => parseMessage('{"schema": "pressline.other.v9"}', ['pressline.status.v1'])).toThrow(
      /unexpected message schema/,
    );
    expect(() => parseMessage(null, ['pressline.status.v1'])).toThrow(/empty message/);
  });
});

describe('ReleaseSubmission', () => {
  const ok = { title: 'T', artist: 'A', tracks: [{ title: 'One', fileName: 'one.wav' }] };
  it('accepts a minimal release and defaults the profile', () => {
    const r = ReleaseSubmission.parse(ok);
    expect(r.profiles).toEqual(['spotify']);
  });
  it('keeps XML special characters as they are (escaping is the writer’s job)', () => {
    expect(ReleaseSubmission.parse({ ...ok, title: 'Rock & Roll <Live> "Remastered"' }).title).toBe(
      'Rock & Roll <Live> "Remastered"',
    );
  });
  it.each([
    ['an absurdly long title', { ...ok, title: 'x'.repeat(10_000) }, /title/],
    ['control characters', { ...ok, artist: 'A\u0000B' }, /control characters/],
    ['no tracks', { ...ok, tracks: [] }, /tracks/],
    [
      'both a file and stems',
      { ...ok, tracks: [{ title: 'x', fileName: 'a.wav', stems: [{ name: 's', fileName: 'b.wav' }] }] },
      /either fileName/,
    ],
    ['a bad date', { ...ok, releaseDate: '21/11/2026' }, /YYYY-MM-DD/],
    [
      'a bad route',
      { ...ok, tracks: [{ title: 'x', fileName: 'a.wav', route: ['mastering', 'ingest'] }] },
      /route/,
    ],
    ['a webhook that is not http', { ...ok, webhook: { url: 'file:///etc/passwd' } }, /webhook/],
  ])('refuses %s', (_what, input, problem) => {
    const r = ReleaseSubmission.safeParse(input);
    expect(r.success).toBe(false);
    expect(JSON.stringify(r.error?.issues)).toMatch(problem);
  });
});
