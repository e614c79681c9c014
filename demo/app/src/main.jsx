import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import 'lifeline-sse/react/lifeline.css';
import './styles.css';
import { App } from './App.jsx';

const root = createRoot(document.getElementById('root'));

// The launcher (demo/start.js) serves the servers' URLs; without it there is nothing to talk to.
fetch('/demo-config.json')
  .then((r) => (r.ok ? r.json() : Promise.reject(new Error(`HTTP ${r.status}`))))
  .then((config) => root.render(<StrictMode><App config={config} /></StrictMode>))
  .catch((err) => root.render(
    <main className="boot-error">
      <h1>Strategist live</h1>
      <p>Could not read the demo configuration ({err.message}). Start the demo with <code>npm run demo</code>.</p>
    </main>,
  ));
