"""Slider change -> redrawn figure, for the live trajectory explorer (and the JS for comparison).

What is timed is what a reader waits for in Jupyter or Colab after moving the learning-rate
slider of an explorer showing 5 optimizers x 100 steps: the observer recomputes the five
trajectories with d2l_opt, updates the artists, re-renders the figure (blitting the moving
artists over the cached axes) and encodes the PNG that ``ipywidgets.Image`` sends to the
browser. Printed: the median and spread over many slider moves, a breakdown, the cost of a
change that moves the axes (full render), and the JS module's compute time under node for
the same work. No assertions; the target is a median of at most 50 ms.

Run: ``.venv/bin/python bench/bench_widgets.py`` (``--browser-only``: just the Chromium timing;
``BENCH_WIDGETS_BASELINE=<git revision>``: also time that revision's JS side by side)
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from d2l_opt import widgets  # noqa: E402
from d2l_opt.widgets import page as widget_page  # noqa: E402

FIVE = ("SGD", "Momentum", "Adagrad", "RMSProp", "Adam")
STEPS = 100
MOVES = 60


def median_ms(samples: list[float]) -> str:
    ms = sorted(1000 * s for s in samples)
    q = statistics.quantiles(ms, n=10)
    return f"median {statistics.median(ms):6.1f} ms  (p10 {q[0]:5.1f}, p90 {q[-1]:5.1f})"


def time_slider(explorer, key: str, values, cpu: list | None = None) -> list[float]:
    """Wall-clock seconds per slider move (and process CPU seconds into ``cpu``)."""
    samples = []
    for value in values:
        start, start_cpu = time.perf_counter(), time.process_time()
        explorer.controls[key].value = value  # observer: recompute, redraw, encode PNG
        samples.append(time.perf_counter() - start)
        if cpu is not None:
            cpu.append(time.process_time() - start_cpu)
    return samples


def main() -> None:
    explorer = widgets.trajectory_explorer("anisotropic", FIVE, lr=0.05, steps=STEPS)
    assert explorer.widget is not None  # the Image widget exists: every redraw encodes a PNG
    width, height = explorer.figure.canvas.get_width_height()
    print(
        f"live trajectory explorer, {len(FIVE)} optimizers x {STEPS} steps, {width}x{height} px PNG"
    )

    lrs = list(np.geomspace(0.01, 0.2, MOVES))
    time_slider(explorer, "lr", lrs[:5])  # warm up
    full_before = explorer.full_redraw_count
    lr_cpu: list[float] = []
    lr_times = time_slider(explorer, "lr", lrs, lr_cpu)
    assert explorer.full_redraw_count == full_before  # the lr slider never re-renders the axes
    print(f"  slider eta -> redrawn figure:     {median_ms(lr_times)}")
    print(
        f"    (process CPU time per redraw:  {median_ms(lr_cpu)}; load average "
        f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs: other processes slow the wall "
        "clock)"
    )
    betas = list(np.linspace(0.5, 0.99, MOVES))
    beta_times = time_slider(explorer, "beta1", betas)
    print(f"  slider beta1 -> redrawn figure:   {median_ms(beta_times)}  (only Adam is rerun)")

    # where the time goes, at the current setting (the same steps as the observer's redraw)
    runs, blit, encode = [], [], []
    canvas = explorer.figure.canvas
    for _ in range(MOVES):
        explorer._runs.clear()  # as after an eta change: all five runs are recomputed
        t0 = time.perf_counter()
        explorer._update_artists()  # five d2l_opt runs, then set_data on the artists
        t1 = time.perf_counter()
        canvas.restore_region(explorer._background)
        for artist in explorer._animated():
            explorer.figure.draw_artist(artist)
        t2 = time.perf_counter()
        explorer.png()
        t3 = time.perf_counter()
        runs.append(t1 - t0)
        blit.append(t2 - t1)
        encode.append(t3 - t2)
    print(f"    d2l_opt runs + set_data:       {median_ms(runs)}")
    print(f"    blit of the moving artists:    {median_ms(blit)}")
    print(f"    PNG encoding:                  {median_ms(encode)}")

    # a change that moves the axes (new start point outside the window, new step count)
    full = time_slider(explorer, "steps", [60 + (i % 2) * 40 for i in range(20)])
    print(f"  slider steps -> full re-render:   {median_ms(full)}")

    node = shutil.which("node")
    if node is None:
        print("  (node not found: JS timing skipped)")
        return
    script = str(widgets.STATIC_DIR / "adaptive_steps.js")
    settings_json = json.dumps(explorer.settings)
    code = f"""
