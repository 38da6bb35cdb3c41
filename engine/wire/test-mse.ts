/** Drives an MSE initiator and responder against each other in memory (tests and fuzzing). */
import { MseInitiator, MseResponder, type MseResult, type MseStep } from './mse.js';
import { req2Hash } from './mse-crypto.js';

/** Splits bytes into chunks; `cut` gives each chunk's length from a counter. */
export function chunked(bytes: Uint8Array, cut: (n: number) => number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let at = 0, n = 0; at < bytes.length; n++) {
    const len = Math.max(1, cut(n));
    out.push(bytes.subarray(at, at + len));
    at += len;
  }
  return out;
}

/** A responder lookup over a list of info hashes. */
export function lookup(infoHashes: readonly Uint8Array[]): (req2: Uint8Array) => Uint8Array | null {
  const byReq2 = new Map(infoHashes.map((h) => [Buffer.from(req2Hash(h)).toString('hex'), h] as const));
  return (req2) => byReq2.get(Buffer.from(req2).toString('hex')) ?? null;
}

export interface Exchange {
  readonly a: MseResult;
  readonly b: MseResult;
}

/** Runs both handshakes to the end, delivering every message in chunks as `cut` says. */
export function exchange(initiator: MseInitiator, responder: MseResponder, cut: (n: number) => number): Exchange {
  let a: MseResult | null = null;
  let b: MseResult | null = null;
  const toB: Uint8Array[] = [initiator.start()];
  const toA: Uint8Array[] = [];
  const take = (step: MseStep, queue: Uint8Array[]): MseResult | null => {
    if (step.send) queue.push(step.send);
    return step.done;
  };
  for (let rounds = 0; (a === null || b === null) && rounds < 100; rounds++) {
    for (const msg of toB.splice(0)) for (const c of chunked(msg, cut)) if (b === null) b = take(responder.receive(c), toA);
    for (const msg of toA.splice(0)) for (const c of chunked(msg, cut)) if (a === null) a = take(initiator.receive(c), toB);
  }
  if (a === null || b === null) throw new Error('the handshake did not finish');
  return { a, b };
}
