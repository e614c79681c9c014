// Hook and component tests for lifeline-sse/react: jsdom, plain JS with createElement. Every test
// runs twice, as two projects: 'react-19' (the repository's react, react-dom) and 'react-18'
// (tests/react-18's own node_modules; `--project react-18` runs one). scripts/test.sh runs and
// counts each.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const react18 = fileURLToPath(new URL('../react-18/node_modules/', import.meta.url));
// Its ESM build: Vite transforms it (inlined), so its imports of react-dom take the alias below.
const testingLibraryEsm = fileURLToPath(new URL('../../node_modules/@testing-library/react/dist/@testing-library/react.esm.js', import.meta.url));

// Vitest 5's reporter calls Map.groupBy (Node >= 21) when it prints failures; the machine runs
// Node 20, where a failing test would otherwise crash the reporter instead of being reported.
if (typeof Map.groupBy !== 'function') {
  Map.groupBy = (items, keyOf) => {
    const out = new Map();
    let i = 0;
    for (const item of items) {
      const key = keyOf(item, i++);
      if (!out.has(key)) out.set(key, []);
      out.get(key).push(item);
    }
    return out;
  };
}

export default defineConfig({
  test: {
    environment: 'jsdom',
    include: ['**/*.test.js'],
    restoreMocks: true,
    testTimeout: 10_000,
    projects: [
      { extends: true, test: { name: 'react-19', provide: { reactMajor: '19' } } },
      {
        extends: true,
        // 'react', 'react-dom' and their subpaths ('react-dom/client', '/server', '/test-utils')
        // from tests/react-18. The bindings and the tests are transformed by Vite, so the alias
        // reaches them; @testing-library/react is inlined so its own imports take it too (its
        // top-level copy would load React 19). react-dom 18, loaded by Node from tests/react-18,
        // finds React 18 next to it.
        resolve: {
          alias: [
            { find: /^react(\/.*)?$/, replacement: `${react18}react$1` },
            { find: /^react-dom(\/.*)?$/, replacement: `${react18}react-dom$1` },
            { find: /^@testing-library\/react$/, replacement: testingLibraryEsm },
          ],
        },
        test: { name: 'react-18', provide: { reactMajor: '18' }, server: { deps: { inline: [/@testing-library\/react\//] } } },
      },
    ],
  },
});