const AS = require({json.dumps(script)});
const s = {settings_json};
const names = {json.dumps(list(FIVE))};
const problem = AS.makeProblem(AS.rotatedSpec({{type: "quadratic", a: 1, b: 8, theta: 0}}, 0));
const times = [];
for (let k = 0; k < 300; k++) {{
  s.lr = 0.01 + 0.19 * (k % 60) / 60;
  const t0 = process.hrtime.bigint();
  for (const name of names) AS.run(AS.optimizerSpec(name, s), problem, s.x0, {STEPS});
  times.push(Number(process.hrtime.bigint() - t0) / 1e6);
}}
times.splice(0, 50);
times.sort((a, b) => a - b);
console.log(times[Math.floor(times.length / 2)].toFixed(3));
"""
    out = subprocess.run([node, "-e", code], capture_output=True, text=True, check=True)
    print(
        f"  JS (node) compute, same 5 x {STEPS} steps: median {float(out.stdout):.3f} ms "
        "(the browser adds SVG updates, well under a frame)"
    )


BASELINE_ENV = "BENCH_WIDGETS_BASELINE"  # a git revision whose JS/CSS is timed alongside


def _static_page(explorer, revision: str | None) -> str:
    """The standalone page of ``explorer``; with ``revision``, its JS and CSS from that commit."""
    page = widgets.standalone_page(explorer)
    if revision is None:
        return page
    root = Path(__file__).resolve().parents[1]

    def old(name: str) -> str:
        return subprocess.run(
            ["git", "show", f"{revision}:d2l_opt/static/{name}"],
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
        ).stdout

    page = page.replace(widgets.javascript_source(), old("adaptive_steps.js"))
    return page.replace(
        widget_page.script_json(widget_page.css_source()),
        widget_page.script_json(old("adaptive_steps.css")),
    )


# One slider input event, then (second number) a forced style and layout of the figure.
_TIMING_SCRIPT = """(rounds) => {
    const input = document.querySelector('[data-control="lr"]');
    const svg = document.querySelector('.as-svg');
    const event = [], layout = [];
    for (let k = 0; k < rounds; k++) {
        input.value = String(-2 + 1.5 * (k % 50) / 50);
        const t0 = performance.now();
        input.dispatchEvent(new Event("input", { bubbles: true }));
        const t1 = performance.now();
        svg.getBoundingClientRect();
        document.body.offsetHeight;
        layout.push(performance.now() - t0);
        event.push(t1 - t0);
    }
    return [event.slice(20), layout.slice(20)];
}"""


def browser_timing() -> None:
    """The static view in headless Chromium: slider input event -> SVG updated.

    With ``$BENCH_WIDGETS_BASELINE`` set to a git revision, that revision's JS and CSS are timed
    in the same browser, alternating rounds with today's, and the ratio is printed."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        chromium = None
    if chromium is None:
        print("  (Chromium or playwright not found: browser timing skipped)")
        return
    import tempfile

    explorer = widgets.trajectory_explorer("anisotropic", FIVE, lr=0.05, steps=STEPS)
    revision = os.environ.get(BASELINE_ENV) or None
    variants = {"today": None} | ({f"at {revision}": revision} if revision else {})
    samples = {name: ([], []) for name in variants}
    with tempfile.TemporaryDirectory() as folder, sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium, headless=True, args=["--no-sandbox", "--disable-gpu"]
        )
        pages = {}
        for name, rev in variants.items():
            page_file = Path(folder) / f"bench-{len(pages)}.html"
            page_file.write_text(_static_page(explorer, rev), encoding="utf-8")
            page = browser.new_page()
            page.route(
                "**/*",
                lambda route: (
                    route.continue_() if route.request.url.startswith("file:") else route.abort()
                ),
            )
            page.goto(page_file.as_uri())
            pages[name] = page
        for _ in range(5):  # alternate, so that load on the machine hits both alike
            for name, page in pages.items():
                event, layout = page.evaluate(_TIMING_SCRIPT, 120)
                samples[name][0].extend(event)
                samples[name][1].extend(layout)
        browser.close()
    medians = {}
    for name, (event, layout) in samples.items():
        medians[name] = (statistics.median(event), statistics.median(layout))
        print(
            f"  static view in Chromium ({name}), slider input -> SVG updated: median "
            f"{medians[name][0]:.2f} ms; with style + layout {medians[name][1]:.2f} ms "
            f"(5 x {STEPS} steps)"
        )
    if revision:
        base = medians[f"at {revision}"]
        print(
            f"  ratio today / {revision}: {medians['today'][0] / base[0]:.2f}x (event), "
            f"{medians['today'][1] / base[1]:.2f}x (with layout)"
        )


if __name__ == "__main__":
    if "--browser-only" not in sys.argv:
        main()
    browser_timing()
