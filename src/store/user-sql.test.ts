import { describe, expect, it } from 'vitest';
import { splitStatements } from './user-sql.js';

describe('splitStatements', () => {
  it('splits at top-level semicolons and drops empty statements', () => {
    expect(splitStatements('SELECT 1; SELECT 2;\n\n;  ')).toEqual(['SELECT 1', 'SELECT 2']);
    expect(splitStatements('SELECT 1')).toEqual(['SELECT 1']);
    expect(splitStatements('  ;; ')).toEqual([]);
  });

  it('keeps semicolons inside strings, quoted identifiers, heredocs and comments', () => {
    const script = ["SELECT 'a;b', 'it''s;', 'back\\';slash' AS `x;y`, \"c;d\" FROM t -- trailing; comment", 'WHERE x = $$;$$ /* block; comment */;', 'SELECT 2'].join(
      '\n',
    );
    expect(splitStatements(script)).toEqual([
      "SELECT 'a;b', 'it''s;', 'back\\';slash' AS `x;y`, \"c;d\" FROM t -- trailing; comment\nWHERE x = $$;$$ /* block; comment */",
      'SELECT 2',
    ]);
  });

  it('drops statements that hold only comments', () => {
    expect(splitStatements('-- header\nSELECT 1; -- done\n/* bye */')).toEqual(['-- header\nSELECT 1']);
  });

  it('keeps an unterminated string as the rest of the text (the engine reports it)', () => {
    expect(splitStatements("SELECT 'open; SELECT 2")).toEqual(["SELECT 'open; SELECT 2"]);
  });
});
