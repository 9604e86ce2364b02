/** Formatting helpers: they live in src/util/format.ts (the advice texts use them too). */
export * from '../util/format.js';
