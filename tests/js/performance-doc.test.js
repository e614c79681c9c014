// docs/PERFORMANCE.md's generated tables are what bench/performance-doc.js makes from the
// committed result files (bench/results/size.json with the run before it, parser-build.json).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { BEGIN, END, PAGE, AFTER, BEFORE, generated, readResult, replaceSection } from '../../bench/performance-doc.js';

test('docs/PERFORMANCE.md equals what bench/performance-doc.js generates (run node bench/performance-doc.js)', () => {
  const text = readFileSync(PAGE, 'utf8');
  assert.equal(replaceSection(text, generated()), text);
});

test('the generated part names its result files and commands, and has the budget rows and the peers', () => {
  for (const path of [...Object.values(AFTER), ...Object.values(BEFORE)]) assert.ok(readResult(path), `${path} is committed`);
  const part = generated();
  assert.match(part, /bench\/results\/size\.json.*`bash scripts\/bench\.sh size`/);
  assert.match(part, /bench\/results\/parser-build\.json.*`bash scripts\/bench\.sh parser-build`/);
  assert.match(part, /\| SSE-only app: .* \| 20\.0 KB: (met|\*\*not met\*\*) \|/);
  assert.match(part, /\| whole package .* \| 40\.0 KB: (met|\*\*not met\*\*) \|/);
  for (const peer of ['eventsource-parser', '@microsoft/fetch-event-source', 'eventsource']) assert.match(part, new RegExp(`\\| ${peer} \\|`));
  assert.throws(() => replaceSection('no markers', part), new RegExp(`${BEGIN}.*${END}`));
});
