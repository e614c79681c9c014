// The published package's metadata: its name on the registry (`lifeline` is someone else's), the
// fields the registry page links from, a prepack that builds what the tarball ships, and README
// links that resolve there (npm resolves relative links against `repository`, so each must name a
// file of this repository).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

const root = new URL('../../', import.meta.url);
const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8'));
const readme = readFileSync(new URL('README.md', root), 'utf8');

test('the package is lifeline-sse, with its subpaths under that name', () => {
  assert.equal(pkg.name, 'lifeline-sse');
  assert.deepEqual(Object.keys(pkg.exports).filter((k) => k !== './package.json').sort(), ['.', './react', './react/lifeline.css', './server']);
  const lock = JSON.parse(readFileSync(new URL('package-lock.json', root), 'utf8'));
  assert.equal(lock.name, 'lifeline-sse');
  assert.equal(lock.packages[''].name, 'lifeline-sse');
});

test('no import of the old package name is left in code, docs or demo', () => {
  const files = execFileSync('git', ['ls-files', '*.js', '*.jsx', '*.ts', '*.tsx', '*.md', '*.html'], { cwd: root, encoding: 'utf8' }).split('\n').filter(Boolean);
  const old = /(from\s+|import\(\s*|require\(\s*)['"]lifeline(\/[^'"]*)?['"]/;
  const hits = files.filter((f) => existsSync(new URL(f, root)) && old.test(readFileSync(new URL(f, root), 'utf8')));
  assert.deepEqual(hits, []);
});

test('repository, homepage and bugs point at one repository', () => {
  const repo = pkg.repository?.url?.replace(/^git\+/, '').replace(/\.git$/, '');
  assert.match(repo ?? '', /^https:\/\/github\.com\/[\w.-]+\/[\w.-]+$/);
  assert.equal(pkg.homepage, `${repo}#readme`);
  assert.equal(pkg.bugs?.url, `${repo}/issues`);
});

test('npm pack builds dist/ first: prepack runs the Wasm build, and files ships dist/', () => {
  assert.match(pkg.scripts.prepack ?? '', /scripts\/build\.sh wasm/);
  assert.ok(pkg.files.includes('dist/'));
  const ignored = readFileSync(new URL('.gitignore', root), 'utf8');
  assert.match(ignored, /^\/?dist\/?$/m, 'dist/ is built, never committed: prepack is what fills it');
});

test('every relative link in README names a file of the repository', () => {
  const links = [...readme.matchAll(/\]\(([^)\s#]+)(#[^)]*)?\)/g)].map((m) => m[1]).filter((l) => !/^[a-z]+:/.test(l));
  assert.ok(links.length > 5);
  const tracked = new Set(execFileSync('git', ['ls-files'], { cwd: root, encoding: 'utf8' }).split('\n'));
  assert.deepEqual(links.filter((l) => !tracked.has(l.replace(/^\.\//, '').replace(/\/$/, '')) && !existsSync(new URL(l, root))), []);
});
