/**
 * Quitting in a fixed order: stop accepting work, ask the engine to flush resume data and stop (it is
 * terminated after the timeout regardless), then let the app quit. Bounded: even an engine whose
 * shutdown promise never settles cannot hold the app open beyond the timeout plus a grace period.
 */
export interface ShutdownSteps {
  stopAccepting(): void;
  /** engine/worker's EngineWorker.shutdown: flush, then terminate the worker; 'forced' after the timeout. */
  stopEngine(timeoutMs: number): Promise<'clean' | 'forced'>;
  /** Tray, windows, anything else to release before quitting. */
  cleanup(): void;
  quit(): void;
  log(line: string): void;
}

export const ENGINE_STOP_TIMEOUT_MS = 5000;
const GRACE_MS = 1000;

export function createShutdown(steps: ShutdownSteps, timeoutMs = ENGINE_STOP_TIMEOUT_MS): () => Promise<'clean' | 'forced' | 'hung'> {
  let running: Promise<'clean' | 'forced' | 'hung'> | null = null;
  return () => {
    running ??= (async () => {
      steps.stopAccepting();
      let timer: NodeJS.Timeout | undefined;
      const hung = new Promise<'hung'>((resolve) => (timer = setTimeout(() => resolve('hung'), timeoutMs + GRACE_MS)));
      const result = await Promise.race([steps.stopEngine(timeoutMs).catch(() => 'forced' as const), hung]);
      clearTimeout(timer);
      if (result !== 'clean') steps.log(`engine shutdown: ${result}`);
      try {
        steps.cleanup();
      } catch (e) {
        steps.log(`cleanup failed: ${(e as Error).message}`);
      }
      steps.quit();
      return result;
    })();
    return running;
  };
}
