// Checks the hand-written declarations of lifeline-sse/react as apps use them: real .tsx files
// (tests/types-tsx: every component in JSX, every hook, the core's own types) compiled with
// tsc --strict --jsx react-jsx, once against @types/react 19 (the repository's) and once against
// @types/react 18 (tests/react-18, mapped by tsconfig.react18.json). The files hold
// @ts-expect-error lines, so a JSX that is not checked at all fails too (TS2578).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');

// Compiles with --listFiles so the test also proves which @types/react the program used.
function compile(config) {
  const r = spawnSync(process.execPath, [tsc, '-p', `tests/types-tsx/${config}`, '--listFiles'], { cwd: root, encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, `tsc -p tests/types-tsx/${config} failed:\n${r.stdout.split('\n').filter((l) => !l.startsWith('/')).join('\n')}${r.stderr}`);
  return r.stdout.split('\n').filter((l) => l.startsWith('/'));
}

function reactTypesUsed(files) {
  const index = files.filter((f) => /\/@types\/react\/index\.d\.ts$/.test(f));
  assert.equal(index.length, 1, `one @types/react in the program: ${index.join(', ')}`);
  const dir = path.dirname(index[0]);
  return { dir, version: JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')).version };
}

for (const [major, config, dir] of [
  ['19', 'tsconfig.json', path.join(root, 'node_modules/@types/react')],
  ['18', 'tsconfig.react18.json', path.join(root, 'tests/react-18/node_modules/@types/react')],
]) {
  test(`TSX with every component and hook type-checks against @types/react ${major} (tsc --strict --jsx react-jsx)`, () => {
    const files = compile(config);
    const used = reactTypesUsed(files);
    assert.equal(used.dir, dir);
    assert.equal(used.version.split('.')[0], major);
    // The bindings' types are the core's: both declaration files are in the program.
    for (const f of ['js/react/index.d.ts', 'js/manager.d.ts', 'js/router.d.ts']) {
      assert.ok(files.includes(path.join(root, f)), `${f} compiled`);
    }
  });
}
