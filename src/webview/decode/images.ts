/** Pixels onto canvases: decoded images (floats in [0, 1]) and original images (bytes), grey or RGB. */

export function clearCanvas(cv: HTMLCanvasElement, name: string): void {
  cv.getContext('2d')?.clearRect(0, 0, cv.width, cv.height);
  cv.setAttribute('aria-label', name);
}

/** Draw an H × W × C image of floats in [0, 1] and name it. */
export function drawFloatImage(cv: HTMLCanvasElement, px: Float32Array, h: number, w: number, c: number, name: string): void {
  if (cv.width !== w || cv.height !== h) { cv.width = w; cv.height = h; }
  const ctx = cv.getContext('2d')!;
  const im = ctx.createImageData(w, h);
  const d = im.data;
  for (let p = 0; p < h * w; p++) {
    const r = px[p * c], g = c === 3 ? px[p * c + 1] : r, b = c === 3 ? px[p * c + 2] : r;
    d[4 * p] = r * 255; d[4 * p + 1] = g * 255; d[4 * p + 2] = b * 255; d[4 * p + 3] = 255;
  }
  ctx.putImageData(im, 0, 0);
  cv.setAttribute('aria-label', name);
}

/** Draw image `i` of a byte array of H × W × C images and name it. */
export function drawByteImage(cv: HTMLCanvasElement, src: Uint8Array, i: number, h: number, w: number, c: number, name: string): void {
  if (cv.width !== w || cv.height !== h) { cv.width = w; cv.height = h; }
  const ctx = cv.getContext('2d')!;
  const out = ctx.createImageData(w, h);
  const off = i * h * w * c, d = out.data;
  for (let p = 0; p < h * w; p++) {
    const r = src[off + p * c], g = c === 3 ? src[off + p * c + 1] : r, b = c === 3 ? src[off + p * c + 2] : r;
    d[4 * p] = r; d[4 * p + 1] = g; d[4 * p + 2] = b; d[4 * p + 3] = 255;
  }
  ctx.putImageData(out, 0, 0);
  cv.setAttribute('aria-label', name);
}
