/**
 * Which points lie inside a lasso or a box (issue 15's selection): a polygon in map data
 * coordinates against every visible point. A bounding-box test first, then even–odd ray casting
 * on the few that pass — a lasso of 10,000 points in a 60k map takes a few milliseconds.
 */

/** Indices (ascending) of the points with colour ≠ 0 inside the closed polygon `poly` (x0, y0, x1, y1 …). */
export function pointsInPolygon(x: Float32Array, y: Float32Array, colors: Uint32Array, poly: Float32Array): Uint32Array {
  const m = poly.length >> 1;
  if (m < 3) return new Uint32Array(0);
  let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
  for (let k = 0; k < m; k++) {
    const px = poly[2 * k], py = poly[2 * k + 1];
    if (px < x0) x0 = px; if (px > x1) x1 = px; if (py < y0) y0 = py; if (py > y1) y1 = py;
  }
  const out = new Uint32Array(x.length);
  let count = 0;
  for (let i = 0; i < x.length; i++) {
    const px = x[i], py = y[i];
    if (!(px >= x0 && px <= x1 && py >= y0 && py <= y1) || colors[i] === 0) continue;
    let inside = false;
    for (let a = 0, b = m - 1; a < m; b = a++) {
      const ay = poly[2 * a + 1], by = poly[2 * b + 1];
      if ((ay > py) !== (by > py)) {
        const ax = poly[2 * a], bx = poly[2 * b];
        if (px < ((bx - ax) * (py - ay)) / (by - ay) + ax) inside = !inside;
      }
    }
    if (inside) out[count++] = i;
  }
  return out.slice(0, count);
}

/** The rectangle with corners (ax, ay) and (bx, by) as a polygon. */
export function boxPolygon(ax: number, ay: number, bx: number, by: number): Float32Array {
  return Float32Array.of(ax, ay, bx, ay, bx, by, ax, by);
}
