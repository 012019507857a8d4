// posecheck serve: the practice page.
//
// The page decides nothing about the pose: it sends camera frames to posecheck on this
// machine and draws what comes back (the skeleton coloured by status, the values at the
// joints, the one cue, the hold timer, the routine's step), and says what it is told to.
// Newest-frame policy: the next frame leaves only when the answer to the last one has
// arrived, so nothing queues and the picture judged is always the newest.
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);
  const els = {
    choice: $("choice"), side: $("side"), sideBox: $("side-box"), start: $("start"), stop: $("stop"),
    voice: $("voice"), mirror: $("mirror"), conn: $("conn"), stage: $("stage"), video: $("video"),
    canvas: $("overlay"), band: $("band"), head: $("head"), title: $("title"), note: $("note"), timer: $("timer"),
    timerText: $("timer-text"), timerFill: $("timer-fill"), timerPose: $("timer-pose"), cue: $("cue"), fps: $("fps"), help: $("help"),
    placeholder: $("placeholder"), message: $("message"), result: $("result"), history: $("history"),
    historyEmpty: $("history-empty"),
  };
  const token = new URLSearchParams(location.search).get("token");
  const withToken = (path) => token ? `${path}${path.includes("?") ? "&" : "?"}token=${encodeURIComponent(token)}` : path;
  const RANK = { ok: 0, unknown: 1, near: 2, off: 3 };
  const HELP = ["q / Esc   end the session", "space     pause", "m         mirror on/off", "v         voice on/off",
                "f         frames per second on/off"];

  // What the tests and the benchmark read: the answers' timings and what was said.
  const stats = { rtt: [], model: [], server: [], encode: [], answers: 0, cues: [], spoken: [], notices: [],
                  sessions: [] };
  window.posecheck = { stats, state: null };

  const state = {
    catalogue: null, ws: null, wsOpen: false, phase: "idle", // idle | camera | starting | running | ending
    stream: null, capture: document.createElement("canvas"), width: 0, height: 0, fps: 30, label: "",
    t0: 0, seenFrames: 0, seenBase: 0, sentFrame: -1, inFlight: false, sentAt: 0, paused: false, last: null, ready: null,
    mirror: true, showFps: false, showHelp: false, resume: null, reconnectDelay: 500, everConnected: false,
    lostShown: false,
    shownTimes: [],
  };
  window.posecheck.state = state;

  // -- messages on the page ----------------------------------------------------------------

  function showMessage(text, kind = "error") {
    stats.notices.push({ kind, text });
    els.message.textContent = text;
    els.message.className = kind;
    els.message.hidden = !text;
  }
  const clearMessage = () => { els.message.hidden = true; els.message.textContent = ""; };

  function setConn(text, bad = false) {
    els.conn.textContent = text;
    els.conn.classList.toggle("bad", bad);
  }

  // -- the catalogue and the history -------------------------------------------------------

  async function fetchJson(path) {
    const res = await fetch(withToken(path), { cache: "no-store" });
    if (res.status === 403) throw Object.assign(new Error(await res.text()), { refused: true });
    if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
    return res.json();
  }

  function fillChoices(cat) {
    const keep = els.choice.value || localStorage.getItem("posecheck.choice") || "";
    els.choice.textContent = "";
    const group = (label) => { const g = document.createElement("optgroup"); g.label = label; els.choice.append(g); return g; };
    const option = (parent, value, text) => { const o = document.createElement("option"); o.value = value; o.textContent = text; parent.append(o); };
    const poses = group("Poses");
    for (const p of cat.poses) option(poses, `pose:${p.id}`, p.title);
    option(group("Any pose"), "auto", "Any pose (recognised as you go)");
    if (cat.routines.length) {
      const routines = group("Routines");
      for (const r of cat.routines) option(routines, `routine:${r.id}`, `${r.title} (${r.holds} holds)`);
    }
    if ([...els.choice.options].some((o) => o.value === keep)) els.choice.value = keep;
    updateSideBox();
  }

  function choice() {
    const v = els.choice.value;
    if (v.startsWith("routine:")) return { routine: v.slice(8) };
    if (v === "auto") return { pose: "auto", side: els.side.value };
    return { pose: v.slice(5), side: els.side.value };
  }

  function updateSideBox() {
    const v = els.choice.value;
    const pose = state.catalogue && state.catalogue.poses.find((p) => `pose:${p.id}` === v);
    els.sideBox.hidden = !(pose && pose.sides) && v !== "auto";
  }

  const fmt = (x, digits = 0) => (x === null || x === undefined ? "—" : Number(x).toFixed(digits));

  async function loadHistory() {
    let data;
    try { data = await fetchJson("/api/history"); } catch (e) { return; }
    const body = els.history.querySelector("tbody");
    body.textContent = "";
    for (const s of data.sessions) {
      const tr = document.createElement("tr");
      const cell = (text, cls) => { const td = document.createElement("td"); td.textContent = text; if (cls) td.className = cls; tr.append(td); return td; };
      cell(s.started_at.replace("T", " ").slice(0, 16));
      cell(s.pose_title + (s.side && s.side !== "both" ? `, ${s.side}` : "") + (s.mode === "score" ? " (video)" : ""));
      cell(fmt(s.score), "n");
      cell(`${fmt(s.time_in_good_form_s, 1)} s`, "n");
      const link = cell("");
      if (s.report) {
        const a = document.createElement("a");
        a.href = withToken(s.report); a.target = "_blank"; a.rel = "noopener"; a.textContent = "report";
        link.append(a);
      }
      body.append(tr);
    }
    els.history.hidden = data.sessions.length === 0;
    els.historyEmpty.hidden = data.sessions.length !== 0;
    if (data.error) els.historyEmpty.textContent = `The history cannot be read: ${data.error}`;
  }

  // -- the socket --------------------------------------------------------------------------

  function connect() {
    const ws = new WebSocket(withToken(`ws://${location.host}/ws`));
    ws.binaryType = "arraybuffer";
    state.ws = ws;
    ws.onopen = () => {
      state.wsOpen = true;
      state.reconnectDelay = 500;
      setConn("connected");
      if (state.resume) {
        const resume = state.resume;
        state.resume = null;
        showMessage("Reconnected to posecheck. The session before was saved (see Past sessions); a new one "
                    + "is starting.", "info");
        startSession(resume);
      } else if (state.everConnected && state.lostShown) {
        showMessage("Reconnected to posecheck.", "info");
      }
      state.lostShown = false;
      state.everConnected = true;
    };
    ws.onmessage = (ev) => onMessage(JSON.parse(ev.data));
    ws.onclose = (ev) => onClose(ev);
  }

  function onClose(ev) {
    const wasRunning = state.phase === "running" || state.phase === "starting";
    state.wsOpen = false;
    state.inFlight = false;
    if (ev.code === 1009) {
      showMessage(`A frame was larger than posecheck accepts (${Math.round(state.catalogue.max_message_bytes / 2 ** 20)} MB). `
                  + "The session so far is saved. Lower the camera's resolution and press Start again.");
      stopCamera();
      setPhase("idle");
    } else if (wasRunning) {
      showMessage("The connection to posecheck was lost (the server stopped or restarted). What was measured "
                  + "until then is saved. Reconnecting…");
      state.resume = choice();
      state.lostShown = true;
      setPhase("camera");
    } else if (state.everConnected) {
      showMessage("The connection to posecheck was lost (the server stopped or restarted). Reconnecting…");
      state.lostShown = true;
    }
    setConn("disconnected: reconnecting…", true);
    setTimeout(reconnect, state.reconnectDelay);
  }

  async function reconnect() {
    state.reconnectDelay = Math.min(state.reconnectDelay * 2, 5000);
    try {
      state.catalogue = await fetchJson("/api/catalogue");
    } catch (e) {
      if (e.refused) {
        showMessage("posecheck refused this page: it was restarted with a new access code. Open the address it "
                    + "printed on its console.");
        setConn("refused", true);
        stopCamera();
        setPhase("idle");
        return;
      }
      setTimeout(reconnect, state.reconnectDelay);
      return;
    }
    if (!els.choice.options.length) fillChoices(state.catalogue);
    loadHistory();
    connect();
  }

  const send = (obj) => { if (state.wsOpen) state.ws.send(JSON.stringify(obj)); };

  function onMessage(m) {
    switch (m.type) {
      case "ready": onReady(m); break;
      case "frame": onAnswer(m); break;
      case "frame-error": state.inFlight = false; showMessage(m.message); sendNext(); break;
      case "said": say(m.text, true); break;
      case "ended": onEnded(m); break;
      case "notice":
        showMessage(m.message, m.kind);
        if (state.phase === "starting") { stopCamera(); setPhase("idle"); }
        break;
      default: break;
    }
  }

  // -- starting and ending -----------------------------------------------------------------

  function cameraProblem(err) {
    const name = err && err.name;
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      return "This browser offers the camera only to secure pages: open posecheck on this machine at "
             + `http://127.0.0.1:${location.port}/ (browsers refuse cameras to plain http from other addresses).`;
    }
    if (name === "NotAllowedError" || name === "SecurityError") {
      return "The camera is blocked for this page. Allow it in the browser (the camera icon in the address bar, "
             + "or the site settings), then press Start again.";
    }
    if (name === "NotFoundError" || name === "OverconstrainedError") {
      return "No camera was found. Connect one (or check that it is switched on) and press Start again.";
    }
    if (name === "NotReadableError" || name === "AbortError") {
      return "The camera cannot be started: another application may be using it. Close it there and press "
             + "Start again.";
    }
    return `The camera cannot be used (${name || err}). Check it and press Start again.`;
  }

  async function openCamera() {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) throw new Error("insecure");
    const stream = await navigator.mediaDevices.getUserMedia({
      video: { width: { ideal: 1280 }, height: { ideal: 720 }, frameRate: { ideal: 30 } }, audio: false });
    const video = els.video;
    video.srcObject = stream;
    await video.play();
    if (!video.videoWidth) await new Promise((ok) => video.addEventListener("loadedmetadata", ok, { once: true }));
    const track = stream.getVideoTracks()[0];
    const settings = track.getSettings ? track.getSettings() : {};
    // The frames sent are at most 960 pixels wide: the model looks at a 256-pixel crop of the
    // person anyway, and the page encodes (and the server decodes) half the pixels of 720p.
    const scale = Math.min(1, 960 / video.videoWidth);
    state.width = Math.round(video.videoWidth * scale / 2) * 2;
    state.height = Math.round(video.videoHeight * scale / 2) * 2;
    state.fps = settings.frameRate || 30;
    state.label = track.label || "";
    state.capture.width = state.width;
    state.capture.height = state.height;
    els.stage.style.aspectRatio = `${state.width} / ${state.height}`;
    track.addEventListener("ended", onCameraLost);
    state.stream = stream;
    watchFrames();
  }

  function stopCamera() {
    if (state.stream) {
      for (const t of state.stream.getTracks()) { t.removeEventListener("ended", onCameraLost); t.stop(); }
    }
    state.stream = null;
    els.video.srcObject = null;
  }

  function onCameraLost() {
    if (state.phase === "running" || state.phase === "starting") {
      send({ type: "end", reason: "camera lost" });
      setPhase("ending");
    }
    showMessage("The camera stopped (unplugged, switched off or taken by another application). The session so far "
                + "is saved. Press Start to go on.");
    stopCamera();
  }

  async function startSession(chosen) {
    if (!state.wsOpen) { showMessage("Not connected to posecheck yet: wait a moment and press Start again."); return; }
    if (!state.stream) {
      setPhase("camera");
      try { await openCamera(); } catch (err) { showMessage(cameraProblem(err)); setPhase("idle"); return; }
    }
    setPhase("starting");
    send({ type: "start", ...chosen,
           camera: { width: state.width, height: state.height, fps: state.fps, label: state.label } });
  }

  function onReady(m) {
    state.ready = m;
    state.t0 = performance.now();
    state.sentFrame = state.seenFrames; // the first frame sent is one taken from now on
    state.seenBase = state.seenFrames; // the session counts the camera's frames from its start
    state.inFlight = false;
    state.paused = false;
    state.last = null;
    stats.sessions.push(m.session);
    setPhase("running");
    els.stage.classList.toggle("routine", m.mode === "routine");
    els.title.textContent = m.title;
    sendNext();
  }

  function endSession() {
    if (state.phase !== "running") return;
    send({ type: "end" });
    setPhase("ending");
  }

  function onEnded(m) {
    state.inFlight = false;
    state.ready = null;
    stopCamera();
    setPhase("idle");
    showResult(m);
    loadHistory();
  }

  function showResult(m) {
    const r = els.result;
    r.textContent = "";
    const line = (text) => { const p = document.createElement("div"); p.textContent = text; r.append(p); return p; };
    const b = document.createElement("b");
    b.textContent = "Session saved";
    r.append(b);
    line(`${m.frames} frames · in the pose ${fmt(m.time_in_pose_s, 1)} s · good form ${fmt(m.time_in_good_form_s, 1)} s`
         + (m.score !== null ? ` · score ${fmt(m.score)}/100` : " · score not judged"));
    if (m.holds_planned !== null) line(`${m.holds_done} of ${m.holds_planned} holds done`);
    if (m.poses.length) line(`Poses: ${m.poses.join(", ")}`);
    line(`Ended: ${m.ended_by}`).className = "quiet";
    for (const w of m.warnings) line(`Note: ${w}`).className = "quiet";
    if (m.report) {
      const a = document.createElement("a");
      a.href = withToken(m.report); a.target = "_blank"; a.rel = "noopener"; a.textContent = "Open the report";
      line("").append(a);
    }
    r.hidden = false;
    r.dataset.session = m.session;
  }

  function setPhase(phase) {
    state.phase = phase;
    const busy = phase !== "idle";
    els.start.hidden = phase === "running" || phase === "ending";
    els.start.disabled = busy;
    els.start.textContent = phase === "starting" || phase === "camera" ? "Starting…" : "Start";
    els.stop.hidden = !(phase === "running" || phase === "ending");
    els.stop.disabled = phase === "ending";
    els.stop.textContent = phase === "ending" ? "Saving…" : "End session";
    els.choice.disabled = busy;
    els.side.disabled = busy;
    els.placeholder.hidden = phase !== "idle";
    document.body.dataset.phase = phase;
    if (phase === "idle") clearOverlay();
    if (phase === "starting") els.note.textContent = "Loading the model…";
  }

  // -- frames out --------------------------------------------------------------------------

  function watchFrames() {
    const video = els.video;
    if (video.requestVideoFrameCallback) {
      const onFrame = () => {
        if (!state.stream) return;
        state.seenFrames += 1;
        sendNext();
        video.requestVideoFrameCallback(onFrame);
      };
      video.requestVideoFrameCallback(onFrame);
    } else {
      let lastTime = -1;
      const poll = () => {
        if (!state.stream) return;
        if (video.currentTime !== lastTime) { lastTime = video.currentTime; state.seenFrames += 1; sendNext(); }
        requestAnimationFrame(poll);
      };
      requestAnimationFrame(poll);
    }
  }

  // The next frame leaves only when the last answer is back and the camera has a newer frame.
  function sendNext() {
    if (state.phase !== "running" || state.paused || state.inFlight || !state.wsOpen) return;
    if (state.seenFrames === state.sentFrame || !state.stream) return;
    state.inFlight = true;
    state.sentFrame = state.seenFrames;
    const seen = state.seenFrames - state.seenBase;
    const taken = performance.now();
    const ctx = state.capture.getContext("2d");
    ctx.drawImage(els.video, 0, 0, state.width, state.height);
    state.capture.toBlob(async (blob) => {
      if (!blob || state.phase !== "running" || !state.wsOpen) { state.inFlight = false; return; }
      const picture = new Uint8Array(await blob.arrayBuffer());
      const head = new TextEncoder().encode(JSON.stringify({ t: (taken - state.t0) / 1000, seen }));
      const msg = new Uint8Array(4 + head.length + picture.length);
      new DataView(msg.buffer).setUint32(0, head.length, true);
      msg.set(head, 4);
      msg.set(picture, 4 + head.length);
      state.sentAt = performance.now();
      stats.encode.push(state.sentAt - taken);
      state.ws.send(msg.buffer);
    }, "image/jpeg", 0.85);
  }

  // -- answers in --------------------------------------------------------------------------

  function onAnswer(a) {
    const now = performance.now();
    state.inFlight = false;
    stats.rtt.push(now - state.sentAt);
    stats.model.push(a.model_ms);
    stats.server.push(a.server_ms);
    stats.answers += 1;
    state.shownTimes.push(now);
    if (state.shownTimes.length > 30) state.shownTimes.shift();
    if (!a.pending) {
      state.last = a;
      if (a.cue && (stats.cues.length === 0 || stats.cues[stats.cues.length - 1] !== a.cue)) stats.cues.push(a.cue);
      say(a.say, a.announcement);
      draw();
    }
    sendNext();
  }

  // -- drawing -----------------------------------------------------------------------------

  function clearOverlay() {
    const c = els.canvas;
    c.getContext("2d").clearRect(0, 0, c.width, c.height);
    els.cue.hidden = true;
    els.timer.hidden = true;
    els.band.hidden = true;
    els.title.textContent = "";
    els.note.textContent = "";
    els.stage.classList.remove("has-cue");
  }

  function note(a) {
    const own = [];
    if (state.paused) own.push("paused: space to go on");
    if (state.mirror) own.push("mirrored");
    own.push(els.voice.checked ? "voice on" : "voice off");
    return [a ? a.note : "", own.join(", ")].filter(Boolean).join("  ·  ");
  }

  function draw() {
    const a = state.last;
    const canvas = els.canvas;
    const rect = canvas.getBoundingClientRect();
    const dpr = window.devicePixelRatio || 1;
    canvas.width = Math.max(1, Math.round(rect.width * dpr));
    canvas.height = Math.max(1, Math.round(rect.height * dpr));
    const ctx = canvas.getContext("2d");
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, rect.width, rect.height);
    els.note.textContent = note(a);
    els.fps.hidden = !state.showFps;
    if (state.showFps && state.shownTimes.length > 1) {
      const t = state.shownTimes;
      els.fps.textContent = `${((t.length - 1) / ((t[t.length - 1] - t[0]) / 1000)).toFixed(0)} fps`;
    }
    els.help.hidden = !state.showHelp;
    if (state.showHelp) els.help.textContent = [...HELP, ...(state.ready ? state.ready.keys : []), "h         this help"].join("\n");
    if (!a) return;
    drawSkeleton(ctx, a, rect.width, rect.height);
    // The header: a routine's step on its band, else the title and the leg in front.
    els.band.hidden = !a.step;
    els.title.textContent = a.step || (a.title + (a.side ? ` — ${a.side} leg forward` : ""));
    if (a.rest_s !== null) {
      els.timer.hidden = false;
      els.timer.classList.add("rest");
      els.timerText.textContent = `rest ${Math.ceil(a.rest_s)} s`;
      els.timerPose.textContent = "";
      els.timerFill.parentElement.hidden = true;
    } else if (a.hold_s !== null) {
      els.timer.hidden = false;
      els.timer.classList.remove("rest");
      const target = a.hold_target_s;
      // Worded by the server as live's window words it: good form toward the target.
      els.timerText.textContent = a.timer_text;
      els.timerPose.textContent = a.pose_text;
      els.timerFill.parentElement.hidden = !target;
      if (target) {
        els.timerFill.style.width = `${Math.min(a.hold_s / target, 1) * 100}%`;
        els.timerFill.classList.toggle("done", a.hold_s >= target);
      }
    } else {
      els.timer.hidden = true;
    }
    els.cue.hidden = !a.cue;
    els.cue.textContent = a.cue || "";
    els.cue.classList.toggle("camera", a.cue_kind === "camera");
    els.stage.classList.toggle("has-cue", !!a.cue);
    placeCue(a);
  }

  // The cue's band goes at the bottom, like subtitles, unless the body is there and not at the
  // top (the knees and feet of a frog filmed from behind): the band covering fewer of the joints
  // the checks measure, then fewer other points of the body, wins; the bottom on a tie. The rule
  // of live's window (posecheck/render/overlay/cue.py), on the page's own boxes.
  function placeCue(a) {
    if (!a.cue) { els.stage.classList.remove("cue-top"); return; }
    const h = els.stage.clientHeight, ch = els.cue.offsetHeight;
    if (!h || !ch) return;
    let top = 0;
    for (const el of [els.head, els.band, els.timer]) {
      if (el && !el.hidden) top = Math.max(top, el.offsetTop + el.offsetHeight);
    }
    top += 6;
    const r = Math.max(6, 9 * Math.max(h, 360) / 720);  // a joint's dot stays whole
    const judged = new Set();
    for (const c of a.checks) for (const lm of c.landmarks) judged.add(lm);
    const covered = (y0, y1) => {
      let j = 0, b = 0;
      for (let i = state.catalogue.drawing.first_drawn; i < a.points.length; i++) {
        const p = a.points[i];
        if (!p) continue;
        const y = p[1] * h;
        if (y < y0 - r || y > y1 + r) continue;
        if (judged.has(i)) j++; else b++;
      }
      return [j, b];
    };
    const [tj, tb] = covered(top, top + ch), [bj, bb] = covered(h - ch, h);
    const up = tj < bj || (tj === bj && tb < bb);
    els.stage.classList.toggle("cue-top", up);
    els.cue.style.top = up ? `${top}px` : "";
  }

  function drawSkeleton(ctx, a, w, h) {
    const rules = state.catalogue.drawing;
    const rgb = (s) => `rgb(${rules.colours[s].join(",")})`;
    const pt = (i) => {
      const p = a.points[i];
      if (!p) return null;
      // Mirrored like a mirror; the labels still name the person's own sides.
      return [(state.mirror ? 1 - p[0] : p[0]) * w, p[1] * h];
    };
    const unit = Math.max(h, 360) / 720;
    // Each joint takes the worst status of the checks that use it, as in live's window.
    const joint = {};
    for (const c of a.checks) {
      for (const lm of c.landmarks) {
        if (joint[lm] === undefined || RANK[c.status] > RANK[joint[lm]]) joint[lm] = c.status;
      }
    }
    ctx.lineCap = "round";
    ctx.strokeStyle = "rgb(235,235,235)";
    ctx.lineWidth = Math.max(2, 3 * unit);
    for (const [i, j] of rules.bones) {
      const p = pt(i), q = pt(j);
      if (!p || !q) continue;
      ctx.beginPath(); ctx.moveTo(p[0], p[1]); ctx.lineTo(q[0], q[1]); ctx.stroke();
    }
    const small = Math.max(3, 4 * unit), big = Math.max(6, 9 * unit);
    for (let i = rules.first_drawn; i < a.points.length; i++) {
      const p = pt(i);
      if (!p) continue;
      const s = joint[i];
      ctx.beginPath();
      ctx.arc(p[0], p[1], s ? big : small, 0, 2 * Math.PI);
      ctx.fillStyle = s ? rgb(s) : "rgb(235,235,235)";
      ctx.fill();
      if (s) { ctx.lineWidth = 1; ctx.strokeStyle = "rgb(20,20,20)"; ctx.stroke(); }
    }
    // The measured value and its target beside the joint it is measured at.
    const fs = Math.max(14, Math.round(22 * unit));
    ctx.font = `bold ${fs}px "DejaVu Sans", sans-serif`;
    ctx.textBaseline = "middle";
    ctx.lineJoin = "round";
    const stacked = {};
    for (const c of a.checks) {
      if (c.anchor === null) continue;
      const p = pt(c.anchor);
      if (!p) continue;
      let text;
      // As live writes it: angles with their target, ratios in words (the exact ratio is in
      // frames.csv and the report).
      text = c.label || "?";
      const k = stacked[c.anchor] || 0;
      stacked[c.anchor] = k + 1;
      const tw = ctx.measureText(text).width;
      const x = p[0] + big + 4 + tw < w ? p[0] + big + 4 : p[0] - big - 4 - tw;
      const y = p[1] + k * Math.round(fs * 1.3);
      ctx.lineWidth = Math.max(2, fs / 7);
      ctx.strokeStyle = "rgb(0,0,0)";
      ctx.strokeText(text, x, y);
      ctx.fillStyle = rgb(c.status);
      ctx.fillText(text, x, y);
    }
  }

  // -- voice -------------------------------------------------------------------------------

  // One sentence waits at most, and a newer one replaces it; a cue never cuts an
  // announcement short ("Now the other side"), as live's voice does.
  const voice = { speaking: null, waiting: null };

  function say(text, announcement) {
    if (!text || !els.voice.checked || !window.speechSynthesis) return;
    if (!announcement && ((voice.speaking && voice.speaking.announcement) || (voice.waiting && voice.waiting.announcement))) return;
    voice.waiting = { text, announcement };
    if (!voice.speaking) speakNext();
  }

  function speakNext() {
    const next = voice.waiting;
    voice.waiting = null;
    voice.speaking = next;
    if (!next) return;
    const u = new SpeechSynthesisUtterance(next.text);
    u.lang = "en";
    const done = () => { if (voice.speaking === next) { voice.speaking = null; speakNext(); } };
    u.onend = done;
    u.onerror = done;
    stats.spoken.push(next.text);
    speechSynthesis.speak(u);
    // A browser without voices may never end an utterance: do not wait forever.
    setTimeout(done, 1500 + 90 * next.text.length);
  }

  function toggleVoice() {
    els.voice.checked = !els.voice.checked;
    onVoiceChange();
  }

  function onVoiceChange() {
    localStorage.setItem("posecheck.voice", els.voice.checked ? "on" : "off");
    if (!els.voice.checked && window.speechSynthesis) { speechSynthesis.cancel(); voice.speaking = voice.waiting = null; }
    draw();
  }

  // -- keys --------------------------------------------------------------------------------

  function onKey(e) {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    const tag = e.target && e.target.tagName;
    if ((tag === "SELECT" || tag === "INPUT") && e.key !== "Escape") return;
    const k = e.key === "Escape" ? "esc" : e.key.toLowerCase();
    let handled = true;
    if (k === "q" || k === "esc") endSession();
    else if (k === " ") {
      if (state.phase === "running") { state.paused = !state.paused; if (!state.paused) sendNext(); }
      else if (state.phase === "idle") { startSession(choice()); }
    } else if (k === "s" || k === "n") { if (state.phase === "running") send({ type: "key", key: k }); }
    else if (k === "v") toggleVoice();
    else if (k === "m") { els.mirror.checked = !els.mirror.checked; setMirror(); }
    else if (k === "f") state.showFps = !state.showFps;
    else if (k === "h") state.showHelp = !state.showHelp;
    else handled = false;
    if (handled) { e.preventDefault(); draw(); }
  }

  function setMirror() {
    state.mirror = els.mirror.checked;
    els.stage.classList.toggle("mirrored", state.mirror);
    localStorage.setItem("posecheck.mirror", state.mirror ? "on" : "off");
    draw();
  }

  // -- start -------------------------------------------------------------------------------

  async function init() {
    els.voice.checked = localStorage.getItem("posecheck.voice") !== "off";
    els.mirror.checked = localStorage.getItem("posecheck.mirror") !== "off";
    setMirror();
    setPhase("idle");
    els.start.addEventListener("click", () => { clearMessage(); startSession(choice()); });
    els.stop.addEventListener("click", endSession);
    els.voice.addEventListener("change", onVoiceChange);
    els.mirror.addEventListener("change", setMirror);
    els.choice.addEventListener("change", () => { localStorage.setItem("posecheck.choice", els.choice.value); updateSideBox(); });
    document.addEventListener("keydown", onKey);
    window.addEventListener("resize", draw);
    try {
      state.catalogue = await fetchJson("/api/catalogue");
    } catch (e) {
      showMessage(e.refused ? "posecheck refused this page: open the address it printed on its console (with its "
                              + "access code)." : "posecheck is not answering. Is posecheck serve still running?");
      setConn(e.refused ? "refused" : "not answering", true);
      if (!e.refused) setTimeout(reconnect, 1000);
      return;
    }
    fillChoices(state.catalogue);
    loadHistory();
    connect();
  }

  init();
})();
