// Entry point of the window UI: connect to the host (Electron preload or the web server) and render.
import { render } from 'preact';
import { connectToHost } from './api.js';
import { App } from './components/App.js';
import { HostContext } from './hooks/hostContext.js';

const root = document.getElementById('app');
if (!root) throw new Error('index.html has no #app element');
render(
  <HostContext.Provider value={connectToHost()}>
    <App />
  </HostContext.Provider>,
  root,
);
