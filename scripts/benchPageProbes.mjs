// Measurements that run INSIDE the benchmark page (passed to playwright's page.evaluate), shared
// by scripts/bench-browser.mjs and scripts/bench-200k.mjs (hover, pan). Each function is self-contained: it is
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

/**
 * Pan for 3 s from the fitted view (one panBy per frame): redrawn frames/s, display frames/s,
 * each redraw's time, and the long tasks (> 50 ms) meanwhile.
 */
export const panProbe = async () => {
  const ll = window.latentLens;
  ll.map.setHovered(null);
  ll.map.resetView();
  await new Promise((r) => requestAnimationFrame(r));
  const long = [];
  const obs = new window.PerformanceObserver((l) => { for (const e of l.getEntries()) long.push(e.duration); });
  obs.observe({ type: 'longtask', buffered: false });
  const start = ll.map.renders, renderMs = [];
  let frames = 0;
  const t0 = performance.now();
  await new Promise((res) => {
    const step = () => {
      frames++;
      ll.map.panBy(Math.sin(frames / 10) * 12, Math.cos(frames / 13) * 8);
      if (ll.map.lastRenderMs) renderMs.push(ll.map.lastRenderMs);
      if (performance.now() - t0 < 3000) requestAnimationFrame(step); else res();
    };
    requestAnimationFrame(step);
  });
  const secs = (performance.now() - t0) / 1000;
  await new Promise((r) => setTimeout(r, 100));
  obs.disconnect();
  return { fps: (ll.map.renders - start) / secs, rafFps: frames / secs, renderMs, longest: Math.max(0, ...long), longTasks: long.length };
};
