// The studio's page: plain DOM code. Every change is a JSON POST with the X-Studio header (the server refuses
// others); state arrives through one event stream whose first message is a snapshot (a reload re-attaches).
"use strict";
const $ = (id) => document.getElementById(id);
const state = { source: null, kind: null, model: null, jobs: [], lastPreview: null, previewAbort: null };
const q = (params) => new URLSearchParams(params).toString();

function showError(message) {
  const box = $("error");
  if (!message) { box.hidden = true; box.textContent = ""; return; }
  box.textContent = message; box.hidden = false;
}

async function api(path, body, options = {}) {
  const init = body === undefined ? {} : {
    method: "POST", headers: { "X-Studio": "1", "Content-Type": options.type || "application/json" },
    body: options.type ? body : JSON.stringify(body), signal: options.signal,
  };
  const response = await fetch(path, init);
  const value = await response.json().catch(() => ({ error: `the server answered ${response.status}` }));
  if (!response.ok) { showError(value.error); throw new Error(value.error); }
  return value;
}

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (value !== undefined && value !== null) node.setAttribute(key, value);
  }
  for (const child of children) node.append(child);
  return node;
}

// Library ---------------------------------------------------------------------------------------------------
async function loadLibrary() {
  const { sources } = await api("/api/library");
  const grid = $("library"); grid.replaceChildren();
  const guide = document.querySelector("select[name=guide]");
  guide.replaceChildren(el("option", { value: "" }, "none"));
  for (const source of sources) {
    if (source.kind === "guide" || source.kind === "picture") guide.append(el("option", { value: source.name }, source.name));
    if (source.kind === "guide") continue;
    const card = el("div", { class: "card", "data-name": source.name, title: source.name, onclick: () => choose(source) },
      el("img", { loading: "lazy", alt: source.name, src: "/api/thumb?" + q({ name: source.name }) }),
      el("div", { class: "name" }, `${source.kind === "video" ? "▶ " : ""}${source.stem}`));
    if (source.name === state.source) card.classList.add("selected");
    grid.append(card);
  }
  const kept = sessionStorage.getItem("source");  // a reload keeps the source it showed
  if (!state.source && sources.length) choose(sources.find((s) => s.name === kept) || sources.find((s) => s.kind !== "guide") || sources[0]);
}

function choose(source) {
  state.source = source.name; state.kind = source.kind; sessionStorage.setItem("source", source.name);
  $("current").textContent = source.name;
  for (const card of $("library").children) card.classList.toggle("selected", card.dataset.name === source.name);
  loadLayers(); loadResults();
}

async function upload(files) {
  showError("");
  for (const file of files) {
    try {
      const { name } = await api("/api/upload?" + q({ filename: file.name }), file, { type: "application/octet-stream" });
      await loadLibrary();
      const found = [...$("library").children].find((card) => card.dataset.name === name);
      if (found) found.click();
    } catch (error) { /* shown */ }
  }
}

function setupDrop() {
  const drop = $("drop");
  drop.addEventListener("dragover", (event) => { event.preventDefault(); drop.classList.add("over"); });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (event) => { event.preventDefault(); drop.classList.remove("over"); upload(event.dataTransfer.files); });
  $("file-input").addEventListener("change", (event) => upload(event.target.files));
}

// Models and layers -------------------------------------------------------------------------------------------
async function loadModels() {
  const { local, zoo, downloads } = await api("/api/models");
  const select = $("model"); const previous = state.model; select.replaceChildren();
  for (const model of local) select.append(el("option", { value: model.name }, model.name));
  state.model = local.some((m) => m.name === previous) ? previous : (local[0] || {}).name || null;
  if (state.model) select.value = state.model;
  const table = $("zoo"); table.replaceChildren();
  for (const entry of zoo) {
    const download = downloads[entry.name];
    const status = download ? `${download.state} ${download.total ? Math.round(100 * download.done / download.total) + "%" : ""} ${download.message || ""}` : (entry.local ? "here" : "");
    table.append(el("tr", {}, el("td", {}, entry.name), el("td", {}, entry.license || ""),
      el("td", { class: "zoo-status", "data-name": entry.name }, status),
      el("td", {}, entry.local ? "" : el("button", { class: "small", onclick: () => api("/api/zoo/get", { name: entry.name }) }, "Get"))));
  }
  loadLayers();
}

