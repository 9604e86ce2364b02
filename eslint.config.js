// ESLint: typescript-eslint's recommended rules, no import cycles, and the floors of src/
// (docs/architecture.md, "Floors"): a folder imports only from the floors below it.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { defineConfig } from 'eslint/config';
import { importX, createNodeResolver } from 'eslint-plugin-import-x';

// Globals of Node for the plain .js/.mjs files (TypeScript checks its own).
const NODE_GLOBALS = Object.fromEntries(
  [
    'process',
    'console',
    'Buffer',
    'URL',
    'URLSearchParams',
    'setTimeout',
    'clearTimeout',
    'setInterval',
    'clearInterval',
    'setImmediate',
    'queueMicrotask',
    'performance',
    'fetch',
    'AbortController',
    'TextEncoder',
    'TextDecoder',
    'structuredClone',
  ].map((g) => [g, 'readonly']),
);

// The database engines: only src/store talks to them.
const ENGINES = ['@clickhouse/client', '@clickhouse/client-common', 'chdb'];
const NO_ENGINE = ENGINES.map((name) => ({ name, message: 'Only src/store talks to the database engine: go through the Store interface.' }));
// The feature folders sit side by side: none imports another (they meet in src/commands).
const FEATURES = ['tail', 'replay', 'stripe', 'generate', 'sink'];
// Jobs take one run from input to stored report across floors (load, compute, attach, save); commands call them.
// bill prices a stored run under billable metrics and holds it against Stripe: above stripe/ and report/.
const ALL = ['store', 'ingest', 'profile', 'fit', 'advice', 'report', ...FEATURES, 'bill', 'jobs', 'commands'];

/**
 * What each folder under src/ must not import, as folder names. `types` lists folders it may take
 * types from but no values (the report renders the models of the features above it).
 */
const FLOORS = {
  util: { not: ALL },
  store: { not: ALL.filter((f) => f !== 'store') },
  ingest: { not: ['profile', 'fit', 'advice', 'report', ...FEATURES, 'bill', 'jobs', 'commands'] },
  // The profile model declares the `stripe` section the stripe feature fills: types only.
  profile: { not: ['ingest', 'report', ...FEATURES.filter((f) => f !== 'stripe'), 'bill', 'jobs', 'commands'], types: ['stripe'] },
  fit: { not: ['ingest', 'advice', 'report', ...FEATURES, 'bill', 'jobs', 'commands'] },
  // The advice plans group keys and drafts from the profile's figures (and the Stripe meters' types).
  advice: { not: ['ingest', 'report', ...FEATURES.filter((f) => f !== 'stripe'), 'bill', 'jobs', 'commands'], types: ['stripe'] },
  report: { not: ['store', 'ingest', 'generate', 'sink', 'jobs', 'commands'], types: ['tail', 'replay', 'stripe', 'bill'] },
  ...Object.fromEntries(FEATURES.map((f) => [f, { not: [...FEATURES.filter((g) => g !== f), 'bill', 'jobs', 'commands'] }])),
  // The sink answers Stripe's read API with the meters it was given: their type only.
  sink: { not: [...FEATURES.filter((g) => g !== 'sink' && g !== 'stripe'), 'bill', 'jobs', 'commands'], types: ['stripe'] },
  bill: { not: ['tail', 'replay', 'generate', 'sink', 'jobs', 'commands'] },
  jobs: { not: ['commands'] },
  commands: { not: [] },
};

const folderPattern = (folder) => [`**/${folder}/*`, `**/${folder}/**/*`];

function floorRule(folder, { not, types = [] }) {
  const patterns = [
    ...not.map((f) => ({ group: folderPattern(f), message: `src/${folder} must not import from src/${f} (docs/architecture.md, "Floors").` })),
    ...types.map((f) => ({
      group: folderPattern(f),
      allowTypeImports: true,
      message: `src/${folder} may take only types from src/${f} (docs/architecture.md, "Floors").`,
    })),
  ];
  const paths = folder === 'store' ? [] : NO_ENGINE;
  return {
    files: [`src/${folder}/**/*.ts`],
    rules: { '@typescript-eslint/no-restricted-imports': ['error', { paths, patterns }] },
  };
}

// Commands parse flags and wire modules together; the SQL lives below them (a pragmatic check:
// string or template literals that start with a statement keyword).
const SQL_START = '/^\\s*(SELECT|INSERT|DELETE|CREATE|ALTER|DROP|TRUNCATE|OPTIMIZE|WITH)\\s/';
const noSqlInCommands = {
  files: ['src/commands/**/*.ts', 'src/cli.ts'],
  rules: {
    'no-restricted-syntax': [
      'error',
      { selector: `Literal[value=${SQL_START}]`, message: 'No SQL in src/commands: put the query in the module that owns the table.' },
      { selector: `TemplateElement[value.raw=${SQL_START}]`, message: 'No SQL in src/commands: put the query in the module that owns the table.' },
    ],
  },
};

export default defineConfig(
  { ignores: ['dist/', 'node_modules/', 'coverage/', 'bench/data/', 'bench/.cache/', 'test/.tmp/', 'examples/', '.meterscope/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2022, sourceType: 'module', globals: NODE_GLOBALS },
    plugins: { 'import-x': importX },
    settings: {
      'import-x/extensions': ['.ts', '.js', '.mjs'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      // NodeNext: `./x.js` in a .ts file means ./x.ts.
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.js', '.mjs', '.json'], extensionAlias: { '.js': ['.ts', '.js'] } })],
    },
    rules: {
      'import-x/no-cycle': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  // Tests read parsed JSON freely.
  { files: ['test/**/*.ts', 'test-cluster/**/*.ts', 'src/**/*.test.ts'], rules: { '@typescript-eslint/no-explicit-any': 'off' } },
  // src/cli.ts and src/errors.ts; each folder's block below replaces this one.
  { files: ['src/**/*.ts'], rules: { '@typescript-eslint/no-restricted-imports': ['error', { paths: NO_ENGINE }] } },
  ...Object.entries(FLOORS).map(([folder, floor]) => floorRule(folder, floor)),
  noSqlInCommands,
  // One job per module, readable functions: a file past 400 lines or a function past 80 wants splitting.
  {
    files: ['src/**/*.ts'],
    ignores: ['src/**/*.test.ts'],
    rules: {
      'max-lines': ['error', { max: 400 }],
      'max-lines-per-function': ['error', { max: 80, skipBlankLines: true, skipComments: true }],
    },
  },
);
