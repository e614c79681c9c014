// Runs inside Chromium for bench/parser.bench.js: the workloads and contenders of
// bench/pages/parser-bench.js, with the parsers imported by URL.
import { init, createParser } from '/js/index.js';
import { getCore } from '/js/wasm.js';
import { createParser as createEsParser } from '/node_modules/eventsource-parser/dist/index.js';
import { getLines, getMessages } from '/node_modules/@microsoft/fetch-event-source/lib/esm/parse.js';
import { bind } from './parser-bench.js';

export { prepare, run, contenderNames } from './parser-bench.js';

bind({ createParser, createEsParser, getLines, getMessages, getCore });

export async function setup() {
  await init();
}