async function loadLayers() {
  const grid = $("layers"); const asked = (state.layersAsked = (state.layersAsked || 0) + 1);
  if (!state.model || !state.source) { grid.replaceChildren(); return; }
  let answer;
  try { answer = await api("/api/layers?" + q({ model: state.model })); } catch (error) { return; }
  if (asked !== state.layersAsked) return;  // a later source or model asked meanwhile: its answer draws
  grid.replaceChildren(); $("channel-sheet").replaceChildren(); $("channel-sheet").hidden = true; $("sheet-more").hidden = true;
  $("f-layers").placeholder = answer.default;
  for (const row of answer.layers) {
    if (row.dreamable !== "yes") continue;
    const look = "/api/layer_look?" + q({ model: state.model, source: state.source, layer: row.blob });
    const card = el("div", { class: "card layer", "data-layer": row.blob, title: `${row.blob} ${row.shape}`,
      onclick: () => pickLayer(row.blob) },
      el("img", { loading: "lazy", alt: row.blob, src: look }), el("div", { class: "name" }, row.blob));
    grid.append(card);
  }
}

function pickLayer(blob) {
  $("f-layers").value = blob;
  for (const card of $("layers").children) card.classList.toggle("selected", card.dataset.layer === blob);
}

// The channel sheet: the chosen layer's channels, each dreamed alone (made once, then cached by the server).
async function loadChannelSheet(start = 0) {
  if (!state.model || !state.source) return showError("pick a picture and a model first");
  const layer = $("f-layers").value.split(/[\s,]+/).filter(Boolean)[0] || $("f-layers").placeholder;
  if (!layer) return showError("pick a layer first");
  const grid = $("channel-sheet"); grid.hidden = false; showError("");
  grid.replaceChildren(el("p", { class: "hint" }, `dreaming the channels of ${layer}…`));
  let answer;
  try { answer = await api("/api/channel_sheet?" + q({ model: state.model, source: state.source, layer, start })); }
  catch (error) { grid.replaceChildren(); return; }
  grid.replaceChildren(); grid.dataset.layer = layer;
  for (const cell of answer.cells) {
    grid.append(el("div", { class: "card channel", "data-channel": cell.channel, title: `${layer} channel ${cell.channel}`,
      onclick: (event) => pickChannel(layer, cell.channel, event.shiftKey) },
      el("img", { alt: `channel ${cell.channel}`, src: "/api/file?" + q({ name: cell.image }) }),
      el("div", { class: "name" }, `channel ${cell.channel} of ${answer.channels}`)));
  }
  const next = answer.start + answer.cells.length;
  const more = $("sheet-more"); more.hidden = next >= answer.channels;
  more.onclick = () => loadChannelSheet(next);
}

function pickChannel(layer, channel, add) {
  $("f-layers").value = layer;
  const field = $("f-channels");
  const chosen = add ? field.value.split(",").map((s) => s.trim()).filter(Boolean) : [];
  if (!chosen.includes(String(channel))) chosen.push(String(channel));
  field.value = chosen.join(",");
  for (const card of $("channel-sheet").children) card.classList.toggle("selected", chosen.includes(card.dataset.channel));
}

// Tune, preview and run ---------------------------------------------------------------------------------------
function settings() {
  const form = new FormData($("settings")); const value = {};
  for (const [key, raw] of form.entries()) {
    if (raw === "") continue;
    value[key] = ["flow", "guide", "channels"].includes(key) ? raw : key === "layers" ? raw.split(/[\s,]+/).filter(Boolean) : Number(raw);
  }
  return value;
}

