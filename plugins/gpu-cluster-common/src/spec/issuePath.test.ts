import { formatIssuePath, parseIssuePath } from '..';

describe('parseIssuePath', () => {
  it.each<Array<string | number>[]>([
    [['nodePools', 0, 'provisioning', 'mode']],
    [['identity', 'zones', 3]],
    [['identity', 'labels', 'team a']],
    [['identity', 'labels', 'quote"and\\slash']],
    [['storage', 'filestore', 12, 'capacityGb']],
    [[]],
  ])('inverts formatIssuePath for %j', path => {
    expect(parseIssuePath(formatIssuePath(path))).toEqual(path);
  });

  it('refuses text formatIssuePath never produces', () => {
    for (const text of ['a..b', '.a', 'a[x]', 'a[0', 'a b', '[0]b']) {
      expect(() => parseIssuePath(text)).toThrow(/not an issue path/);
    }
  });
});
