// Hook and component tests for lifeline-sse/react: jsdom, plain JS with createElement.
import { defineConfig } from 'vitest/config';

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
  },
});
