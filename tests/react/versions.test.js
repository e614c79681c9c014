// Which React each project runs on: the whole suite runs under React 19 and under React 18
// (vitest.config.js), and a project that silently loaded the other copy would test nothing new.
import { describe, it, expect, inject } from 'vitest';
import { createElement as h, version, useId } from 'react';
import { version as domVersion } from 'react-dom';
import { renderToString, version as serverVersion } from 'react-dom/server';
import { render, cleanup } from '@testing-library/react';

describe('React version of this project', () => {
  it('react, react-dom, react-dom/server and the renderer of @testing-library/react are all the project\'s React', () => {
    const major = inject('reactMajor');
    expect(version.split('.')[0]).toBe(major);
    expect(domVersion).toBe(version);
    expect(serverVersion).toBe(version);
    // useId's format differs: React 18 ':r0:', React 19 '«r0»' (19.1+) or ':r0:'; what matters is
    // that a hook from this 'react' works inside the renderer @testing-library/react loaded (two
    // copies of React would throw "Invalid hook call").
    let id = null;
    function Probe() { id = useId(); return h('p', null, 'ok'); }
    const { container } = render(h(Probe));
    expect(container.textContent).toBe('ok');
    expect(typeof id).toBe('string');
    cleanup();
    expect(renderToString(h(Probe))).toBe('<p>ok</p>');
  });
});
