// docs/sharing.md's "## Measured" section is the committed result file's
// (bench/results/share.json, `bash scripts/bench.sh share`), as generated.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

test('docs/sharing.md quotes bench/results/share.json (node bench/share-doc.js --check)', () => {
  const script = fileURLToPath(new URL('../../bench/share-doc.js', import.meta.url));
  const r = spawnSync(process.execPath, [script, '--check'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
});
