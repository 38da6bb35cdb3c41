/** React access to the store and the engine client. Components select narrow slices with useTessera. */
import { createContext, useContext, type ReactNode } from 'react';
import { useStore } from 'zustand';
import type { EngineClient } from '../api/engine-client.js';
import type { TesseraState, TesseraStore } from './store.js';

interface AppContext {
  store: TesseraStore;
  client: EngineClient;
}

const Context = createContext<AppContext | null>(null);

export function TesseraProvider(props: { store: TesseraStore; client: EngineClient; children: ReactNode }): ReactNode {
  return <Context.Provider value={{ store: props.store, client: props.client }}>{props.children}</Context.Provider>;
}

function useAppContext(): AppContext {
  const c = useContext(Context);
  if (!c) throw new Error('TesseraProvider is missing');
  return c;
}

export function useTessera<T>(selector: (state: TesseraState) => T): T {
  return useStore(useAppContext().store, selector);
}

export function useStoreApi(): TesseraStore {
  return useAppContext().store;
}

export function useEngine(): EngineClient {
  return useAppContext().client;
}
