// Measurements that run INSIDE the benchmark page (passed to playwright's page.evaluate), shared
// by scripts/bench-browser.mjs and scripts/bench-200k.mjs. Each function is self-contained: it is
// serialised into the page and sees only window.latentLens (the test build's hooks).

/** Hover 200 random points, one per frame: the handler's time (hit test, highlight, tooltip) and event → next frame. */
export const hoverHandlerProbe = async () => {
  const ll = window.latentLens;
  ll.map.resetView();
  const ov = document.getElementById('ll-map');
  const r = ov.getBoundingClientRect();
  const handler = [], toFrame = [];
  const nextFrame = () => new Promise((res) => requestAnimationFrame(() => res(performance.now())));
  for (let k = 0; k < 200; k++) {
    const i = Math.floor(Math.random() * ll.state.count);
    const [sx, sy] = ll.map.toScreen(ll.state.x[i], ll.state.y[i]);
    await nextFrame();
    const t = performance.now();
    ov.dispatchEvent(new PointerEvent('pointermove', { clientX: r.left + sx, clientY: r.top + sy, bubbles: true }));
    const t1 = performance.now();
    if (ll.map.hovered === null || document.getElementById('ll-map-tooltip').hidden) continue;
    handler.push(t1 - t);
    toFrame.push((await nextFrame()) - t);
  }
  ov.dispatchEvent(new PointerEvent('pointerleave'));
  return { handler, toFrame };
};