async function preview() {
  if (!state.source) return showError("pick a picture in the library first");
  if (!state.model) return showError(NO_MODEL);
  showError(""); state.previewAbort = new AbortController();
  $("preview-btn").textContent = "Previewing… (Esc)";
  try {
    const answer = await api("/api/preview", { ...settings(), model: state.model, source: state.source }, { signal: state.previewAbort.signal });
    const stamp = Date.now();
    $("before").src = "/api/file?" + q({ name: answer.before, v: stamp });
    $("after").src = "/api/file?" + q({ name: answer.after, v: stamp });
    $("after-caption").textContent = `after: ${answer.layer}, ${answer.seconds} s at ${answer.size.join("×")}`;
    $("preview").hidden = false;
  } catch (error) { /* shown */ } finally { $("preview-btn").textContent = "Preview"; state.previewAbort = null; }
}

function cancelPreview() {
  if (!state.previewAbort) return;
  api("/api/preview/cancel", {}).catch(() => {});
  state.previewAbort.abort(); showError("preview cancelled");
}

// Said when a run is asked for before the model list has come (a page just opened) or when the studio has none.
const NO_MODEL = "no model picked yet: wait for the model list, or get a model from the zoo";

async function runJob(kind) {
  if (!state.source) return showError("pick a source in the library first");
  if (!state.model) return showError(NO_MODEL);
  showError("");
  const answer = await api("/api/jobs", { ...settings(), kind, model: state.model, source: state.source }).catch(() => null);
  if (answer && !answer.new) showError(`this run is already ${answer.job.state}: it is job ${answer.job.id}`);
}

// Jobs ---------------------------------------------------------------------------------------------------------
function renderJobs(jobs) {
  const box = $("jobs"); box.replaceChildren();
  for (const job of [...jobs].reverse()) {
    if (job.state === "cancelled" && Date.now() / 1000 - job.created > 600) continue;
    const percent = job.total ? Math.min(100, Math.round(100 * job.done / job.total)) : (job.state === "done" ? 100 : 0);
    const timing = job.seconds_per_frame != null ? ` · ${job.seconds_per_frame.toFixed(2)} s/frame` : "";
    const left = job.seconds_left != null ? ` · ${Math.round(job.seconds_left)} s left` : "";
    const actions = el("span");
    if (job.state === "queued" || job.state === "running")
      actions.append(el("button", { class: "small cancel", onclick: () => api(`/api/jobs/${job.id}/cancel`, {}) }, "Cancel"));
    if (job.state === "stopped" || job.state === "failed")
      actions.append(el("button", { class: "small resume", onclick: () => api(`/api/jobs/${job.id}/resume`, {}) }, "Resume"));
    const image = el("img", { alt: "" });
    if (job.last_frame) image.src = "/api/file?" + q({ name: job.last_frame, v: Math.floor(Date.now() / 2000) });
    box.append(el("div", { class: "job", "data-id": job.id, "data-state": job.state }, image, el("div", {},
      el("div", {}, el("span", { class: `state ${job.state}` }, job.state), ` ${job.spec.kind} ${job.spec.source} `, actions),
      el("div", { class: "bar" }, Object.assign(el("div"), { style: `width:${percent}%` })),
      el("div", { class: "progress" }, `${job.done}${job.total ? " / " + job.total : ""} frames${timing}${left} · ${job.message}`),
      el("code", {}, job.command))));
  }
  const finished = jobs.filter((j) => j.state === "done").length;
  if (finished !== state.finished) { state.finished = finished; loadResults(); }
}

function listen() {
  const events = new EventSource("/api/events");
  const take = (message) => { const value = JSON.parse(message.data); state.jobs = value.jobs; renderJobs(value.jobs); updateDownloads(value.downloads); };
  events.addEventListener("snapshot", take);
  events.addEventListener("state", take);
}

