export * from './wasm.js';
export * from './errors.js';
export * from './parser.js';
