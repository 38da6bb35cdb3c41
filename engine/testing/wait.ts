/** Polls `cond` until it holds; rejects after `timeoutMs` with `describe()` in the message, or at once if `failed()` says why. */
export function waitUntil(
  cond: () => boolean,
  timeoutMs: number,
  describe: () => string,
  failed: () => string | null = () => null,
  intervalMs = 20,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const timer = setInterval(() => {
      const failure = failed();
      if (cond()) {
        clearInterval(timer);
        resolve();
      } else if (failure !== null) {
        clearInterval(timer);
        reject(new Error(failure));
      } else if (Date.now() - started > timeoutMs) {
        clearInterval(timer);
        reject(new Error(`timed out after ${timeoutMs} ms: ${describe()}`));
      }
    }, intervalMs);
  });
}

/** Deterministic pseudo-random bytes for in-memory test data (an LCG: fast, not for anything but tests). */
export function patternBytes(length: number, seed: number): Buffer {
  const b = Buffer.alloc(length);
  let x = (seed * 2654435761) >>> 0;
  for (let i = 0; i < length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    b[i] = x >>> 24;
  }
  return b;
}
