// The EventSource's hand-written .d.ts compiles under tsc --strict against a usage sample.
import { test } from 'node:test';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

test('EventSource type declarations compile under tsc --strict', () => {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  execFileSync(process.execPath, [`${root}node_modules/typescript/bin/tsc`, '--noEmit', '--strict', '--module', 'nodenext',
    '--moduleResolution', 'nodenext', '--target', 'es2022', '--skipLibCheck', 'false', `${root}tests/js/types/event-source-types.ts`],
  { stdio: 'pipe' });
});
