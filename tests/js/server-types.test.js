// lifeline-sse/server's hand-written declarations (server/index.d.ts) compile under tsc --strict
// against a usage sample; an @ts-expect-error line makes an unchecked sample fail too (TS2578).
import { test } from 'node:test';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

test('server type declarations compile under tsc --strict', () => {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  execFileSync(process.execPath, [`${root}node_modules/typescript/bin/tsc`, '--noEmit', '--strict', '--module', 'nodenext',
    '--moduleResolution', 'nodenext', '--target', 'es2022', '--skipLibCheck', 'false', '--types', 'node',
    `${root}tests/js/types/server-types.ts`], { stdio: 'pipe' });
});
