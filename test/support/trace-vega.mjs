// Preloaded with `node --import`: registers a resolve hook that says on stderr when the `vega` or
// `vega-lite` package is imported (the report tests check that only HTML output loads them).
import { register } from 'node:module';

register(new URL('./trace-vega-hooks.mjs', import.meta.url));
