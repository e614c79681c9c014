// docs/router.md's "Streamed calls: measured" section is the committed result file's
// (bench/results/router-stream.json, `bash scripts/bench.sh router-stream`), as generated.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

test('docs/router.md quotes bench/results/router-stream.json (node bench/router-stream-doc.js --check)', () => {
  const script = fileURLToPath(new URL('../../bench/router-stream-doc.js', import.meta.url));
  const r = spawnSync(process.execPath, [script, '--check'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
});
