// The sandboxed preload of the settings window: exposes `window.twinfold` and nothing else. The
// renderer never sees ipcRenderer, only the facade's call/on over the two Twinfold channels.
import { contextBridge, ipcRenderer } from 'electron';
import { CALL_CHANNEL, EVENT_CHANNEL } from '../common/ipcNames.js';
import { createFacade } from './facade.js';

const api = createFacade({
  invoke: (name, args) => ipcRenderer.invoke(CALL_CHANNEL, name, args),
  subscribe: (listener) => {
    ipcRenderer.on(EVENT_CHANNEL, (_event, name: unknown, payload: unknown) => listener(name, payload));
  },
});

// Only plain functions cross the bridge; the facade object itself stays in the isolated world.
contextBridge.exposeInMainWorld('twinfold', {
  call: (name: Parameters<typeof api.call>[0], args: Parameters<typeof api.call>[1]) => api.call(name, args),
  on: (name: Parameters<typeof api.on>[0], listener: Parameters<typeof api.on>[1]) => api.on(name, listener),
});
