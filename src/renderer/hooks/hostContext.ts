// Hands the host (api + connection) to every component without threading it through props.
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { TwinfoldApi } from '../../common/contract.js';
import type { Host } from '../host.js';

export const HostContext = createContext<Host | undefined>(undefined);

export function useHost(): Host {
  const host = useContext(HostContext);
  if (!host) throw new Error('HostContext is missing: render the UI inside <HostContext.Provider>');
  return host;
}

export function useApi(): TwinfoldApi {
  return useHost().api;
}
