// The reading side of `npm run bench stream`: HTTP Range reads timed the same way whichever client serves them,
// and a reader that plays at a fixed rate and counts the stalls a player would have.
import { request } from 'node:http';

/** Seconds until `length` bytes from `start` have arrived (or throws after `timeoutMs`). */
export function timeRange(url: string, start: number, length: number, timeoutMs: number): Promise<number> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    let got = 0;
    const req = request(url, { headers: { Range: `bytes=${start}-${start + length - 1}` } }, (res) => {
      if (res.statusCode !== 206 && res.statusCode !== 200) {
        res.resume();
        return reject(new Error(`${url}: HTTP ${res.statusCode} for bytes ${start}-`));
      }
      res.on('data', (chunk: Buffer) => {
        got += chunk.length;
        if (got >= length) {
          clearTimeout(timer);
          resolve((performance.now() - t0) / 1000);
          req.destroy();
        }
      });
      res.on('end', () => got < length && reject(new Error(`${url}: the response ended after ${got} of ${length} bytes`)));
    });
    const timer = setTimeout(() => {
      req.destroy();
      reject(new Error(`${url}: ${got} of ${length} bytes from ${start} after ${timeoutMs} ms`));
    }, timeoutMs);
    req.on('error', (e) => {
      clearTimeout(timer);
      if (got < length) reject(e);
    });
    req.end();
  });
}

export interface PlaybackResult {
  /** Seconds from the request until the start-up buffer had arrived and playback began. */
  startupSeconds: number;
  stalls: number;
  stalledSeconds: number;
}

export interface PlaybackOptions {
  /** Bytes per second the "player" consumes. */
  rate: number;
  /** Seconds of playback (wall clock from its start, stalls included). */
  seconds: number;
  /** Bytes buffered before playback starts, and again before it resumes after a stall. */
  startBuffer: number;
  resumeBuffer: number;
  /** The reader stops reading (TCP back-pressure) with this much ahead of the play position, as a player's buffer would. */
  maxAhead: number;
  timeoutMs: number;
}

/**
 * Plays the stream from byte 0 at `rate`: a stall starts when the play position catches up with the bytes
 * received and ends when `resumeBuffer` bytes are ahead again. Ticks every 20 ms.
 */
export function playAtRate(url: string, o: PlaybackOptions): Promise<PlaybackResult> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    let received = 0;
    let played = 0;
    let playing = false;
    let playStart = -1;
    let stallStart = 0;
    let stalls = 0;
    let stalledMs = 0;
    let last = t0;
    let paused = false;
    let res: import('node:http').IncomingMessage | null = null;
    const finish = (err: Error | null): void => {
      clearInterval(tick);
      clearTimeout(timer);
      req.destroy();
      if (err) return reject(err);
      const now = performance.now();
      if (!playing) stalledMs += now - stallStart;
      resolve({ startupSeconds: (playStart - t0) / 1000, stalls, stalledSeconds: stalledMs / 1000 });
    };
    const req = request(url, { headers: { Range: 'bytes=0-' } }, (r) => {
      res = r;
      if (r.statusCode !== 206 && r.statusCode !== 200) return finish(new Error(`${url}: HTTP ${r.statusCode}`));
      r.on('data', (chunk: Buffer) => {
        received += chunk.length;
        if (received - played > o.maxAhead && !paused) {
          paused = true;
          r.pause();
        }
      });
      r.on('end', () => undefined);
    });
    req.on('error', (e) => finish(e));
    req.end();
    const tick = setInterval(() => {
      const now = performance.now();
      if (playStart < 0) {
        if (received >= o.startBuffer) {
          playStart = now;
          playing = true;
        }
      } else if (playing) {
        const want = played + (o.rate * (now - last)) / 1000;
        if (want > received) {
          played = received;
          playing = false;
          stalls++;
          stallStart = now;
        } else played = want;
      } else if (received - played >= o.resumeBuffer) {
        playing = true;
        stalledMs += now - stallStart;
      }
      last = now;
      if (paused && res && received - played < o.maxAhead / 2) {
        paused = false;
        res.resume();
      }
      if (playStart >= 0 && now - playStart >= o.seconds * 1000) finish(null);
    }, 20);
    const timer = setTimeout(() => finish(new Error(`${url}: playback did not last ${o.seconds} s within ${o.timeoutMs} ms (received ${received} bytes)`)), o.timeoutMs);
  });
}
