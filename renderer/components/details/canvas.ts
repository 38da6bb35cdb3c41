/**
 * Canvas plumbing shared by the piece map and the speed graph: device-pixel sizing that follows the
 * element's box (ResizeObserver) and the screen's pixel ratio, redraws coalesced into one animation
 * frame, and theme colours read from CSS custom properties, re-read when the theme changes.
 */
import { useCallback, useEffect, useRef, type RefObject } from 'react';

export type Rgba = readonly [number, number, number, number];

let probe: CanvasRenderingContext2D | null = null;

/** Any CSS colour as RGBA bytes, resolved by the browser itself (hex, rgb(), hsl(), names, color-mix()). */
export function parseCssColor(value: string, fallback: Rgba = [128, 128, 128, 255]): Rgba {
  if (value.trim() === '') return fallback;
  if (!probe) {
    const c = document.createElement('canvas');
    c.width = 1;
    c.height = 1;
    probe = c.getContext('2d', { willReadFrequently: true });
  }
  if (!probe) return fallback;
  probe.clearRect(0, 0, 1, 1);
  probe.fillStyle = '#000';
  probe.fillStyle = value;
  probe.fillRect(0, 0, 1, 1);
  const d = probe.getImageData(0, 0, 1, 1).data;
  return [d[0], d[1], d[2], d[3]];
}

/** The value of a custom property as the element sees it. */
export function cssVar(el: Element, name: string): string {
  return getComputedStyle(el).getPropertyValue(name).trim();
}

export function cssColor(el: Element, name: string, fallback?: Rgba): Rgba {
  return parseCssColor(cssVar(el, name), fallback);
}

export function rgbaString(c: Rgba): string {
  return `rgb(${c[0]} ${c[1]} ${c[2]} / ${(c[3] / 255).toFixed(3)})`;
}

/** Calls `onChange` when the theme may have changed: data-theme/class on <html>, or the OS scheme. */
export function watchTheme(onChange: () => void): () => void {
  const observer = new MutationObserver(onChange);
  observer.observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme', 'class', 'style'] });
  const media = window.matchMedia('(prefers-color-scheme: dark)');
  media.addEventListener('change', onChange);
  return () => {
    observer.disconnect();
    media.removeEventListener('change', onChange);
  };
}

export interface CanvasFrame {
  canvas: HTMLCanvasElement;
  /** Device pixels. */
  width: number;
  height: number;
  dpr: number;
  /** True when the size or theme changed since the last draw (colours and layouts must be rebuilt). */
  invalidated: boolean;
}

/**
 * Keeps the canvas's backing store at its CSS size × devicePixelRatio and calls `draw` at most once
 * per animation frame after `requestDraw()`, a resize, a pixel-ratio change or a theme change.
 */
export function useCanvas(ref: RefObject<HTMLCanvasElement | null>, draw: (frame: CanvasFrame) => void): () => void {
  const drawRef = useRef(draw);
  drawRef.current = draw;
  const frame = useRef(0);
  const invalid = useRef(true);

  const requestDraw = useCallback((): void => {
    if (frame.current !== 0) return;
    frame.current = requestAnimationFrame(() => {
      frame.current = 0;
      const canvas = ref.current;
      if (!canvas) return;
      const dpr = window.devicePixelRatio || 1;
      const width = Math.max(0, Math.round(canvas.clientWidth * dpr));
      const height = Math.max(0, Math.round(canvas.clientHeight * dpr));
      if (canvas.width !== width || canvas.height !== height) {
        canvas.width = width;
        canvas.height = height;
        invalid.current = true;
      }
      const invalidated = invalid.current;
      invalid.current = false;
      drawRef.current({ canvas, width, height, dpr, invalidated });
    });
  }, [ref]);

  useEffect(() => {
    const canvas = ref.current;
    if (!canvas) return;
    const invalidate = (): void => {
      invalid.current = true;
      requestDraw();
    };
    const resize = new ResizeObserver(invalidate);
    resize.observe(canvas);
    const offTheme = watchTheme(invalidate);
    let dprQuery: MediaQueryList | null = null;
    const watchDpr = (): void => {
      dprQuery?.removeEventListener('change', onDpr);
      dprQuery = window.matchMedia(`(resolution: ${window.devicePixelRatio || 1}dppx)`);
      dprQuery.addEventListener('change', onDpr);
    };
    const onDpr = (): void => {
      watchDpr();
      invalidate();
    };
    watchDpr();
    invalidate();
    return () => {
      resize.disconnect();
      offTheme();
      dprQuery?.removeEventListener('change', onDpr);
      if (frame.current !== 0) cancelAnimationFrame(frame.current);
      frame.current = 0;
    };
  }, [ref, requestDraw]);

  return requestDraw;
}
