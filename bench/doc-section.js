// A generated section of a doc page, between its BEGIN and END marker lines, from a result file
// (bench/share-doc.js, bench/router-stream-doc.js):
//   node bench/<name>-doc.js          rewrite the section
//   node bench/<name>-doc.js --check  exit 1 when the page differs from the result file
import { readFileSync, writeFileSync } from 'node:fs';

const ROOT = new URL('../', import.meta.url);

/**
 * doc, result: paths from the repository root; section(result) returns the whole section, its
 * BEGIN and END lines included (a page without them gets the section at its end).
 */
export function writeSection({ doc, result, begin, end, section, script }) {
  const res = JSON.parse(readFileSync(new URL(result, ROOT), 'utf8'));
  const page = readFileSync(new URL(doc, ROOT), 'utf8');
  const i = page.indexOf(begin);
  const j = page.indexOf(end);
  const next = i >= 0 && j > i ? page.slice(0, i) + section(res) + page.slice(j + end.length) : `${page.trimEnd()}\n\n${section(res)}\n`;
  if (!process.argv.includes('--check')) {
    writeFileSync(new URL(doc, ROOT), next);
  } else if (next !== page) {
    console.error(`${doc} differs from ${result}: run node ${script}`);
    process.exit(1);
  }
}
