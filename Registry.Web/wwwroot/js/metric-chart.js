// <metric-chart> draws one metric of one or more runs with uPlot. It is a custom element so it starts by itself
// whenever a page (or Blazor's enhanced navigation) puts one in the document; no inline script is needed, so the
// page's CSP can forbid them. Data comes from our own origin (/ui/projects/{id}/metric-points), which calls the API
// with the session's token: the page's script never sees a token.
// Long series arrive down-sampled (at most max_points per run over the step range); zooming asks for the visible
// range again, so detail appears as you zoom in.
(() => {
    const palette = ["#0f5cc0", "#c239b3", "#0e700e", "#ca5010", "#4f6bed", "#a4262c", "#038387", "#8764b8", "#498205", "#986f0b"];

    function ema(values, weight) {
        if (!weight) return values;
        let last = null;
        return values.map(v => {
            if (v == null || !Number.isFinite(v)) return v;
            last = last == null ? v : last * weight + (1 - weight) * v;
            return last;
        });
    }

    class MetricChart extends HTMLElement {
        connectedCallback() {
            if (this.started) return;
            this.started = true;
            this.xMode = "step";
            this.logY = false;
            this.smoothing = 0;
            this.range = null;
            this.renderControls();
            this.load();
        }

        disconnectedCallback() {
            this.plot?.destroy();
            this.plot = null;
            this.started = false;
            this.innerHTML = "";
        }

        renderControls() {
            const key = this.dataset.key;
            const id = "c" + Math.random().toString(36).slice(2, 8);
            this.innerHTML = `
                <div class="controls" role="group">
                    <strong class="title"></strong>
                    <label>x-axis <select data-role="x" id="${id}x"><option value="step">step</option><option value="time">wall time</option></select></label>
                    <label><input type="checkbox" data-role="log"> log y</label>
                    <label>smoothing <input type="range" min="0" max="0.99" step="0.01" value="0" data-role="smooth"></label>
                    <button type="button" data-role="reset">Reset zoom</button>
                </div>
                <div class="plot" role="img"></div>
                <p class="status" aria-live="polite"></p>`;
            this.querySelector(".title").textContent = key;
            this.querySelector(".plot").setAttribute("aria-label", `Chart of ${key}`);
            this.querySelector("[data-role=x]").addEventListener("change", e => { this.xMode = e.target.value; this.range = null; this.draw(); });
            this.querySelector("[data-role=log]").addEventListener("change", e => { this.logY = e.target.checked; this.draw(); });
            this.querySelector("[data-role=smooth]").addEventListener("input", e => { this.smoothing = Number(e.target.value); this.draw(); });
            this.querySelector("[data-role=reset]").addEventListener("click", () => { this.range = null; this.load(); });
        }

        async load(start, end) {
            const query = new URLSearchParams({ runs: this.dataset.runs, key: this.dataset.key });
            if (start != null) query.set("start", Math.floor(start));
            if (end != null) query.set("end", Math.ceil(end));
            this.setAttribute("aria-busy", "true");
            try {
                const response = await fetch(`${this.dataset.src}?${query}`, { credentials: "same-origin", headers: { Accept: "application/json" } });
                const body = await response.json();
                if (!response.ok) throw new Error(body.message || response.statusText);
                this.series = body.runs;
                this.maxPoints = body.max_points;
                this.draw();
            } catch (e) {
                this.querySelector(".status").textContent = `Could not load ${this.dataset.key}: ${e.message}`;
            } finally {
                this.removeAttribute("aria-busy");
            }
        }

        draw() {
            if (!this.series) return;
            const labels = (this.dataset.labels || "").split("\u001f");
            const tables = this.series.map(s => {
                const xs = this.xMode === "step" ? s.steps : s.timestamps.map(t => t / 1000);
                const order = xs.map((_, i) => i).sort((a, b) => xs[a] - xs[b]);
                const ys = ema(order.map(i => s.values[i]), this.smoothing).map(v => this.logY && !(v > 0) ? null : v);
                return [order.map(i => xs[i]), ys];
            });
            const data = tables.length === 1 ? tables[0] : uPlot.join(tables);
            const points = this.series.reduce((n, s) => n + s.steps.length, 0);
            this.dataset.points = String(points);
            const sampled = this.series.some(s => s.steps.length >= this.maxPoints);
            this.querySelector(".status").textContent =
                `${points} points` + (sampled ? ` (down-sampled to ${this.maxPoints} per run; zoom in for detail)` : "");

            const host = this.querySelector(".plot");
            this.plot?.destroy();
            const width = Math.max(280, host.clientWidth || this.clientWidth - 16 || 480);
            this.plot = new uPlot({
                width, height: 240,
                scales: { x: { time: this.xMode === "time" }, y: { distr: this.logY ? 3 : 1 } },
                axes: [{ label: this.xMode === "step" ? "step" : "" }, {}],
                cursor: { drag: { x: true, y: false, setScale: false } },
                series: [{ label: this.xMode === "step" ? "step" : "time" }].concat(this.series.map((s, i) => ({
                    label: labels[i] || s.run_id.slice(0, 8), stroke: palette[i % palette.length], width: 1.5, spanGaps: false,
                    points: { show: s.steps.length <= 60 },
                }))),
                hooks: { setSelect: [u => this.zoomed(u)] },
            }, data, host);
            if (this.range) this.plot.setScale("x", this.range);
        }

        zoomed(u) {
            if (u.select.width < 2) return;
            const min = u.posToVal(u.select.left, "x"), max = u.posToVal(u.select.left + u.select.width, "x");
            this.range = { min, max };
            u.setSelect({ left: 0, width: 0, top: 0, height: 0 }, false);
            if (this.xMode === "step") {
                this.load(min, max);
            } else {
                u.setScale("x", this.range);
            }
        }
    }

    customElements.define("metric-chart", MetricChart);
})();
