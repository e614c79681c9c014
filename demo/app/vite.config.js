// Vite config of the "Strategist live" demo. The app imports 'lifeline-sse' and 'lifeline-sse/react',
// aliased to this repository's js/ so the demo always runs the working tree's code.
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('../..', import.meta.url));

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  plugins: [react()],
  resolve: {
    alias: [
      { find: /^lifeline-sse\/react\/lifeline\.css$/, replacement: `${repo}js/react/lifeline.css` },
      { find: /^lifeline-sse\/react$/, replacement: `${repo}js/react/index.js` },
      { find: /^lifeline-sse$/, replacement: `${repo}js/index.js` },
    ],
    dedupe: ['react', 'react-dom'],
  },
  // Pre-bundle React up front so the first page load never triggers a dependency re-optimisation
  // (and the reload that comes with it) in the middle of a session or a test.
  optimizeDeps: { include: ['react', 'react-dom', 'react-dom/client', 'react/jsx-dev-runtime', 'react/jsx-runtime'] },
  cacheDir: `${repo}node_modules/.vite-demo`,
  server: { host: '127.0.0.1', strictPort: false, fs: { allow: [repo] } },
  clearScreen: false,
  logLevel: 'warn',
});
