/**
 * Which point is where: a d3 quadtree of the visible points in data coordinates, the point
 * under the pointer, and the k nearest points to a spot (for a click on empty space).
 */
import * as d3 from 'd3';

export interface Neighbour {
  index: number;
  /** Distance in map (data) units. */
  dist: number;
}

export class HitIndex {
  private tree: d3.Quadtree<number> | null = null;
  private x: Float32Array | null = null;
  private y: Float32Array | null = null;

  /** Index the points whose colour is not 0 (hidden) and whose position is finite. */
  rebuild(x: Float32Array | null, y: Float32Array | null, colors: Uint32Array): void {
    this.x = x;
    this.y = y;
    if (!x || !y) { this.tree = null; return; }
    const ids: number[] = [];
    for (let i = 0; i < x.length; i++) if (colors[i] !== 0 && Number.isFinite(x[i]) && Number.isFinite(y[i])) ids.push(i);
    this.tree = d3.quadtree<number>().x((i) => x[i]).y((i) => y[i]).addAll(ids);
  }

  /** The visible point within `r` data units of (dx, dy), or null. */
  find(dx: number, dy: number, r: number): number | null {
    const found = this.tree?.find(dx, dy, r);
    return found === undefined ? null : found;
  }

  /** The k nearest visible points to (dx, dy); the search starts at radius `r0` and doubles. */
  nearest(dx: number, dy: number, k: number, r0: number): Neighbour[] {
    const tree = this.tree, x = this.x, y = this.y;
    if (!tree || !x || !y || tree.size() === 0) return [];
    let r = r0;
    for (;;) {
      const found: Neighbour[] = [];
      const r2 = r * r;
      tree.visit((node, x0, y0, x1, y1) => {
        if (!node.length) {
          let leaf: d3.QuadtreeLeaf<number> | undefined = node as d3.QuadtreeLeaf<number>;
          while (leaf) {
            const i = leaf.data;
            const d2 = (x[i] - dx) ** 2 + (y[i] - dy) ** 2;
            if (d2 <= r2) found.push({ index: i, dist: Math.sqrt(d2) });
            leaf = leaf.next;
          }
        }
        return x0 > dx + r || x1 < dx - r || y0 > dy + r || y1 < dy - r;
      });
      if (found.length >= k || found.length >= tree.size()) return found.sort((a, b) => a.dist - b.dist).slice(0, k);
      r *= 2;
    }
  }
}