function updateDownloads(downloads) {
  let finished = false;
  for (const [name, download] of Object.entries(downloads || {})) {
    const cell = document.querySelector(`.zoo-status[data-name="${CSS.escape(name)}"]`);
    if (cell) cell.textContent = `${download.state} ${download.total ? Math.round(100 * download.done / download.total) + "%" : ""} ${download.message || ""}`;
    if (download.state === "done" && !state.fetched?.[name]) { state.fetched = { ...(state.fetched || {}), [name]: true }; finished = true; }
  }
  if (finished) loadModels();
}

// Results ------------------------------------------------------------------------------------------------------
async function loadResults() {
  const box = $("results"); const asked = (state.resultsAsked = (state.resultsAsked || 0) + 1);
  if (!state.source) return;
  const { dreams } = await api("/api/dreams?" + q({ source: state.source })).catch(() => ({ dreams: [] }));
  if (asked !== state.resultsAsked) return;
  box.replaceChildren();
  if (!dreams.length) box.append(el("p", { class: "hint" }, "no dreams of this source yet"));
  for (const dream of dreams) {
    const buttons = el("span");
    const playable = dream.video || (dream.kind === "video" ? dream.name : null);
    if (playable) {
      buttons.append(el("button", { class: "small play", onclick: () => play(playable) }, "Play"),
        el("a", { class: "small", href: "/api/file?" + q({ name: playable, download: true }) }, " download "));
    } else if (dream.kind === "picture") {
      buttons.append(el("a", { href: "/api/file?" + q({ name: dream.name }), target: "_blank" }, "open "),
        el("a", { href: "/api/file?" + q({ name: dream.name, download: true }) }, " download "));
    }
    if (dream.settings) buttons.append(el("button", { class: "small again", onclick: () => useAgain(dream.settings) }, "Use these settings again"));
    buttons.append(el("button", { class: "small delete", onclick: () => remove(dream.name) }, "Delete"));
    const detail = dream.kind === "frames" ? `${dream.frames} frames${dream.complete === false ? " (stopped)" : ""} · ${dream.described}` : "";
    box.append(el("div", { class: "dream", "data-name": dream.name }, el("strong", {}, dream.label), " ", buttons, el("code", {}, detail)));
  }
}

function play(name) {
  const player = $("player"); player.hidden = false;
  player.src = "/api/file?" + q({ name });
}

function useAgain(recorded) {
  const form = $("settings");
  const map = { octaves: "octaves", iterations: "iterations", step_size: "step_size", jitter: "jitter", blend: "blend", temporal: "temporal" };
  for (const [key, field] of Object.entries(map)) if (recorded[key] !== undefined && form.elements[field]) form.elements[field].value = recorded[key];
  $("f-channels").value = typeof recorded.channels === "string" ? recorded.channels : "";
  if (Array.isArray(recorded.layers)) $("f-layers").value = [...new Set(recorded.layers)].join(" ");
  if (recorded.flow && form.elements.flow) form.elements.flow.value = typeof recorded.flow === "string" ? recorded.flow : (recorded.flow.method || "off");
  showError("");
}

async function remove(name) {
  if (!confirm(`Delete ${name}? The source is kept.`)) return;
  await api("/api/delete", { name }).catch(() => null);
  loadResults();
}

// Keys and start ---------------------------------------------------------------------------------------------
document.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) { event.preventDefault(); runJob(state.kind === "video" ? "video" : "picture"); }
  if (event.key === "Escape") cancelPreview();
});
$("preview-btn").addEventListener("click", preview);
$("sheet-btn").addEventListener("click", () => loadChannelSheet(0));
$("run-picture").addEventListener("click", () => runJob("picture"));
$("run-video").addEventListener("click", () => runJob("video"));
$("run-zoom").addEventListener("click", () => runJob("zoom"));
$("cancel-waiting").addEventListener("click", () => api("/api/jobs/cancel_waiting", {}));
$("model").addEventListener("change", (event) => { state.model = event.target.value; loadLayers(); });
setupDrop();
loadLibrary().then(loadModels);
listen();
