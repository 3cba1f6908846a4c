// blackbox's HTML report: decodes the data block and draws the timeline and the table.
//
// The data block's format is docs/formats/report-html.md. Every text that comes from the run
// (node ids, failure texts, frames, notes, the command) reaches the page through textContent or
// canvas text, never as markup. One file, because the page's Content-Security-Policy admits
// exactly two scripts (uPlot and this one) by their hashes; its sections: formatting, decoding,
// the model, the timeline, the table, the details panel, and the start.
// When the page is drawn, <body data-ready="1"> (the tests and the benchmark wait for it); when
// it cannot be, the error is shown and data-ready="error".
"use strict";

(function () {
  const ROW_HEIGHT = 24; // px; fixed, so the table renders only the rows in view
  const CHART_HEIGHT = 230; // px, the plot with its axes
  const LANE_AREA = 120; // px at most for all the workers' lanes together
  const SEVERITY = ["crashed", "error", "failed", "xpassed", "xfailed", "skipped", "passed", "not_run"];
  const OUTCOME_COLOR = {
    passed: ["#66bb6a", "#43a047"], // alternating, so neighbouring tests stay apart
    failed: ["#ef6c00"],
    error: ["#f9a825"],
    crashed: ["#c62828"],
    skipped: ["#b0bec5"],
    xfailed: ["#90a4ae"],
    xpassed: ["#ab47bc"],
    not_run: ["#eeeeee"],
  };

  // ---------------------------------------------------------------------------------------------
  // Formatting

  const KIB = 1024;
  const MIB = KIB * 1024;
  const GIB = MIB * 1024;

  function trimZeros(text) {
    return text.includes(".") ? text.replace(/\.?0+$/, "") : text;
  }

  // Bytes in binary units: "287.1 MiB", "1.25 GiB"; a dash for a figure that was not measured.
  function fmtBytes(bytes, exact) {
    if (bytes == null) return "\u2014";
    const sign = bytes < 0 ? "-" : "";
    const b = Math.abs(bytes);
    const fix = (v, d) => (exact ? trimZeros(v.toFixed(d)) : v.toFixed(d));
    if (b < KIB) return `${sign}${b} B`;
    if (b < MIB) return `${sign}${fix(b / KIB, 1)} KiB`;
    if (b < GIB) return `${sign}${fix(b / MIB, 1)} MiB`;
    return `${sign}${fix(b / GIB, 2)} GiB`;
  }

  // A duration: "12 ms", "1.23 s", "2 m 05 s", "1 h 02 m".
  function fmtSeconds(s) {
    if (s == null) return "\u2014";
    if (s < 1) return `${Math.round(s * 1000)} ms`;
    if (s < 60) return `${s.toFixed(2)} s`;
    if (s < 3600) return `${Math.floor(s / 60)} m ${String(Math.floor(s % 60)).padStart(2, "0")} s`;
    return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, "0")} m`;
  }

  // A time since the run's start, for the axis and the cursor: "12.5 s", "3:05", "1:02:03.5".
  function fmtClock(t, step) {
    const decimals = step < 1 ? Math.min(3, Math.ceil(-Math.log10(step) - 1e-9)) : 0;
    if (Math.abs(t) < 60 && step < 30) return `${t.toFixed(decimals)} s`;
    const sign = t < 0 ? "-" : "";
    t = Math.abs(t);
    const h = Math.floor(t / 3600);
    const m = Math.floor((t % 3600) / 60);
    const sec = (t % 60).toFixed(decimals).padStart(decimals ? 3 + decimals : 2, "0");
    return h ? `${sign}${h}:${String(m).padStart(2, "0")}:${sec}` : `${sign}${m}:${sec}`;
  }

  const fmtCount = (n) => n.toLocaleString("en-US");

  // Builds an element; children that are strings become text nodes (never markup).
  function el(tag, props, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(props || {})) {
      if (key === "class") node.className = value;
      else if (key === "text") node.textContent = value;
      else node.setAttribute(key, value);
    }
    node.append(...children.filter((c) => c != null));
    return node;
  }

  // A class name made from a vocabulary word of the data (outcomes), never from free text.
  const token = (word) => String(word).replace(/[^a-z0-9_-]/gi, "");

  // ---------------------------------------------------------------------------------------------
  // Decoding: base64, bytes, gzip, JSON

  function base64Bytes(text) {
    if (typeof Uint8Array.fromBase64 === "function") return Uint8Array.fromBase64(text);
    const binary = atob(text);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return bytes;
  }

  async function decodeData() {
    const block = document.getElementById("blackbox-data");
    if (!block) throw new Error("the page has no data block (#blackbox-data)");
    const encoding = block.dataset.encoding || "gzip+base64";
    const bytes = base64Bytes(block.textContent.replace(/\s+/g, ""));
    let stream = new Blob([bytes]).stream();
    if (encoding === "gzip+base64") {
      if (typeof DecompressionStream !== "function") {
        throw new Error("this browser cannot decompress the report's data (no DecompressionStream)");
      }
      stream = stream.pipeThrough(new DecompressionStream("gzip"));
    } else if (encoding !== "base64") {
      throw new Error(`unknown data encoding "${encoding}"`);
    }
    const data = JSON.parse(await new Response(stream).text());
    if (data.format !== 1) throw new Error(`unknown data format ${data.format} (this page reads 1)`);
    return data;
  }

  // ---------------------------------------------------------------------------------------------
  // The model: node ids, the workers' lanes of test stretches, the time range

  function buildModel(data) {
    const tests = data.tests;
    const n = tests.name.length;
    const optional = ["attempt", "start", "end", "duration", "peak_rss", "tree_peak_rss", "retained"];
    for (const key of optional.concat(["cpu", "crash"])) {
      if (!Array.isArray(tests[key])) tests[key] = new Array(n).fill(null); // unmeasured
    }
    const nodeids = new Array(n);
    for (let i = 0; i < n; i++) nodeids[i] = data.prefixes[tests.prefix[i]] + tests.name[i];
    const outcomeNames = tests.outcome.map((o) => data.outcomes[o]);

    // Per worker, its tests sorted by start, with the running maximum of their ends ("reach"):
    // the first test in view is the first whose reach passes the view's start.
    const lanes = data.workers.map((name) => ({ name, tests: [] }));
    for (let i = 0; i < n; i++) {
      if (tests.start[i] == null) continue;
      const lane = lanes[tests.worker[i]];
      if (lane) lane.tests.push(i);
    }
    const used = lanes.filter((lane) => lane.tests.length > 0);
    for (const lane of used) {
      lane.tests.sort((a, b) => tests.start[a] - tests.start[b] || a - b);
      const count = lane.tests.length;
      lane.starts = new Float64Array(count);
      lane.ends = new Float64Array(count);
      lane.reach = new Float64Array(count);
      let reach = -Infinity;
      lane.tests.forEach((i, k) => {
        lane.starts[k] = tests.start[i];
        lane.ends[k] = tests.end[i] == null ? tests.start[i] : tests.end[i];
        reach = Math.max(reach, lane.ends[k]);
        lane.reach[k] = reach;
      });
    }

    const samples = data.samples || { t: [] };
    let end = Math.max(data.run.duration_s || 0, samples.t.length ? samples.t[samples.t.length - 1] : 0);
    let begin = Math.min(0, samples.t.length ? samples.t[0] : 0);
    for (const lane of used) {
      begin = Math.min(begin, lane.starts[0]);
      end = Math.max(end, lane.reach[lane.reach.length - 1]);
    }
    for (const crash of data.crashes || []) if (crash.t != null) end = Math.max(end, crash.t);
    if (!(end > begin)) end = begin + 1;

    return { data, tests, n, nodeids, outcomeNames, lanes: used, range: [begin, end] };
  }

  // The index in a lane of the last test that starts at or before t (-1 when none).
  function lastStartingBy(lane, t) {
    let lo = 0;
    let hi = lane.starts.length; // invariant: starts[< lo] <= t < starts[>= hi]
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (lane.starts[mid] <= t) lo = mid + 1;
      else hi = mid;
    }
    return lo - 1;
  }

  // The test a lane was running at time t, or -1.
  function testAt(lane, t) {
    const k = lastStartingBy(lane, t);
    return k >= 0 && lane.ends[k] >= t ? lane.tests[k] : -1;
  }

  // The index in a lane of the first test whose stretch may reach into a view starting at t.
  function firstReaching(lane, t) {
    let lo = 0;
    let hi = lane.reach.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (lane.reach[mid] < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  // ---------------------------------------------------------------------------------------------
  // The report's state and its one selection

  const state = {
    model: null,
    selected: -1,
    timeline: null, // {plot, ...} when a chart was drawn
    table: null,
    details: null,
  };

  function select(test, { scrollTable = false, fromTable = false } = {}) {
    state.selected = test;
    state.table.refresh(scrollTable && !fromTable ? test : -1);
    state.details.show(test);
    if (state.timeline) state.timeline.reveal(test);
  }

  // ---------------------------------------------------------------------------------------------
  // The timeline: uPlot for the memory curves, a draw hook for the markers, the workers' lanes

  const X_INCRS = [
    0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900,
    1800, 3600, 7200, 14400, 28800, 86400,
  ];
  const BYTE_INCRS = [];
  for (let k = 10; k <= 50; k++) BYTE_INCRS.push(2 ** k, 1.5 * 2 ** k);
  BYTE_INCRS.sort((a, b) => a - b);

  function hasFigures(values) {
    return Array.isArray(values) && values.some((v) => v != null);
  }

  function drawTimeline(model, section) {
    const { data } = model;
    const run = data.run;
    const samples = data.samples || { t: [] };
    section.append(el("h2", { text: "Memory timeline" }));
    if (!run.sampled || !samples.t || samples.t.length < 2) {
      section.append(
        el("p", {
          class: "no-trail",
          text: run.sampled
            ? "The memory trail has too few samples to draw: the run was too short."
            : "No memory timeline: this run has no memory trail (it was recorded without blackbox's " +
              "supervisor, e.g. by pytest --blackbox, or the sampler could not run). The tests are below.",
        }),
      );
      return null;
    }

    const toolbar = el("div", { class: "toolbar" });
    const reset = el("button", { type: "button", class: "reset", text: "Reset zoom" });
    const hint = el("span", {
      class: "hint",
      text: "drag: zoom \u00b7 wheel: zoom \u00b7 shift+drag: pan \u00b7 double-click: reset \u00b7 " +
        "click a test to select it",
    });
    toolbar.append(reset, hint);
    const chartBox = el("div", { class: "chart" });
    const lanesCanvas = el("canvas", { class: "lanes", "aria-label": "Tests per worker over time" });
    const cursorInfo = el("div", { class: "cursor-info", "aria-live": "off" });
    const tip = el("div", { class: "lane-tip", hidden: "" });
    const plotArea = el("div", { class: "plot-area" }, chartBox, lanesCanvas, tip);
    section.append(toolbar, plotArea, cursorInfo);

    const limit = run.limit_bytes;
    const series = [{ label: "time", value: (u, v) => (v == null ? "\u2014" : fmtClock(v, 0.01)) }];
    const columns = [samples.t];
    const bytesValue = (u, v) => fmtBytes(v);
    series.push({
      label: "tree RSS",
      scale: "mem",
      stroke: "#1565c0",
      fill: "rgba(21, 101, 192, 0.12)",
      width: 1.5,
      value: bytesValue,
    });
    columns.push(samples.rss);
    const showAvailable = hasFigures(samples.available);
    if (hasFigures(samples.cgroup)) {
      // The cgroup's usage counts the page cache and every process of the group: beside a limit
      // it is the figure that matters (left axis); without one it would dwarf the tree's RSS.
      const left = limit != null || !showAvailable;
      series.push({
        label: left ? "cgroup usage" : "cgroup usage (right axis)",
        scale: left ? "mem" : "avail",
        stroke: "#6a1b9a",
        width: 1,
        dash: [6, 3],
        value: bytesValue,
      });
      columns.push(samples.cgroup);
    }
    if (showAvailable) {
      series.push({
        label: "MemAvailable (right axis)",
        scale: "avail",
        stroke: "#2e7d32",
        width: 1,
        value: bytesValue,
      });
      columns.push(samples.available);
    }

    const full = model.range;
    const minSpan = Math.max((run.interval_s || 0.05) * 4, 0.01);
    let plot = null;

    function setX(min, max) {
      let span = Math.max(max - min, minSpan);
      span = Math.min(span, full[1] - full[0]);
      const center = (min + max) / 2;
      let lo = center - span / 2;
      lo = Math.max(full[0], Math.min(lo, full[1] - span));
      plot.setScale("x", { min: lo, max: lo + span });
    }
    const resetZoom = () => setX(full[0], full[1]);

    const markers = [];
    for (const [k, crash] of (data.crashes || []).entries()) {
      if (crash.t == null) continue;
      const name = crash.test != null ? data.tests.name[crash.test] : crash.nodeid || "outside a test";
      markers.push({ t: crash.t, label: `\u2715 ${k + 1}: ${name}` });
    }
    const noteMarks = (data.notes || []).filter((note) => note.t != null && note.what !== "stopped");

    function drawOverlays(u) {
      const ctx = u.ctx;
      const { left, top, width, height } = u.bbox;
      const ratio = uPlot.pxRatio;
      const xPos = (t) => Math.round(u.valToPos(t, "x", true));
      ctx.save();
      ctx.beginPath();
      ctx.rect(left, top, width, height);
      ctx.clip();
      const test = state.selected;
      if (test >= 0 && model.tests.start[test] != null) {
        const a = xPos(model.tests.start[test]);
        const b = xPos(model.tests.end[test] == null ? model.tests.start[test] : model.tests.end[test]);
        ctx.fillStyle = "rgba(255, 179, 0, 0.28)";
        ctx.fillRect(a, top, Math.max(b - a, 2 * ratio), height);
        ctx.fillStyle = "rgba(255, 143, 0, 0.9)";
        ctx.fillRect(a, top, ratio, height);
        ctx.fillRect(Math.max(b, a + ratio), top, ratio, height);
      }
      ctx.font = `${11 * ratio}px system-ui, sans-serif`;
      ctx.textBaseline = "top";
      if (limit != null) {
        const y = Math.round(u.valToPos(limit, "mem", true));
        ctx.strokeStyle = "#d32f2f";
        ctx.lineWidth = 1.5 * ratio;
        ctx.setLineDash([8 * ratio, 4 * ratio]);
        ctx.beginPath();
        ctx.moveTo(left, y);
        ctx.lineTo(left + width, y);
        ctx.stroke();
        ctx.setLineDash([]);
        ctx.fillStyle = "#d32f2f";
        ctx.textAlign = "right";
        ctx.fillText(`limit ${fmtBytes(limit)}`, left + width - 4 * ratio, y + 3 * ratio);
      }
      ctx.fillStyle = "#ef6c00";
      for (const note of noteMarks) {
        const x = xPos(note.t);
        ctx.beginPath();
        ctx.moveTo(x - 4 * ratio, top);
        ctx.lineTo(x + 4 * ratio, top);
        ctx.lineTo(x, top + 7 * ratio);
        ctx.fill();
      }
      ctx.textAlign = "left";
      markers.forEach((marker, k) => {
        const x = xPos(marker.t);
        if (x < left - 1 || x > left + width + 1) return;
        ctx.fillStyle = "#c62828";
        ctx.fillRect(x - ratio, top, 2 * ratio, height);
        const label = marker.label.length > 60 ? marker.label.slice(0, 59) + "\u2026" : marker.label;
        const w = ctx.measureText(label).width;
        const lx = x + 4 * ratio + w > left + width ? x - 4 * ratio - w : x + 4 * ratio;
        const ly = top + (4 + 16 * (k % 4)) * ratio;
        ctx.fillStyle = "rgba(255, 255, 255, 0.85)";
        ctx.fillRect(lx - 2 * ratio, ly - ratio, w + 4 * ratio, 14 * ratio);
        ctx.fillStyle = "#b71c1c";
        ctx.fillText(label, lx, ly);
      });
      ctx.restore();
      drawLanes(u);
    }

    // Lanes: one row per worker under the plot, aligned with its x axis.
    const laneHeight = Math.max(4, Math.min(16, Math.floor(LANE_AREA / Math.max(1, model.lanes.length))));
    const laneStride = laneHeight + (laneHeight > 8 ? 3 : 1);
    const lanesHeight = model.lanes.length * laneStride + 2;
    lanesCanvas.dataset.lanes = model.lanes.map((lane) => lane.name).join(" ");
    lanesCanvas.dataset.stride = String(laneStride); // px per lane, from the canvas's top

    function drawLanes(u) {
      const ratio = uPlot.pxRatio;
      const cssWidth = u.width;
      const pixelWidth = Math.round(cssWidth * ratio);
      const pixelHeight = Math.round(lanesHeight * ratio);
      if (lanesCanvas.width !== pixelWidth || lanesCanvas.height !== pixelHeight) {
        lanesCanvas.width = pixelWidth;
        lanesCanvas.height = pixelHeight;
        lanesCanvas.style.width = `${cssWidth}px`;
        lanesCanvas.style.height = `${lanesHeight}px`;
      }
      const ctx = lanesCanvas.getContext("2d");
      ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
      ctx.clearRect(0, 0, cssWidth, lanesHeight);
      const plotLeft = u.bbox.left / ratio;
      const plotWidth = u.bbox.width / ratio;
      const min = u.scales.x.min;
      const max = u.scales.x.max;
      const scale = plotWidth / (max - min);
      const tests = model.tests;
      ctx.font = "11px system-ui, sans-serif";
      ctx.textBaseline = "middle";
      ctx.textAlign = "right";
      model.lanes.forEach((lane, row) => {
        const y = row * laneStride + 1;
        ctx.fillStyle = "#555";
        if (laneHeight >= 9) ctx.fillText(lane.name, plotLeft - 6, y + laneHeight / 2);
        ctx.fillStyle = "#f3f3f3";
        ctx.fillRect(plotLeft, y, plotWidth, laneHeight);
        // Tests narrower than a pixel share a column, drawn in the colour of the worst of them.
        let column = -1;
        let worst = -1;
        const flush = () => {
          if (column < 0) return;
          ctx.fillStyle = OUTCOME_COLOR[SEVERITY[worst]][0];
          ctx.fillRect(column, y, 1, laneHeight);
          column = -1;
          worst = -1;
        };
        for (let k = firstReaching(lane, min); k < lane.starts.length && lane.starts[k] <= max; k++) {
          const i = lane.tests[k];
          const x0 = plotLeft + Math.max(lane.starts[k] - min, 0) * scale;
          const x1 = plotLeft + Math.min(lane.ends[k] - min, max - min) * scale;
          if (x1 < plotLeft) continue;
          const outcome = model.outcomeNames[i];
          if (x1 - x0 >= 2) {
            flush();
            const colors = OUTCOME_COLOR[outcome] || OUTCOME_COLOR.not_run;
            ctx.fillStyle = colors[k % colors.length];
            ctx.fillRect(x0, y, Math.max(x1 - x0 - (x1 - x0 > 4 ? 1 : 0), 1), laneHeight);
          } else {
            const px = Math.floor(x0);
            const rank = Math.max(0, SEVERITY.indexOf(outcome));
            const severity = SEVERITY.length - 1 - rank; // higher is worse
            if (px !== column) {
              flush();
              column = px;
              worst = rank;
            } else if (severity > SEVERITY.length - 1 - worst) {
              worst = rank;
            }
          }
        }
        flush();
      });
      const test = state.selected;
      if (test >= 0 && tests.start[test] != null) {
        const row = model.lanes.findIndex((lane) => lane.name === model.data.workers[tests.worker[test]]);
        if (row >= 0) {
          const end = tests.end[test] == null ? tests.start[test] : tests.end[test];
          const x0 = plotLeft + (tests.start[test] - min) * scale;
          const x1 = plotLeft + (end - min) * scale;
          ctx.strokeStyle = "#ff6f00";
          ctx.lineWidth = 2;
          ctx.strokeRect(x0 - 1, row * laneStride, Math.max(x1 - x0, 1) + 2, laneHeight + 2);
        }
      }
    }

    // Hover: the time and, per worker, the test running at the cursor.
    function showCursor(u) {
      const left = u.cursor.left;
      cursorInfo.replaceChildren();
      if (left == null || left < 0) {
        const text = "Hover the chart to see the test running in each worker.";
        cursorInfo.append(el("span", { class: "idle", text }));
        return;
      }
      const t = u.posToVal(left, "x");
      const step = (u.scales.x.max - u.scales.x.min) / 1000;
      cursorInfo.append(el("span", { class: "at", text: `at ${fmtClock(t, step)}` }));
      for (const lane of model.lanes) {
        const test = testAt(lane, t);
        const item = el("span", { class: "lane-test" }, el("span", { class: "worker", text: lane.name }));
        if (test >= 0) {
          const outcome = `outcome-${token(model.outcomeNames[test])}`;
          item.append(el("code", { class: outcome, text: model.nodeids[test] }));
        } else {
          item.append(el("span", { class: "idle", text: "\u2014" }));
        }
        cursorInfo.append(item);
      }
      // The notes drawn as triangles at the top: named when the cursor is on one.
      const near = 5 * (u.scales.x.max - u.scales.x.min) / (u.bbox.width / uPlot.pxRatio);
      for (const note of noteMarks) {
        if (Math.abs(note.t - t) > near) continue;
        cursorInfo.append(el("span", { class: "note", text: `${note.what}: ${note.text}` }));
      }
    }

    // The test under a point of the chart: in the lane under the pointer, else the first lane
    // running one at that time.
    function testUnder(t, row) {
      if (row != null) return model.lanes[row] ? testAt(model.lanes[row], t) : -1;
      for (const lane of model.lanes) {
        const test = testAt(lane, t);
        if (test >= 0) return test;
      }
      return -1;
    }

    const opts = {
      width: Math.max(320, chartBox.clientWidth || section.clientWidth || 800),
      height: CHART_HEIGHT,
      series,
      scales: {
        x: { time: false, range: (u, min, max) => [min, max] },
        mem: {
          range: (u, min, max) => {
            const top = Math.max(max || 0, limit || 0) * 1.08;
            return [0, top > 0 ? top : MIB];
          },
        },
        avail: { range: (u, min, max) => [0, (max || MIB) * 1.08] },
      },
      axes: [
        {
          incrs: X_INCRS,
          space: 70,
          values: (u, splits, axis, space, incr) => splits.map((v) => fmtClock(v, incr)),
        },
        {
          scale: "mem",
          incrs: BYTE_INCRS,
          size: 74,
          values: (u, splits) => splits.map((v) => fmtBytes(v, true)),
        },
        showAvailable
          ? {
              scale: "avail",
              side: 1,
              incrs: BYTE_INCRS,
              size: 74,
              stroke: "#2e7d32",
              grid: { show: false },
              values: (u, splits) => splits.map((v) => fmtBytes(v, true)),
            }
          : null,
      ].filter(Boolean),
      legend: { live: true },
      cursor: {
        drag: { x: true, y: false, setScale: true },
        bind: { dblclick: () => () => resetZoom() },
        points: { show: false },
      },
      hooks: {
        draw: [drawOverlays],
        setCursor: [showCursor],
        // The view, readable from outside (the browser tests): data-view="min max" in seconds.
        setScale: [
          (u, key) => {
            if (key === "x") section.dataset.view = `${u.scales.x.min} ${u.scales.x.max}`;
          },
        ],
      },
    };
    plot = new uPlot(opts, columns, chartBox);
    plot.root.querySelector(".u-wrap").after(lanesCanvas); // the lanes right under the x axis
    resetZoom();
    showCursor(plot);

    // Wheel: zoom around the pointer.
    plot.over.addEventListener(
      "wheel",
      (e) => {
        e.preventDefault();
        const { min, max } = plot.scales.x;
        const rect = plot.over.getBoundingClientRect();
        const t = plot.posToVal(e.clientX - rect.left, "x");
        const factor = e.deltaY < 0 ? 0.8 : 1.25;
        setX(t - (t - min) * factor, t + (max - t) * factor);
      },
      { passive: false },
    );

    // Shift+drag: pan. Caught before uPlot's own mousedown (which would start a selection).
    plot.root.addEventListener(
      "mousedown",
      (e) => {
        if (!e.shiftKey || e.button !== 0 || !plot.over.contains(e.target)) return;
        e.preventDefault();
        e.stopPropagation();
        const { min, max } = plot.scales.x;
        const x0 = e.clientX;
        const perPx = (max - min) / plot.over.clientWidth;
        plot.over.classList.add("panning");
        const move = (m) => setX(min - (m.clientX - x0) * perPx, max - (m.clientX - x0) * perPx);
        const up = () => {
          plot.over.classList.remove("panning");
          window.removeEventListener("mousemove", move);
          window.removeEventListener("mouseup", up);
        };
        window.addEventListener("mousemove", move);
        window.addEventListener("mouseup", up);
      },
      true,
    );

    // A click (not a drag) on the plot selects the test running there.
    let downX = null;
    plot.over.addEventListener("mousedown", (e) => (downX = e.clientX));
    plot.over.addEventListener("click", (e) => {
      if (downX == null || Math.abs(e.clientX - downX) > 3) return;
      const rect = plot.over.getBoundingClientRect();
      const test = testUnder(plot.posToVal(e.clientX - rect.left, "x"));
      if (test >= 0) select(test, { scrollTable: true });
    });

    // The lanes: hover names the test, click selects it.
    function laneHit(e) {
      const rect = lanesCanvas.getBoundingClientRect();
      const plotLeft = plot.bbox.left / uPlot.pxRatio;
      const x = e.clientX - rect.left - plotLeft;
      const row = Math.floor((e.clientY - rect.top) / laneStride);
      if (x < 0 || x > plot.bbox.width / uPlot.pxRatio || row < 0 || row >= model.lanes.length) return -1;
      return testUnder(plot.posToVal(x, "x"), row);
    }
    lanesCanvas.addEventListener("mousemove", (e) => {
      const test = laneHit(e);
      lanesCanvas.style.cursor = test >= 0 ? "pointer" : "";
      if (test < 0) {
        tip.hidden = true;
        return;
      }
      const tests = model.tests;
      tip.replaceChildren(
        el("code", { text: model.nodeids[test] }),
        el("span", {
          text:
            ` ${model.outcomeNames[test]} \u00b7 ${fmtSeconds(tests.duration[test])}` +
            ` \u00b7 peak ${fmtBytes(tests.peak_rss[test])}`,
        }),
      );
      tip.hidden = false;
      const box = plotArea.getBoundingClientRect();
      tip.style.left = `${Math.min(e.clientX - box.left + 12, box.width - tip.offsetWidth - 4)}px`;
      tip.style.top = `${e.clientY - box.top + 14}px`;
    });
    lanesCanvas.addEventListener("mouseleave", () => (tip.hidden = true));
    lanesCanvas.addEventListener("click", (e) => {
      const test = laneHit(e);
      if (test >= 0) select(test, { scrollTable: true });
    });

    reset.addEventListener("click", resetZoom);
    let resizePending = false;
    window.addEventListener("resize", () => {
      if (resizePending) return;
      resizePending = true;
      requestAnimationFrame(() => {
        resizePending = false;
        plot.setSize({ width: Math.max(320, chartBox.clientWidth), height: CHART_HEIGHT });
      });
    });

    return {
      plot,
      // Shows a test's stretch: redraws the highlight, and moves the view when it is outside.
      reveal(test) {
        const tests = model.tests;
        if (test < 0 || tests.start[test] == null) {
          plot.redraw(false);
          return;
        }
        const a = tests.start[test];
        const b = tests.end[test] == null ? a : tests.end[test];
        const { min, max } = plot.scales.x;
        if (a >= min && b <= max) {
          plot.redraw(false);
        } else if (b - a < (max - min) * 0.8) {
          setX((a + b) / 2 - (max - min) / 2, (a + b) / 2 + (max - min) / 2);
        } else {
          const pad = (b - a) * 0.1;
          setX(a - pad, b + pad);
        }
      },
      // Zooms to a crash: its test's stretch up to the death, with some of what came before.
      zoomToCrash(crash) {
        if (crash.t == null) return;
        const testStart = crash.test == null ? null : model.tests.start[crash.test];
        const start = testStart == null ? crash.t : testStart;
        const span = Math.max(crash.t - start, minSpan * 5, 1);
        setX(start - span * 0.5, crash.t + span * 0.25);
      },
    };
  }

  // ---------------------------------------------------------------------------------------------
  // The table: every test, sorted and filtered, rendered only where visible

  function drawTable(model, section) {
    const { tests, nodeids, outcomeNames } = model;
    const workers = model.data.workers;
    const numberColumn = (key, label, values, format) => ({
      key,
      label,
      numeric: true,
      value: (i) => values[i],
      text: (i) => format(values[i]),
    });
    const severityRank = outcomeNames.map((o) => {
      const rank = SEVERITY.indexOf(o);
      return rank < 0 ? SEVERITY.length : rank;
    });
    const columns = [
      { key: "outcome", label: "outcome", value: (i) => severityRank[i], text: (i) => outcomeNames[i] },
      numberColumn("duration", "duration", tests.duration, fmtSeconds),
      numberColumn("peak_rss", "peak RSS", tests.peak_rss, fmtBytes),
      numberColumn("cpu", "CPU", tests.cpu, fmtSeconds),
      numberColumn("retained", "retained", tests.retained, fmtBytes),
      // Workers sort in their lanes' order (main, gw0, gw1, ..., gw10), not as words.
      { key: "worker", label: "worker", value: (i) => tests.worker[i], text: (i) => workers[tests.worker[i]] ?? "" },
      { key: "nodeid", label: "node id", value: (i) => nodeids[i], text: (i) => nodeids[i] },
    ];

    section.append(el("h2", { text: "Tests" }));
    const filter = el("input", {
      type: "search",
      class: "filter",
      placeholder: "filter node ids\u2026",
      "aria-label": "Filter by node id",
      spellcheck: "false",
    });
    const outcomeSelect = el("select", { class: "outcome-filter", "aria-label": "Filter by outcome" });
    outcomeSelect.append(el("option", { value: "", text: "all outcomes" }));
    const counts = new Map();
    for (const o of outcomeNames) counts.set(o, (counts.get(o) || 0) + 1);
    const problems = ["crashed", "error", "failed"].reduce((sum, o) => sum + (counts.get(o) || 0), 0);
    if (problems) {
      const text = `crashed, error, failed (${fmtCount(problems)})`;
      outcomeSelect.append(el("option", { value: "problems", text }));
    }
    for (const o of SEVERITY.concat([...counts.keys()].filter((o) => !SEVERITY.includes(o)))) {
      if (!counts.get(o)) continue;
      outcomeSelect.append(el("option", { value: o, text: `${o} (${fmtCount(counts.get(o))})` }));
    }
    const shown = el("span", { class: "shown" });
    section.append(el("div", { class: "table-controls" }, filter, outcomeSelect, shown));

    const table = el("div", { class: "test-table", role: "table", "aria-rowcount": String(model.n) });
    const head = el("div", { class: "row head", role: "row" });
    const headCells = columns.map((column) => {
      const button = el("button", { type: "button", text: column.label });
      const cell = el("span", {
        class: `cell col-${column.key}`,
        role: "columnheader",
        "data-key": column.key,
        "aria-sort": "none",
      });
      cell.append(button);
      button.addEventListener("click", () => sortBy(column));
      head.append(cell);
      return cell;
    });
    const viewport = el("div", { class: "viewport", tabindex: "0" });
    const spacer = el("div", { class: "spacer" });
    const rowsBox = el("div", { class: "rows", role: "rowgroup" });
    spacer.append(rowsBox);
    viewport.append(spacer);
    const empty = el("p", { class: "empty", text: "No test matches the filter.", hidden: "" });
    table.append(head, viewport, empty);
    section.append(table);

    let sorted = Array.from({ length: model.n }, (_, i) => i); // collection order
    let order = sorted; // the filtered rows, in order
    let sortKey = null;
    let sortDir = 1;
    let lowered = null;
    const pool = [];

    function sortBy(column) {
      if (sortKey === column.key) sortDir = -sortDir;
      else {
        sortKey = column.key;
        sortDir = column.numeric ? -1 : 1; // numbers largest first, words from A
      }
      const values = new Array(model.n);
      for (let i = 0; i < model.n; i++) values[i] = column.value(i);
      const dir = sortDir;
      sorted = Array.from({ length: model.n }, (_, i) => i);
      sorted.sort((a, b) => {
        const va = values[a];
        const vb = values[b];
        if (va == null || vb == null) return va == null ? (vb == null ? a - b : 1) : -1; // nulls last
        if (va < vb) return -dir;
        if (va > vb) return dir;
        return a - b;
      });
      for (const cell of headCells) {
        const mine = cell.dataset.key === sortKey;
        cell.setAttribute("aria-sort", mine ? (dir > 0 ? "ascending" : "descending") : "none");
      }
      applyFilter();
    }

    function applyFilter() {
      const query = filter.value.trim().toLowerCase();
      const wanted = outcomeSelect.value;
      if (query && !lowered) lowered = nodeids.map((id) => id.toLowerCase());
      const keep = (i) => {
        const o = outcomeNames[i];
        const problem = o === "crashed" || o === "error" || o === "failed";
        if (wanted === "problems" ? !problem : wanted && o !== wanted) return false;
        return !query || lowered[i].includes(query);
      };
      order = query || wanted ? sorted.filter(keep) : sorted;
      const all = `${fmtCount(model.n)} tests`;
      shown.textContent = order.length === model.n ? all : `${fmtCount(order.length)} of ${all}`;
      spacer.style.height = `${order.length * ROW_HEIGHT}px`;
      empty.hidden = order.length > 0 || model.n === 0;
      if (model.n === 0) empty.textContent = "This run has no tests.";
      render();
    }

    function makeRow() {
      const row = el("div", { class: "row", role: "row" });
      for (const column of columns) row.append(el("span", { class: `cell col-${column.key}`, role: "cell" }));
      rowsBox.append(row);
      return row;
    }

    function render() {
      const first = Math.max(0, Math.floor(viewport.scrollTop / ROW_HEIGHT));
      const count = Math.min(order.length - first, Math.ceil(viewport.clientHeight / ROW_HEIGHT) + 2);
      while (pool.length < count) pool.push(makeRow());
      rowsBox.style.transform = `translateY(${first * ROW_HEIGHT}px)`;
      pool.forEach((row, r) => {
        if (r >= count) {
          row.hidden = true;
          return;
        }
        const i = order[first + r];
        row.hidden = false;
        row.dataset.test = String(i);
        row.setAttribute("aria-rowindex", String(first + r + 1));
        row.className = `row outcome-${token(outcomeNames[i])}${i === state.selected ? " selected" : ""}`;
        columns.forEach((column, c) => {
          const cell = row.children[c];
          cell.textContent = column.text(i);
          if (column.key === "nodeid") cell.title = nodeids[i];
        });
      });
    }

    let scrollPending = false;
    viewport.addEventListener("scroll", () => {
      if (scrollPending) return;
      scrollPending = true;
      requestAnimationFrame(() => {
        scrollPending = false;
        render();
      });
    });
    let filterPending = null;
    filter.addEventListener("input", () => {
      clearTimeout(filterPending);
      filterPending = setTimeout(() => {
        viewport.scrollTop = 0;
        applyFilter();
      }, model.n > 5000 ? 120 : 0);
    });
    outcomeSelect.addEventListener("change", () => {
      viewport.scrollTop = 0;
      applyFilter();
    });
    rowsBox.addEventListener("click", (e) => {
      const row = e.target.closest(".row");
      if (row && row.dataset.test != null) select(Number(row.dataset.test), { fromTable: true });
    });
    viewport.addEventListener("keydown", (e) => {
      if (e.key !== "ArrowDown" && e.key !== "ArrowUp") return;
      e.preventDefault();
      const at = order.indexOf(state.selected);
      const next = Math.max(0, Math.min(order.length - 1, at + (e.key === "ArrowDown" ? 1 : -1)));
      if (order.length) select(order[next], { scrollTable: true });
    });

    applyFilter();
    return {
      // Re-renders the rows (the selection changed); scrolls a test's row into view when asked.
      refresh(scrollTo) {
        if (scrollTo >= 0) {
          const at = order.indexOf(scrollTo);
          if (at >= 0) {
            const top = at * ROW_HEIGHT;
            if (top < viewport.scrollTop || top + ROW_HEIGHT > viewport.scrollTop + viewport.clientHeight) {
              viewport.scrollTop = Math.max(0, top - viewport.clientHeight / 2);
            }
          }
        }
        render();
      },
    };
  }

  // ---------------------------------------------------------------------------------------------
  // The details of the selected test

  function drawDetails(model, panel) {
    const { data, tests } = model;
    const placeholder = el("p", {
      class: "placeholder",
      text: "Click a test in the table or on the timeline to see its details.",
    });
    panel.append(el("h2", { text: "Test" }), placeholder);
    const failureOf = new Map((data.failures || []).map((f) => [f.test, f]));

    function fields(pairs) {
      const list = el("dl");
      for (const [name, value] of pairs) {
        if (value == null || value === "") continue;
        list.append(el("dt", { text: name }), el("dd", { text: String(value) }));
      }
      return list;
    }

    return {
      show(test) {
        panel.replaceChildren(el("h2", { text: "Test" }));
        if (test < 0) {
          panel.append(placeholder);
          return;
        }
        const outcome = model.outcomeNames[test];
        const start = tests.start[test];
        const end = tests.end[test] ?? start;
        const ran = start == null ? null : `${fmtClock(start, 0.001)} \u2192 ${fmtClock(end, 0.001)}`;
        const close = el("button", { type: "button", class: "close", "aria-label": "Close", text: "\u00d7" });
        close.addEventListener("click", () => select(-1));
        panel.append(
          close,
          el("p", { class: "nodeid" }, el("code", { text: model.nodeids[test] })),
          fields([
            ["outcome", outcome],
            ["session", Array.isArray(tests.session) ? tests.session[test] : null],
            ["worker", data.workers[tests.worker[test]]],
            ["attempt", tests.attempt[test]],
            ["ran", ran],
            ["duration", fmtSeconds(tests.duration[test])],
            ["peak RSS", tests.peak_rss[test] == null ? null : fmtBytes(tests.peak_rss[test])],
            ["tree peak RSS", tests.tree_peak_rss[test] == null ? null : fmtBytes(tests.tree_peak_rss[test])],
            ["retained", tests.retained[test] == null ? null : fmtBytes(tests.retained[test])],
            ["CPU", tests.cpu[test] == null ? null : fmtSeconds(tests.cpu[test])],
          ]),
        );
        panel.querySelector("dl").classList.add(`outcome-${token(outcome)}`);
        const failure = failureOf.get(test);
        if (failure) {
          panel.append(
            el("h3", { text: `failure (${failure.phase})` }),
            el("pre", { class: "failure", text: failure.text }),
          );
        }
        const crashIndex = tests.crash[test];
        const crash = crashIndex == null ? null : data.crashes[crashIndex];
        if (crash) {
          panel.append(
            el("h3", { text: "crash" }),
            fields([
              ["phase", crash.stage ? `${crash.phase} (${crash.stage})` : crash.phase],
              ["cause", crash.cause],
              ["signal", crash.signal_name],
              ["exit code", crash.exit_code],
              ["memory at death", crash.rss_bytes == null ? null : fmtBytes(crash.rss_bytes)],
              ["died at", crash.t == null ? null : fmtClock(crash.t, 0.001)],
              ["fixture", crash.fixture],
              ["collateral", crash.collateral ? "yes: another process's death took it down" : null],
              ["evidence", crash.evidence],
            ]),
          );
          if (crash.frames && crash.frames.length) {
            panel.append(
              el("h3", { text: "Python stack (innermost first)" }),
              el("pre", { class: "stack", text: crash.frames.join("\n") }),
            );
          }
          if (crash.traceback) {
            panel.append(
              el(
                "details",
                {},
                el("summary", { text: "faulthandler's output" }),
                el("pre", { class: "traceback", text: crash.traceback }),
              ),
            );
          }
        }
      },
    };
  }

  // ---------------------------------------------------------------------------------------------
  // The start

  // The verdict's crash items (rendered by blackbox) zoom the timeline to their crash.
  function wireVerdict(model) {
    for (const item of document.querySelectorAll("#verdict li.crash[data-crash]")) {
      const crash = (model.data.crashes || [])[Number(item.dataset.crash)];
      if (!crash) continue;
      item.classList.add("clickable");
      item.tabIndex = 0;
      item.title = "Show this crash on the timeline";
      const go = (e) => {
        if (e.target.closest("pre") && window.getSelection().toString()) return; // copying the stack
        if (crash.test != null) select(crash.test, { scrollTable: true });
        if (state.timeline) {
          state.timeline.zoomToCrash(crash);
          document.getElementById("timeline").scrollIntoView({ block: "nearest", behavior: "smooth" });
        }
      };
      item.addEventListener("click", go);
      item.addEventListener("keydown", (e) => {
        if (e.key === "Enter") go(e);
      });
    }
  }

  function showError(error) {
    console.error(error);
    const box = el("div", { class: "report-error", role: "alert" });
    const message = String((error && error.message) || error);
    box.append(el("strong", { text: "The report could not be drawn: " }), message);
    const main = document.querySelector("main") || document.body;
    main.prepend(box);
    document.body.dataset.ready = "error";
  }

  async function start() {
    const data = await decodeData();
    const model = buildModel(data);
    state.model = model;
    const timelineSection = document.getElementById("timeline");
    const testsSection = document.getElementById("tests");
    const workspace = el("div", { class: "workspace" });
    const tableBox = el("div", { class: "table-box" });
    const panel = el("aside", { id: "details", "aria-label": "The selected test" });
    testsSection.append(workspace);
    workspace.append(tableBox, panel);
    state.details = drawDetails(model, panel);
    state.table = drawTable(model, tableBox);
    if (typeof uPlot !== "function") throw new Error("the charting library (uPlot) did not load");
    state.timeline = drawTimeline(model, timelineSection);
    wireVerdict(model);
    document.body.dataset.ready = "1";
    performance.mark("blackbox-ready"); // the benchmark's "interactive" time
  }

  function run() {
    start().catch(showError);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", run);
  else run();
})();
