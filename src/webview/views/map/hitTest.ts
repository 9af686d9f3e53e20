/**
 * Which point is where: a d3 quadtree of every placed point in data coordinates, the visible
 * point under the pointer, and the k nearest visible points to a spot (for a click on empty
 * space). The tree is built from positions only; which points are visible (colour ≠ 0) is read
 * at query time, so hiding or showing a label does not rebuild it (a rebuild of 200,000 points
 * was an 80–100 ms task on every legend click).
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
  /** Per point: 0 = hidden (the map's colours). */
  private colors: Uint32Array = new Uint32Array(0);
  /** Diagonal of the placed points' bounding box (the farthest a nearest-point search need go). */
  private span = 0;

  /** Index the points whose position is finite (positions changed). */
  rebuild(x: Float32Array | null, y: Float32Array | null): void {
    this.x = x;
    this.y = y;
    if (!x || !y) { this.tree = null; return; }
    const ids: number[] = [];
    for (let i = 0; i < x.length; i++) if (Number.isFinite(x[i]) && Number.isFinite(y[i])) ids.push(i);
    this.tree = d3.quadtree<number>().x((i) => x[i]).y((i) => y[i]).addAll(ids);
    const e = this.tree.extent();
    this.span = e ? Math.hypot(e[1][0] - e[0][0], e[1][1] - e[0][1]) : 0;
  }

  /** Which points are visible: colour ≠ 0 (cheap: called on every map update). */
  setColors(colors: Uint32Array): void {
    this.colors = colors;
  }

  private visible(i: number): boolean {
    return this.colors[i] !== 0;
  }

  /** The nearest visible point within `r` data units of (dx, dy), or null. */
  find(dx: number, dy: number, r: number): number | null {
    const tree = this.tree, x = this.x, y = this.y;
    if (!tree || !x || !y) return null;
    let best: number | null = null;
    let bestD2 = r * r, reach = r;
    tree.visit((node, x0, y0, x1, y1) => {
      if (x0 > dx + reach || x1 < dx - reach || y0 > dy + reach || y1 < dy - reach) return true;
      if (!node.length) {
        for (let leaf: d3.QuadtreeLeaf<number> | undefined = node as d3.QuadtreeLeaf<number>; leaf; leaf = leaf.next) {
          const i = leaf.data;
          if (!this.visible(i)) continue;
          const d2 = (x[i] - dx) ** 2 + (y[i] - dy) ** 2;
          if (d2 <= bestD2) { bestD2 = d2; best = i; reach = Math.sqrt(d2); }
        }
      }
      return false;
    });
    return best;
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
          for (let leaf: d3.QuadtreeLeaf<number> | undefined = node as d3.QuadtreeLeaf<number>; leaf; leaf = leaf.next) {
            const i = leaf.data;
            if (!this.visible(i)) continue;
            const d2 = (x[i] - dx) ** 2 + (y[i] - dy) ** 2;
            if (d2 <= r2) found.push({ index: i, dist: Math.sqrt(d2) });
          }
        }
        return x0 > dx + r || x1 < dx - r || y0 > dy + r || y1 < dy - r;
      });
      // Enough, or the circle already holds the whole map (fewer than k points are visible).
      if (found.length >= k || r > this.span + Math.hypot(dx, dy) + 1) return found.sort((a, b) => a.dist - b.dist).slice(0, k);
      r *= 2;
    }
  }
}
