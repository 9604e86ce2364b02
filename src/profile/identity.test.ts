import { describe, expect, it } from 'vitest';
import { HOSTILE, expectAllBound, expectOnlyBound, flat, placeholders } from '../../test/support/queries.js';
import { WINDOW_24H_MS, WINDOW_34D_MS, duplicatesQuery, orderQuery } from './identity.js';

describe('identity queries', () => {
  it('duplicates: the 24 h and 34 d windows are bound Int64 ms; 5 examples of each kind', () => {
    const q = duplicatesQuery('r');
    expect(q.params).toEqual({ run: 'r', d24: 86_400_000, d34: 34 * 86_400_000 });
    expect([WINDOW_24H_MS, WINDOW_34D_MS]).toEqual([86_400_000, 2_937_600_000]);
    expect(placeholders(q.sql)).toEqual(
      new Map([
        ['d24', 'Int64'],
        ['d34', 'Int64'],
        ['run', 'String'],
      ]),
    );
    const s = flat(q.sql);
    expect(s.match(/groupArraySortedIf\(5\)/g)).toHaveLength(2);
    expect(s).toContain('gap > {d24:Int64} AND gap <= {d34:Int64}) AS e34');
    // Only hashes used more than once reach the window step, which partitions by the identifier itself.
    expect(s).toContain('GROUP BY h HAVING count() > 1');
    expect(s).toContain('PARTITION BY identifier ORDER BY event_time, source, line, seq ROWS BETWEEN 1 PRECEDING AND CURRENT ROW');
    expectAllBound(q);
  });

  it('order: each event against the previous one of its source, in file order', () => {
    const s = flat(orderQuery('r').sql);
    expect(s).toContain('PARTITION BY source ORDER BY line, seq ROWS BETWEEN 1 PRECEDING AND CURRENT ROW');
    expect(s).toContain('countIf(rn > 1 AND t < prev_t) AS n');
  });

  it('a hostile run id is only a parameter', () => {
    expectOnlyBound(duplicatesQuery(HOSTILE), HOSTILE);
    expectOnlyBound(orderQuery(HOSTILE), HOSTILE);
  });
});
