/* Partnerline program console: the page a program manager runs the program from.
 *
 * One hand-written script, no dependencies, no build step. It calls only the public JSON API
 * with the admin token the manager pastes in, which lives in a variable of this script (and,
 * if asked, in a session cookie limited to /console): never in a URL, never in localStorage.
 * Every value from the API reaches the page as text (textContent, createElement,
 * setAttribute), never as HTML.
 */
"use strict";
(() => {
  const COOKIE = "partnerline_console";
  const $ = (id) => document.getElementById(id);

  let token = null; // the admin token, in memory only
  let program = null; // GET /programs/{id}
  let groupsCache = null; // the program's groups, read once per change
  let renderCount = 0;
  let lastScreenKey = "";
  let flash = null; // a notice for the next screen
  let seq = 0;

  class ApiError extends Error {
    constructor(status, code, message) {
      super(message);
      this.status = status;
      this.code = code;
    }
  }

  /* ------------------------------------------------------------------ DOM helpers */

  function h(tag, attrs, ...kids) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      // Handlers are attached with addEventListener, never as attributes.
      if (/^on/i.test(key)) throw new Error(`No ${key} attribute`);
      if (key === "text") node.textContent = String(value);
      else if (key === "class") node.className = value;
      else if (key === "testid") node.setAttribute("data-testid", value);
      else if (key === "value") node.value = String(value);
      else if (["checked", "disabled", "hidden", "selected", "required", "open"].includes(key)) node[key] = true;
      else node.setAttribute(key, value === true ? "" : String(value));
    }
    return add(node, kids);
  }

  /** Appends text and nodes, skipping null, undefined and false, flattening arrays. */
  function add(node, ...kids) {
    for (const kid of kids.flat(Infinity)) {
      if (kid === null || kid === undefined || kid === false) continue;
      node.append(kid instanceof Node ? kid : String(kid));
    }
    return node;
  }

  function put(node, ...kids) {
    node.replaceChildren();
    return add(node, kids);
  }

  const uid = (prefix) => `${prefix}-${++seq}`;
  const text = (value) => (value === null || value === undefined || value === "" ? "—" : String(value));

  function title(words) {
    return h("h1", { tabindex: "-1", testid: "screen-title", text: words });
  }

  function field(label, control, opts = {}) {
    if (!control.id) control.id = uid("f");
    const kids = [h("label", { for: control.id, text: label })];
    if (opts.hint) {
      const hintId = uid("h");
      control.setAttribute("aria-describedby", hintId);
      kids.push(h("p", { class: "hint", id: hintId, text: opts.hint }));
    }
    kids.push(control);
    return h("div", { class: "field" + (opts.cls ? ` ${opts.cls}` : "") }, kids);
  }

  function input(attrs) {
    return h("input", { type: "text", autocomplete: "off", ...attrs });
  }

  function choose(options, selected, attrs) {
    const node = h("select", attrs);
    for (const option of options) {
      const [value, label] = Array.isArray(option) ? option : [option, option];
      const item = h("option", { value, text: label });
      if (String(value) === String(selected === null || selected === undefined ? "" : selected)) item.selected = true;
      add(node, item);
    }
    return node;
  }

  function checkbox(label, attrs) {
    const box = h("input", { type: "checkbox", id: uid("c"), ...attrs });
    return { box, node: h("div", { class: "check" }, box, h("label", { for: box.id, text: label })) };
  }

  function button(label, attrs = {}, onClick) {
    const node = h("button", { type: "button", class: "btn", ...attrs, text: label });
    if (onClick) node.addEventListener("click", () => run(node, null, () => onClick(node)));
    return node;
  }

  function submit(label, attrs = {}) {
    return h("button", { type: "submit", class: "btn", ...attrs, text: label });
  }

  function link(label, href, attrs = {}) {
    return h("a", { href, ...attrs, text: label });
  }

  /** A link to an outside address only when it is http(s); otherwise the address as text. */
  function outside(url) {
    if (!url) return "—";
    try {
      const parsed = new URL(url);
      if (parsed.protocol === "https:" || parsed.protocol === "http:") {
        return h("a", { href: parsed.href, rel: "noopener noreferrer", target: "_blank", text: url });
      }
    } catch (_) {
      /* not an address: shown as text */
    }
    return String(url);
  }

  function facts(pairs, attrs) {
    const list = h("dl", { class: "facts", ...attrs });
    for (const [term, value, testid] of pairs) {
      add(list, h("dt", { text: term }), h("dd", testid ? { testid } : null, value === null || value === undefined || value === "" ? "—" : value));
    }
    return list;
  }

  const GOOD = ["approved", "paid", "completed", "succeeded", "processed", "active", "enabled", "balanced"];
  const WAIT = ["pending", "hold", "processing", "invited", "draft", "submitted"];
  const BAD = ["banned", "rejected", "canceled", "failed", "fraud", "refunded", "duplicate", "deactivated", "revoked", "disabled", "declined", "expired", "unbalanced"];
  function badge(status, attrs) {
    const kind = GOOD.includes(status) ? " good" : WAIT.includes(status) ? " wait" : BAD.includes(status) ? " bad" : " info";
    return h("span", { class: `badge${kind}`, ...attrs, text: String(status).replace(/_/g, " ") });
  }

  /** A table inside its own scrolling box. columns: [label, "num"?]; cells: node or text. */
  function table(label, columns, rows, rowOf, opts = {}) {
    const wrap = h("div", { class: "table-wrap", role: "region", "aria-label": label, tabindex: "0", testid: opts.testid });
    if (!rows.length) {
      add(wrap, h("p", { class: "empty", text: opts.empty || "Nothing here yet." }));
      return wrap;
    }
    const head = h("tr");
    for (const column of columns) {
      const [name, kind, sort] = Array.isArray(column) ? column : [column];
      add(head, h("th", { scope: "col", class: kind || null, "aria-sort": sort || null, text: name }));
    }
    const body = h("tbody");
    for (const row of rows) add(body, rowOf(row));
    add(wrap, h("table", null, h("thead", null, head), body));
    return wrap;
  }

  function td(value, cls, attrs) {
    return h("td", { class: cls || null, ...attrs }, value === null || value === undefined || value === "" ? "—" : value);
  }

  function loading() {
    return h("p", { class: "muted", text: "Loading…" });
  }

  /** Focus for keyboard users after the element they used was replaced. */
  function refocus(selector) {
    const target = document.querySelector(selector);
    if (target) target.focus();
  }

  function notify(...parts) {
    const box = $("notice");
    box.replaceChildren();
    add(box, parts);
  }

  function pager(page, hasNext, goTo, testid = "pager") {
    const bar = h("nav", { class: "pager", "aria-label": "Pages", testid });
    add(bar,
      button("Previous page", { class: "btn secondary small", testid: `${testid}-prev`, disabled: page <= 1 }, () => goTo(page - 1)),
      h("span", { class: "label", testid: `${testid}-label`, text: `Page ${page}` }),
      button("Next page", { class: "btn secondary small", testid: `${testid}-next`, disabled: !hasNext }, () => goTo(page + 1)),
    );
    return bar;
  }

  /**
   * A form whose submission runs `onSubmit` (never the browser's own submission: the page's
   * policy forbids it). Its errors show in its own alert, at its top.
   */
  function form(attrs, onSubmit, ...kids) {
    const slot = h("div", { class: "alert", role: "alert" });
    const node = h("form", { novalidate: true, ...attrs }, slot, kids);
    node.addEventListener("submit", (event) => {
      event.preventDefault();
      run(node, slot, () => onSubmit(node));
    });
    return node;
  }

  /** Runs one action at a time per element; its error goes to `slot` (else the page's alert). */
  async function run(busy, slot, action) {
    if (busy.getAttribute("aria-busy") === "true") return;
    busy.setAttribute("aria-busy", "true");
    if (slot) slot.textContent = "";
    $("alert").textContent = "";
    try {
      await action();
    } catch (error) {
      report(error, slot || nearestSlot(busy));
    } finally {
      busy.removeAttribute("aria-busy");
    }
  }

  function nearestSlot(node) {
    const holder = node.closest(".confirm, form, .card");
    return holder ? holder.querySelector(":scope > .alert") : null;
  }

  function report(error, slot) {
    if (error && error.signedOut) return;
    const message = (error && error.message) || String(error);
    const target = slot && slot.isConnected ? slot : $("alert");
    // Signed out meanwhile: only the sign-in form's own errors still concern anyone.
    if (!token && !$("signin").contains(target)) return;
    target.textContent = message;
    if (target.scrollIntoView) target.scrollIntoView({ block: "nearest" });
  }

  /**
   * Asks before a destructive action: a short question with a confirming button (focused) and
   * a way back, right after `anchor`.
   */
  function confirmThen(anchor, question, yesLabel, action) {
    const trigger = document.activeElement;
    const old = anchor.parentNode.querySelector(":scope > .confirm");
    if (old) old.remove();
    const slot = h("div", { class: "alert", role: "alert" });
    const box = h("div", { class: "confirm", testid: "confirm" }, slot, h("p", { text: question }));
    const yes = h("button", { type: "button", class: "btn danger", testid: "confirm-yes", text: yesLabel });
    const no = h("button", { type: "button", class: "btn secondary", testid: "confirm-no", text: "Keep it" });
    yes.addEventListener("click", () => run(yes, slot, async () => {
      await action();
      box.remove();
    }));
    no.addEventListener("click", () => {
      box.remove();
      if (trigger && trigger.isConnected) trigger.focus();
    });
    add(box, h("div", { class: "actions" }, yes, no));
    anchor.after(box);
    yes.focus();
  }

  /** A secret the API shows once (an API key, a webhook signing secret). */
  function secretBox(heading, value, testid = "secret-once") {
    const code = h("code", { class: "secret-value", testid: "secret-value", text: value });
    const copy = h("button", { type: "button", class: "btn secondary small", text: "Copy" });
    const said = h("span", { role: "status", class: "hint" });
    copy.addEventListener("click", async () => {
      try {
        await navigator.clipboard.writeText(value);
        said.textContent = "Copied.";
      } catch (_) {
        const range = document.createRange();
        range.selectNodeContents(code);
        const selection = window.getSelection();
        selection.removeAllRanges();
        selection.addRange(range);
        said.textContent = "Selected: copy it with your keyboard.";
      }
    });
    return h("div", { class: "secret", testid },
      h("p", null, h("strong", { text: heading })),
      h("p", { text: "Copy it now and keep it somewhere safe: it is shown only this once." }),
      code,
      h("div", { class: "actions" }, copy, said));
  }

  /* ------------------------------------------------------------------ values */

  const formats = new Map();
  const unknownCurrencies = new Set();
  function formatter(currency) {
    const code = String(currency || (program && program.currency) || "usd").toUpperCase();
    if (!formats.has(code)) {
      let format;
      try {
        format = new Intl.NumberFormat(undefined, { style: "currency", currency: code });
      } catch (_) {
        // A code Intl does not know: the number with two decimals, then the code.
        format = new Intl.NumberFormat(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
        unknownCurrencies.add(code);
      }
      formats.set(code, format);
    }
    return formats.get(code);
  }

  /** The currency's minor digits (2 for USD, 0 for JPY), as Intl knows them. */
  function digits(currency) {
    return formatter(currency).resolvedOptions().maximumFractionDigits;
  }

  /** Minor units as a decimal string, without floating point: 1999 -> "19.99". */
  function decimal(minor, currency) {
    const places = digits(currency);
    const whole = Math.trunc(Number(minor));
    let body = String(Math.abs(whole));
    if (places > 0) {
      body = body.padStart(places + 1, "0");
      body = `${body.slice(0, -places)}.${body.slice(-places)}`;
    }
    return (whole < 0 ? "-" : "") + body;
  }

  function money(minor, currency) {
    if (minor === null || minor === undefined || minor === "" || Number.isNaN(Number(minor))) return "—";
    const shown = formatter(currency).format(decimal(minor, currency));
    return unknownCurrencies.has(currencyCode(currency)) ? `${shown} ${currencyCode(currency)}` : shown;
  }

  const currencyCode = (currency) => String(currency || program.currency || "usd").toUpperCase();

  /** "12.50" in the program's currency -> 1250 minor units. */
  function toMinor(raw, label, currency) {
    const places = digits(currency);
    const value = String(raw).trim().replace(/[\s_]/g, "").replace(",", ".");
    const match = /^(\d*)(?:\.(\d*))?$/.exec(value);
    if (!value || !match || (!match[1] && !match[2])) {
      throw new Error(`${label}: write an amount such as ${places ? `12.${"5".padEnd(places, "0")}` : "1200"}.`);
    }
    const fraction = match[2] || "";
    if (fraction.length > places) {
      throw new Error(`${label}: ${currencyCode(currency)} has ${places ? `at most ${places} decimal${places === 1 ? "" : "s"}` : "no decimals"}.`);
    }
    const minor = Number(match[1] || "0") * 10 ** places + Number(fraction.padEnd(places, "0") || "0");
    if (!Number.isSafeInteger(minor)) throw new Error(`${label}: the amount is too large.`);
    return minor;
  }

  function whole(raw, label, min = 0, max = 1e9) {
    const value = String(raw).trim();
    if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
      throw new Error(`${label}: a whole number from ${min} to ${max}.`);
    }
    return Number(value);
  }

  function percent(raw, label) {
    const value = String(raw).trim().replace(",", ".");
    if (!/^\d+(\.\d{1,2})?$/.test(value) || Number(value) > 100) {
      throw new Error(`${label}: a percentage from 0 to 100, with at most two decimals.`);
    }
    return Number(value);
  }

  /** An RFC 3339 time (or epoch seconds) in the reader's locale and time zone. */
  function when(iso, dayOnly) {
    if (!iso && iso !== 0) return "—";
    const date = typeof iso === "number" ? new Date(iso * 1000) : new Date(iso);
    if (Number.isNaN(date.getTime())) return String(iso);
    return dayOnly ? date.toLocaleDateString(undefined, { dateStyle: "medium" })
      : date.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
  }

  function time(iso, dayOnly) {
    if (!iso && iso !== 0) return "—";
    const date = typeof iso === "number" ? new Date(iso * 1000) : new Date(iso);
    return h("time", { datetime: Number.isNaN(date.getTime()) ? null : date.toISOString(), text: when(iso, dayOnly) });
  }

  /** Options of a select from API words: ["pending", "Pending"]. */
  const capital = (word) => word[0].toUpperCase() + word.slice(1);
  const labelled = (words) => words.map((word) => [word, capital(word)]);

  const positive = (raw, fallback, max = Infinity) => {
    const value = Number(raw);
    return Number.isInteger(value) && value >= 1 && value <= max ? value : fallback;
  };

  /* ------------------------------------------------------------------ the API */

  async function api(method, path, opts = {}) {
    if (!token) {
      const error = new ApiError(401, "unauthorized", "Signed out.");
      error.signedOut = true;
      throw error;
    }
    let url = path;
    if (opts.query) {
      const query = new URLSearchParams();
      for (const [key, value] of Object.entries(opts.query)) {
        if (value !== undefined && value !== null && value !== "") query.set(key, String(value));
      }
      const encoded = query.toString();
      if (encoded) url += `?${encoded}`;
    }
    const headers = { authorization: `Bearer ${token}`, accept: opts.text ? "text/csv, application/json" : "application/json" };
    const init = { method, headers, cache: "no-store", credentials: "omit", redirect: "error", referrerPolicy: "no-referrer" };
    if (opts.body !== undefined) {
      headers["content-type"] = "application/json";
      init.body = JSON.stringify(opts.body);
    }
    let response;
    try {
      response = await fetch(url, init);
    } catch (_) {
      throw new ApiError(0, "network", "The API could not be reached. Check the connection and try again.");
    }
    const raw = await response.text();
    if (!response.ok) {
      let code = "error";
      let message = `The API answered ${response.status} ${response.statusText}.`.replace(" .", ".");
      try {
        const envelope = JSON.parse(raw).error;
        if (envelope && typeof envelope.message === "string") {
          message = envelope.message;
          code = String(envelope.code || code);
        }
      } catch (_) {
        /* not the error envelope: the status says it */
      }
      if (response.status === 429) {
        const wait = response.headers.get("retry-after");
        if (wait) message += ` Try again in ${wait} s.`;
      }
      if (response.status === 401) {
        signOut(program ? `You were signed out: the API no longer accepts this admin token (${message.replace(/\.$/, "")}).` : `The API refused this token: ${message}`);
        const error = new ApiError(401, code, message);
        error.signedOut = true;
        throw error;
      }
      throw new ApiError(response.status, code, message);
    }
    let data = null;
    if (opts.text) data = raw;
    else if (raw) {
      try {
        data = JSON.parse(raw);
      } catch (_) {
        throw new ApiError(response.status, "bad_json", "The API answered something that is not JSON.");
      }
    }
    return { data, headers: response.headers };
  }

  const get = async (path, query) => (await api("GET", path, { query })).data;
  const send = async (method, path, body) => (await api(method, path, { body })).data;
  const programPath = (rest = "") => `/programs/${encodeURIComponent(program.id)}${rest}`;
  const enc = encodeURIComponent;

  async function loadGroups(fresh) {
    if (groupsCache && !fresh) return groupsCache;
    const all = [];
    let cursor = null;
    for (let page = 0; page < 50; page += 1) {
      const answer = await get(programPath("/groups"), { limit: 100, cursor });
      all.push(...(answer.data || []));
      cursor = answer.nextCursor;
      if (!cursor) break;
    }
    groupsCache = all;
    return all;
  }

  function groupName(id) {
    const group = (groupsCache || []).find((g) => g.id === id);
    return group ? group.name : id || "—";
  }

  const groupOptions = (groups) => groups.map((g) => [g.id, `${g.name} (${g.slug})`]);
  const defaultGroup = (groups) => groups.find((g) => g.slug === "default") || groups[0];

  /* ------------------------------------------------------------------ sign-in */

  function claimsOf(jwt) {
    const parts = jwt.split(".");
    if (parts.length !== 3 || !parts[1]) {
      throw new Error("This is not an admin token: a JWT has three parts separated by dots.");
    }
    try {
      const base64 = parts[1].replace(/-/g, "+").replace(/_/g, "/");
      const binary = atob(base64 + "===".slice((base64.length + 3) % 4));
      const claims = JSON.parse(new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0))));
      if (claims && typeof claims === "object") return claims;
    } catch (_) {
      /* falls through */
    }
    throw new Error("The token's payload could not be read: paste the whole token.");
  }

  async function signIn(raw, remember) {
    const candidate = String(raw).replace(/\s+/g, "");
    if (!candidate) throw new Error("Paste the admin token first.");
    const claims = claimsOf(candidate);
    const id = claims.program_id;
    if (typeof id !== "string" || !id) {
      throw new Error("This token has no program_id claim: it is not the admin token of a program.");
    }
    if (typeof claims.exp === "number" && claims.exp * 1000 <= Date.now()) {
      throw new Error(`This token expired on ${when(claims.exp)}. Ask your identity provider for a new one.`);
    }
    token = candidate;
    try {
      program = await get(`/programs/${enc(id)}`);
    } catch (error) {
      token = null;
      program = null;
      throw error;
    }
    groupsCache = null;
    if (remember) {
      document.cookie = `${COOKIE}=${enc(candidate)}; Path=/console; SameSite=Strict${location.protocol === "https:" ? "; Secure" : ""}`;
    } else {
      forget();
    }
    enter();
  }

  function forget() {
    document.cookie = `${COOKIE}=; Path=/console; Max-Age=0; SameSite=Strict${location.protocol === "https:" ? "; Secure" : ""}`;
  }

  function remembered() {
    const found = document.cookie.split("; ").find((part) => part.startsWith(`${COOKIE}=`));
    return found ? decodeURIComponent(found.slice(COOKIE.length + 1)) : "";
  }

  function enter() {
    $("signin").hidden = true;
    $("signin-token").value = "";
    $("signin-error").textContent = "";
    $("nav").hidden = false;
    $("sign-out").hidden = false;
    $("program-name").textContent = `${program.name} · ${program.id}`;
    lastScreenKey = "";
    render();
  }

  function signOut(message) {
    token = null;
    program = null;
    groupsCache = null;
    flash = null;
    renderCount += 1;
    forget();
    $("view").replaceChildren();
    $("nav").hidden = true;
    $("sign-out").hidden = true;
    $("program-name").textContent = "";
    $("alert").textContent = "";
    $("notice").textContent = "";
    $("signin").hidden = false;
    $("signin-error").textContent = message || "";
    document.title = "Program console · Partnerline";
    $("signin-token").focus();
  }

  /* ------------------------------------------------------------------ routing */

  const SCREENS = {
    applications: ["Applications", screenApplications],
    partners: ["Partners", screenPartners],
    setup: ["Program setup", screenSetup],
    commissions: ["Commissions", screenCommissions],
    payouts: ["Payouts", screenPayouts],
    webhooks: ["Webhooks", screenWebhooks],
    "api-keys": ["API keys", screenApiKeys],
  };

  function route() {
    const hash = location.hash.startsWith("#/") ? location.hash.slice(2) : "";
    const cut = hash.indexOf("?");
    const path = cut < 0 ? hash : hash.slice(0, cut);
    const parts = path.split("/").filter(Boolean).map((part) => {
      try {
        return decodeURIComponent(part);
      } catch (_) {
        return part;
      }
    });
    const screen = SCREENS[parts[0]] ? parts[0] : "applications";
    return { screen, id: parts[1] || null, params: new URLSearchParams(cut < 0 ? "" : hash.slice(cut + 1)) };
  }

  function go(screen, id, params) {
    const query = params ? new URLSearchParams(Object.entries(params).filter(([, v]) => v !== "" && v !== null && v !== undefined)).toString() : "";
    const target = `#/${screen}${id ? `/${enc(id)}` : ""}${query ? `?${query}` : ""}`;
    if (location.hash === target) render();
    else location.hash = target;
  }

  function render() {
    if (!token || !program) return;
    const where = route();
    for (const anchor of document.querySelectorAll("#nav a")) {
      if (anchor.dataset.screen === where.screen) anchor.setAttribute("aria-current", "page");
      else anchor.removeAttribute("aria-current");
    }
    $("alert").textContent = "";
    $("notice").replaceChildren();
    if (flash) {
      add($("notice"), flash);
      flash = null;
    }
    const count = ++renderCount;
    const live = () => count === renderCount;
    const root = h("div", { class: "screen", testid: `screen-${where.screen}` });
    put($("view"), root);
    const [name, draw] = SCREENS[where.screen];
    document.title = `${name} · ${program.name} · Partnerline console`;
    const key = `${where.screen}/${where.id || ""}`;
    const moved = lastScreenKey && key !== lastScreenKey;
    lastScreenKey = key;
    Promise.resolve(draw(root, where, live)).catch((error) => {
      if (live()) report(error);
    });
    if (moved) {
      const heading = root.querySelector("h1");
      if (heading) heading.focus();
    }
  }

  /* ------------------------------------------------------------------ applications */

  const REJECTION_REASONS = [
    ["notTheRightFit", "Not the right fit"],
    ["doesNotMeetRequirements", "Does not meet the requirements"],
    ["needsMoreDetail", "Needs more detail"],
    ["other", "Other"],
  ];
  const TIMEFRAMES = [
    ["standard", "In 30 days (standard)"],
    ["instant", "Right away"],
    ["never", "Never"],
  ];

  async function screenApplications(root, where, live) {
    const params = where.params;
    const status = ["pending", "approved", "rejected"].includes(params.get("status")) ? params.get("status") : "pending";
    const search = params.get("search") || "";
    const page = positive(params.get("page"), 1, 100);
    const pageSize = 20;
    const statusSelect = choose([["pending", "Pending"], ["approved", "Approved"], ["rejected", "Rejected"]], status, { testid: "applications-status" });
    const searchBox = input({ type: "search", value: search, testid: "applications-search" });
    add(root,
      title("Applications"),
      h("p", { class: "lead muted", text: "People who asked to join the program. Approving one enrolls them as a partner with a referral code and a link; rejecting one says when they may apply again." }),
      form({ class: "card", "aria-label": "Filter applications", testid: "applications-filter" },
        () => go("applications", null, { status: statusSelect.value, search: searchBox.value.trim() }),
        h("div", { class: "row" },
          field("Status", statusSelect),
          field("Name or email", searchBox),
          h("div", { class: "actions" }, submit("Show", { class: "btn secondary" })))),
    );
    const list = h("div", { testid: "applications-list" }, loading());
    add(root, list);
    const [applications, groups] = await Promise.all([
      get("/partners/applications", { status, search, page, pageSize, sortOrder: status === "pending" ? "asc" : "desc" }),
      loadGroups(),
    ]);
    if (!live()) return;
    list.replaceChildren();
    const empty = () => h("p", { class: "card empty", testid: "applications-empty", text: status === "pending" ? "No application is waiting for review." : "No application here." });
    if (!applications.length) add(list, empty());
    for (const application of applications) add(list, applicationCard(application, groups, list, empty));
    add(root, pager(page, applications.length === pageSize && page < 100, (next) => go("applications", null, { status, search, page: next })));
  }

  function applicationCard(application, groups, list, empty) {
    const who = application.partner || {};
    const answers = application.applicationFormData || [];
    const answered = new Set(answers.map((answer) => answer.label));
    const headingId = uid("app");
    const card = h("article", { class: "card", testid: "application", "data-id": application.id, "aria-labelledby": headingId });
    add(card,
      h("div", { class: "card-head" },
        h("h2", { id: headingId, tabindex: "-1", testid: "application-name", text: who.name || "(no name)" }),
        badge(who.status || "pending")),
      facts([
        ["Email", who.email, "application-email"],
        answered.has("Company") ? null : ["Company", who.companyName],
        answered.has("Website") ? null : ["Website", outside(who.website)],
        ["Country", who.country],
        ["Applied", time(application.createdAt)],
        ["Application", h("span", { class: "mono", text: application.id })],
      ].filter(Boolean)),
    );
    if (answers.length) {
      add(card, h("h3", { text: "Answers" }),
        facts(answers.map((answer) => [answer.label, answer.value]), { class: "facts answers", testid: "application-answers" }));
    }
    const done = () => {
      const next = card.nextElementSibling;
      card.remove();
      const heading = next && next.querySelector("h2");
      if (heading) heading.focus();
      else {
        if (!list.querySelector("article")) add(list, empty());
        const main = document.querySelector("h1");
        if (main) main.focus();
      }
    };
    if (who.status === "pending" || who.status === "rejected") {
      const group = choose(groupOptions(groups), (defaultGroup(groups) || {}).id, { testid: "approve-group" });
      const code = input({ testid: "approve-code", maxlength: "64", spellcheck: "false", autocapitalize: "characters" });
      add(card, form({ "aria-label": `Approve ${who.name}`, testid: "approve-form" }, async () => {
        const body = { action: "approve", groupId: group.value };
        if (code.value.trim()) body.code = code.value.trim();
        const answer = await send("POST", `/v1/apps/${enc(program.id)}/affiliates/applications/${enc(application.id)}/review`, body);
        const affiliate = answer.affiliate || {};
        notify(`Approved ${who.name}: referral code ${affiliate.code}, group ${groupName(group.value)}. `,
          link("Open the partner", `#/partners/${enc(affiliate.id)}`, { testid: "approved-partner-link" }));
        done();
      },
      h("h3", { text: "Approve" }),
      h("div", { class: "row" },
        field("Group", group),
        field("Referral code (optional)", code, { hint: "Made from the name when empty." }),
        h("div", { class: "actions" }, submit("Approve", { testid: "approve" })))));
    }
    if (who.status === "pending") {
      const reason = choose(REJECTION_REASONS, "notTheRightFit", { testid: "reject-reason" });
      const note = input({ testid: "reject-note", maxlength: "500" });
      const again = choose(TIMEFRAMES, "standard", { testid: "reject-timeframe" });
      add(card, form({ "aria-label": `Reject ${who.name}`, testid: "reject-form" }, async () => {
        const body = { applicationId: application.id, rejectionReason: reason.value, reapplicationTimeframe: again.value };
        if (note.value.trim()) body.rejectionNote = note.value.trim();
        await send("POST", "/partners/applications/reject", body);
        notify(`Rejected ${who.name}. They may apply again: ${again.options[again.selectedIndex].text.toLowerCase()}.`);
        done();
      },
      h("h3", { text: "Reject" }),
      h("div", { class: "row" },
        field("Reason", reason),
        field("Note (optional)", note),
        field("May apply again", again),
        h("div", { class: "actions" }, submit("Reject", { class: "btn danger", testid: "reject" })))));
    }
    return card;
  }

  /* ------------------------------------------------------------------ partners */

  const PARTNER_STATUSES = ["approved", "pending", "invited", "declined", "rejected", "deactivated", "banned", "archived"];
  const SORTS = [
    ["createdAt", "Joined"],
    ["totalClicks", "Clicks"],
    ["totalLeads", "Leads"],
    ["totalConversions", "Conversions"],
    ["totalSaleAmount", "Sales amount"],
    ["totalCommissions", "Commissions"],
    ["netRevenue", "Net revenue"],
    ["earningsPerClick", "Earnings per click"],
    ["averageLifetimeValue", "Average lifetime value"],
    ["clickToLeadRate", "Click to lead rate"],
    ["clickToConversionRate", "Click to conversion rate"],
    ["leadToConversionRate", "Lead to conversion rate"],
    ["returnOnAdSpend", "Return on ad spend"],
  ];
  const BAN_REASONS = [
    ["tos_violation", "Terms of service violation"],
    ["inappropriate_content", "Inappropriate content"],
    ["fake_traffic", "Fake traffic"],
    ["fraud", "Fraud"],
    ["spam", "Spam"],
    ["brand_abuse", "Brand abuse"],
  ];

  async function screenPartners(root, where, live) {
    if (where.id) return screenPartner(root, where.id, live);
    const params = where.params;
    const q = {
      search: params.get("search") || "",
      status: PARTNER_STATUSES.includes(params.get("status")) ? params.get("status") : "",
      groupId: params.get("groupId") || "",
      country: params.get("country") || "",
      sortBy: SORTS.some(([value]) => value === params.get("sortBy")) ? params.get("sortBy") : "createdAt",
      sortOrder: params.get("sortOrder") === "asc" ? "asc" : "desc",
      pageSize: [10, 25, 50, 100].includes(Number(params.get("pageSize"))) ? Number(params.get("pageSize")) : 25,
      page: positive(params.get("page"), 1, 100),
    };
    add(root, title("Partners"));
    const body = h("div", null, loading());
    add(root, body);
    const groups = await loadGroups();
    if (!live()) return;
    const search = input({ type: "search", value: q.search, testid: "partners-search" });
    const status = choose([["", "Any"], ...labelled(PARTNER_STATUSES)], q.status, { testid: "partners-status" });
    const group = choose([["", "Any"], ...groupOptions(groups)], q.groupId, { testid: "partners-group" });
    const country = input({ value: q.country, maxlength: "2", testid: "partners-country", autocapitalize: "characters" });
    const sortBy = choose(SORTS, q.sortBy, { testid: "partners-sort" });
    const sortOrder = choose([["desc", "Highest or newest first"], ["asc", "Lowest or oldest first"]], q.sortOrder, { testid: "partners-order" });
    const pageSize = choose([10, 25, 50, 100].map((n) => [n, `${n} a page`]), q.pageSize, { testid: "partners-page-size" });
    put(body, form({ class: "card", "aria-label": "Filter and sort partners", testid: "partners-filter" },
      () => go("partners", null, {
        search: search.value.trim(), status: status.value, groupId: group.value, country: country.value.trim().toUpperCase(),
        sortBy: sortBy.value, sortOrder: sortOrder.value, pageSize: pageSize.value,
      }),
      h("div", { class: "row" },
        field("Search", search, { hint: "Name, email, company, or a partner id." }),
        field("Status", status),
        field("Group", group),
        field("Country", country, { hint: "Two letters: US.", cls: "narrow" })),
      h("div", { class: "row" },
        field("Sort by", sortBy),
        field("Order", sortOrder),
        field("Rows", pageSize, { cls: "narrow" }),
        h("div", { class: "actions" }, submit("Show partners", { class: "btn secondary", testid: "partners-apply" })))));
    const holder = h("div", null, loading());
    add(body, holder);
    const partners = await get("/partners", q);
    if (!live()) return;
    const sorted = (key) => (q.sortBy === key ? (q.sortOrder === "asc" ? "ascending" : "descending") : null);
    put(holder, table("Partners", [
      "Partner", "Status", "Group", "Country",
      ["Clicks", "num", sorted("totalClicks")], ["Leads", "num", sorted("totalLeads")],
      ["Conversions", "num", sorted("totalConversions")], ["Sales", "num", sorted("totalSaleAmount")],
      ["Commissions", "num", sorted("totalCommissions")], ["Net revenue", "num", sorted("netRevenue")],
      ["Joined", null, sorted("createdAt")],
    ], partners, (p) => h("tr", { testid: "partner-row", "data-id": p.id },
      td([link(p.name || p.id, `#/partners/${enc(p.id)}`, { testid: "partner-link" }), p.email ? h("div", { class: "hint", text: p.email }) : null]),
      td(badge(p.status), null, { testid: "partner-row-status" }),
      td(groupName(p.groupId)),
      td(p.country),
      td(String(p.totalClicks ?? 0), "num"),
      td(String(p.totalLeads ?? 0), "num"),
      td(String(p.totalConversions ?? 0), "num"),
      td(money(p.totalSaleAmount), "num"),
      td(money(p.totalCommissions), "num"),
      td(money(p.netRevenue), "num"),
      td(time(p.createdAt, true), "nowrap"),
    ), { testid: "partners-table", empty: "No partner matches." }),
    pager(q.page, partners.length === q.pageSize && q.page < 100, (next) => go("partners", null, { ...q, page: next })));
  }

  async function screenPartner(root, id, live) {
    add(root, h("p", null, link("← All partners", "#/partners")));
    const heading = title("Partner");
    heading.setAttribute("data-testid", "partner-name");
    add(root, heading);
    const body = h("div", null, loading());
    add(root, body);
    const [found, groups] = await Promise.all([get("/partners", { search: id, pageSize: 10 }), loadGroups()]);
    if (!live()) return;
    const partner = found.find((p) => p.id === id);
    if (!partner) {
      put(body, h("p", { class: "card", text: `This program has no partner with the id ${id}.` }));
      return;
    }
    heading.textContent = partner.name || partner.id;
    document.title = `${partner.name} · Partners · Partnerline console`;
    const [links, commissions, payouts] = await Promise.all([
      get("/partners/links", { partnerId: id }),
      get("/commissions", { partnerId: id, pageSize: 25 }),
      get("/payouts", { partnerId: id, pageSize: 25, sortBy: "initiatedAt" }),
    ]);
    if (!live()) return;
    body.replaceChildren();
    const tags = partner.tags || [];
    const tagNames = tags.map((tag) => (typeof tag === "string" ? tag : tag.name || tag.id));
    add(body,
      facts([
        ["Status", badge(partner.status), "partner-status"],
        ["Group", groupName(partner.groupId), "partner-group"],
        ["Email", partner.email],
        ["Tenant id", partner.tenantId],
        ["Company", partner.companyName],
        ["Website", outside(partner.website)],
        ["Country", partner.country],
        ["Joined", time(partner.createdAt)],
        ["Partner id", h("span", { class: "mono", text: partner.id })],
        ["Tags", tagNames.length ? h("span", { class: "tags" }, tagNames.map((t) => badge(t))) : "—", "partner-tags-shown"],
        ["Paid by", partner.defaultPayoutMethod ? `${partner.defaultPayoutMethod}${partner.paypalEmail ? ` (${partner.paypalEmail})` : ""}` : partner.paypalEmail],
        partner.bannedAt ? ["Banned", `${when(partner.bannedAt)}: ${(BAN_REASONS.find(([v]) => v === partner.bannedReason) || [0, partner.bannedReason])[1]}`, "partner-banned"] : null,
      ].filter(Boolean)),
      h("h2", { text: "Totals" }),
      h("ul", { class: "totals", testid: "partner-totals" },
        [["Clicks", partner.totalClicks], ["Leads", partner.totalLeads], ["Conversions", partner.totalConversions],
          ["Sales", partner.totalSales], ["Sales amount", money(partner.totalSaleAmount)], ["Commissions", money(partner.totalCommissions)],
          ["Net revenue", money(partner.netRevenue)]].map(([k, v]) => h("li", null, h("span", { class: "k", text: k }), h("span", { class: "v", text: text(v) })))),
    );
    add(body, partnerActions(partner, groups, tagNames));
    const answers = partner.referralFormData || [];
    if (Array.isArray(answers) && answers.length) {
      add(body, h("h2", { text: "Application answers" }), facts(answers.map((item) => [
        item.label || item.key || "",
        item.value === null || item.value === undefined ? "—" : typeof item.value === "string" ? item.value : JSON.stringify(item.value),
      ]), { class: "facts answers" }));
    }
    add(body,
      h("h2", { text: "Links" }),
      table(`${partner.name}'s links`, ["Short link", "Destination", ["Clicks", "num"], ["Leads", "num"], ["Conversions", "num"], ["Sales", "num"], ["Sales amount", "num"], "State"],
        links, (l) => h("tr", null,
          td(h("span", { class: "mono", testid: "partner-short-link", text: l.shortLink })),
          td(outside(l.url)), td(String(l.clicks), "num"), td(String(l.leads), "num"), td(String(l.conversions), "num"),
          td(String(l.sales), "num"), td(money(l.saleAmount), "num"),
          td(badge(l.disabled ? "disabled" : l.archived ? "archived" : "active"))), { testid: "partner-links", empty: "No links." }),
      h("div", { class: "card-head" }, h("h2", { text: "Recent commissions" }),
        link("All of this partner's commissions", `#/commissions?partnerId=${enc(partner.id)}`, { testid: "partner-all-commissions" })),
      commissionTable(commissions, { testid: "partner-commissions", withPartner: false }),
      h("h2", { text: "Payouts" }),
      payoutTable(payouts, { testid: "partner-payouts", withPartner: false }),
    );
  }

  function partnerActions(partner, groups, tagNames) {
    const card = h("section", { class: "card", "aria-labelledby": "manage-partner" }, h("h2", { id: "manage-partner", text: "Manage" }));
    const reload = (message) => {
      flash = [message];
      render();
    };
    const group = choose(groupOptions(groups), partner.groupId, { testid: "partner-move-group" });
    add(card, form({ "aria-label": "Move to a group" }, async () => {
      await send("POST", "/partners/move", { partnerId: partner.id, groupId: group.value });
      reload(`${partner.name} is now in ${groupName(group.value)}.`);
    }, h("div", { class: "row" }, field("Group", group, { hint: "Their rewards and discount follow the group." }),
      h("div", { class: "actions" }, submit("Move", { class: "btn secondary", testid: "partner-move" })))));
    const tags = input({ value: tagNames.join(", "), testid: "partner-tags" });
    add(card, form({ "aria-label": "Tags" }, async () => {
      const names = tags.value.split(",").map((t) => t.trim()).filter(Boolean);
      await send("POST", "/partners/tags", { partnerId: partner.id, tags: names });
      reload(`Tags of ${partner.name} saved.`);
    }, h("div", { class: "row" }, field("Tags", tags, { hint: "Separated by commas; at most 20." }),
      h("div", { class: "actions" }, submit("Save tags", { class: "btn secondary", testid: "partner-tags-save" })))));
    if (partner.status !== "banned") {
      const reason = choose(BAN_REASONS, "tos_violation", { testid: "partner-ban-reason" });
      const ban = submit("Ban…", { class: "btn danger", testid: "partner-ban" });
      add(card, form({ "aria-label": "Ban" }, () => confirmThen(ban.parentNode, `Ban ${partner.name}? Their links stop working and their pending and held commissions are canceled.`, "Ban partner", async () => {
        await send("POST", "/partners/ban", { partnerId: partner.id, reason: reason.value });
        reload(`${partner.name} is banned; their pending commissions are canceled.`);
      }), h("div", { class: "row" }, field("Ban reason", reason), h("div", { class: "actions" }, ban))));
    }
    const more = h("div", { class: "actions" });
    if (partner.status === "approved") {
      const deactivate = button("Deactivate…", { class: "btn secondary", testid: "partner-deactivate" }, () => confirmThen(more,
        `Deactivate ${partner.name}? Their links stop working; their commissions and payouts stay.`, "Deactivate", async () => {
          await send("POST", "/partners/deactivate", { partnerId: partner.id });
          reload(`${partner.name} is deactivated.`);
        }));
      add(more, deactivate);
    }
    if (partner.status === "approved" || partner.status === "deactivated") {
      add(more, button("Archive…", { class: "btn secondary", testid: "partner-archive" }, () => confirmThen(more,
        `Archive ${partner.name}? Their links keep working.`, "Archive", async () => {
          await send("POST", "/partners/archive", { partnerId: partner.id });
          reload(`${partner.name} is archived.`);
        })));
    }
    if (more.childElementCount) add(card, more);
    return card;
  }

  /* ------------------------------------------------------------------ commissions */

  const COMMISSION_STATUSES = ["pending", "processed", "paid", "refunded", "duplicate", "fraud", "canceled", "hold"];
  const COMMISSION_TYPES = ["sale", "lead", "click", "custom"];
  let cursorTrail = { key: "", cursors: [] };

  function localDay(value, plusDays = 0) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return "";
    const [y, m, d] = value.split("-").map(Number);
    return new Date(y, m - 1, d + plusDays).toISOString();
  }

  function commissionKind(c) {
    if (c.type === "custom" && c.earnings < 0) return "clawback";
    return c.type;
  }

  function commissionRow(c, withPartner, columns) {
    const row = h("tr", { testid: "commission-row", "data-id": c.id, "data-status": c.status });
    const customer = c.customer ? c.customer.name || c.customer.email || c.customer.externalId || c.customer.id : null;
    add(row,
      td(time(c.createdAt), "nowrap"),
      withPartner ? td(link(c.partner ? c.partner.name : "—", `#/partners/${enc(c.partner ? c.partner.id : "")}`, { testid: "commission-partner" })) : null,
      td(commissionKind(c), null, { testid: "commission-type" }),
      td(customer),
      td(money(c.amount, c.currency), "num"),
      td(money(c.earnings, c.currency), `num${c.earnings < 0 ? " negative" : ""}`, { testid: "commission-earnings" }),
      td(badge(c.status), null, { testid: "commission-status" }),
      td(c.note),
    );
    if (columns) {
      const change = button("Change status", { class: "btn secondary small", testid: "commission-edit", "aria-expanded": "false" }, () => {
        const open = row.nextElementSibling && row.nextElementSibling.classList.contains("edit-row");
        if (open) {
          row.nextElementSibling.remove();
          change.setAttribute("aria-expanded", "false");
          return;
        }
        change.setAttribute("aria-expanded", "true");
        const status = choose(labelled(COMMISSION_STATUSES), c.status, { testid: "commission-new-status" });
        const note = input({ value: c.note || "", maxlength: "500", testid: "commission-note" });
        const editor = h("tr", { class: "edit-row" }, h("td", { colspan: String(columns) }, form({ "aria-label": `Change commission ${c.id}` }, async () => {
          const body = { status: status.value };
          if (note.value.trim() !== (c.note || "")) body.note = note.value.trim() || null;
          const updated = await send("PATCH", `/commissions/${enc(c.id)}`, body);
          editor.remove();
          const fresh = commissionRow(updated, withPartner, columns);
          row.replaceWith(fresh);
          notify(`Commission ${updated.id} is now ${updated.status}.`);
          fresh.querySelector("[data-testid=commission-edit]").focus();
        }, h("div", { class: "row" },
          field("New status", status),
          field("Note", note, { hint: "Why, for the books (optional)." }),
          h("div", { class: "actions" }, submit("Save", { testid: "commission-save" }),
            button("Cancel", { class: "btn secondary" }, () => {
              editor.remove();
              change.setAttribute("aria-expanded", "false");
              change.focus();
            }))))));
        row.after(editor);
        status.focus();
      });
      add(row, td(c.status === "paid" ? h("span", { class: "hint", text: "Paid" }) : change));
    }
    return row;
  }

  function commissionTable(rows, opts) {
    const withPartner = opts.withPartner !== false;
    const columns = ["Created", withPartner ? "Partner" : null, "Type", "Customer", ["Sale amount", "num"], ["Earnings", "num"], "Status", "Note", opts.editable ? "Action" : null].filter(Boolean);
    return table("Commissions", columns, rows, (c) => commissionRow(c, withPartner, opts.editable ? columns.length : 0), { testid: opts.testid, empty: "No commission." });
  }

  async function screenCommissions(root, where, live) {
    const params = where.params;
    const q = {
      status: COMMISSION_STATUSES.includes(params.get("status")) ? params.get("status") : "",
      type: COMMISSION_TYPES.includes(params.get("type")) ? params.get("type") : "",
      partnerId: params.get("partnerId") || "",
      from: params.get("from") || "",
      to: params.get("to") || "",
      sortOrder: params.get("sortOrder") === "asc" ? "asc" : "desc",
      pageSize: [25, 50, 100].includes(Number(params.get("pageSize"))) ? Number(params.get("pageSize")) : 25,
    };
    const cursor = params.get("cursor") || "";
    const key = JSON.stringify(q);
    if (cursorTrail.key !== key || !cursor) cursorTrail = { key, cursors: [] };
    const status = choose([["", "Any"], ...labelled(COMMISSION_STATUSES)], q.status, { testid: "commissions-status" });
    const type = choose([["", "Any"], ...labelled(COMMISSION_TYPES)], q.type, { testid: "commissions-type" });
    const partner = input({ value: q.partnerId, spellcheck: "false", testid: "commissions-partner" });
    const from = input({ type: "date", value: q.from, testid: "commissions-from" });
    const to = input({ type: "date", value: q.to, testid: "commissions-to" });
    const order = choose([["desc", "Newest first"], ["asc", "Oldest first"]], q.sortOrder, { testid: "commissions-order" });
    add(root,
      title("Commissions"),
      h("p", { class: "lead muted", text: "What partners earned, event by event. Pending commissions wait out the holding period, then become processed (payable) and paid by a payout. Refunds mark a commission refunded, or claw back a paid one with a negative commission." }),
      form({ class: "card", "aria-label": "Filter commissions", testid: "commissions-filter" }, () => go("commissions", null, {
        status: status.value, type: type.value, partnerId: partner.value.trim(), from: from.value, to: to.value, sortOrder: order.value,
      }),
      h("div", { class: "row" },
        field("Status", status), field("Type", type),
        field("Partner id", partner, { hint: "pn_…, from the partner's page." })),
      h("div", { class: "row" },
        field("From", from), field("To (inclusive)", to), field("Order", order),
        h("div", { class: "actions" }, submit("Show commissions", { class: "btn secondary", testid: "commissions-apply" })))),
    );
    const holder = h("div", null, loading());
    add(root, holder);
    const answer = await api("GET", "/commissions", {
      query: {
        status: q.status, type: q.type, partnerId: q.partnerId, start: localDay(q.from), end: localDay(q.to, 1),
        sortOrder: q.sortOrder, pageSize: q.pageSize, cursor,
      },
    });
    if (!live()) return;
    const rows = answer.data || [];
    const next = answer.headers.get("x-next-cursor");
    const position = cursorTrail.cursors.length + 1;
    put(holder,
      commissionTable(rows, { testid: "commissions-table", editable: true }),
      pager(position, Boolean(next) && rows.length > 0, (to) => {
        if (to > position) {
          cursorTrail.cursors.push(cursor);
          go("commissions", null, { ...q, cursor: next });
        } else {
          const back = cursorTrail.cursors.pop() || "";
          go("commissions", null, { ...q, cursor: back });
        }
      }),
    );
  }

  /* ------------------------------------------------------------------ payouts */

  const PAYOUT_STATUSES = ["pending", "processing", "completed", "failed", "canceled"];
  const RAILS = [["manual", "Manual (the business pays by its own means)"], ["paypal", "PayPal (batch file)"], ["wise", "Wise (batch file)"], ["connect", "Stripe Connect (transfers)"]];
  const CARRY = { below_minimum: "below the minimum", negative: "negative after clawbacks", banned: "partner banned" };

  function payoutTable(rows, opts) {
    const withPartner = opts.withPartner !== false;
    const columns = ["Created", withPartner ? "Partner" : null, ["Amount", "num"], "Status", "Rail", ["Commissions", "num"], "Period", "Paid", "Reference", opts.manage ? "Action" : null].filter(Boolean);
    return table("Payouts", columns, rows, (p) => payoutRow(p, withPartner, opts.manage ? columns.length : 0, opts.onChange), { testid: opts.testid, empty: opts.empty || "No payout." });
  }

  function payoutRow(p, withPartner, columns, onChange) {
    const row = h("tr", { testid: "payout-row", "data-id": p.id || "", "data-status": p.status });
    add(row,
      td(p.createdAt ? time(p.createdAt) : "—", "nowrap"),
      withPartner ? td(link(p.partner ? p.partner.name : "—", `#/partners/${enc(p.partner ? p.partner.id : "")}`)) : null,
      td(money(p.amount, p.currency), "num", { testid: "payout-amount" }),
      td([badge(p.status, { testid: "payout-status" }), p.failureReason ? h("div", { class: "hint", text: p.failureReason }) : null]),
      td(p.rail),
      td(String(p.commissionCount ?? "—"), "num"),
      td(p.periodStart || p.periodEnd ? `${when(p.periodStart, true)} – ${when(p.periodEnd, true)}` : "—", "nowrap"),
      td(time(p.paidAt), "nowrap"),
      td(p.externalReference),
    );
    if (!columns) return row;
    if (p.status !== "pending" && p.status !== "processing") {
      add(row, td("—"));
      return row;
    }
    const manage = button("Manage", { class: "btn secondary small", testid: "payout-manage", "aria-expanded": "false" }, () => {
      const open = row.nextElementSibling && row.nextElementSibling.classList.contains("edit-row");
      if (open) {
        row.nextElementSibling.remove();
        manage.setAttribute("aria-expanded", "false");
        return;
      }
      manage.setAttribute("aria-expanded", "true");
      const cell = h("td", { colspan: String(columns) });
      const editor = h("tr", { class: "edit-row" }, cell);
      const path = `/payouts/${enc(p.id)}`;
      const done = (message) => {
        flash = [message];
        onChange();
      };
      if (p.status === "pending") {
        const reference = input({ maxlength: "200", testid: "payout-reference" });
        add(cell, form({ "aria-label": "Confirm the payout" }, async () => {
          await send("POST", `${path}/confirm`, reference.value.trim() ? { externalReference: reference.value.trim() } : {});
          done(`Payout to ${p.partner.name} confirmed: its commissions are paid.`);
        }, h("div", { class: "row" },
          field("Payment reference (optional)", reference, { hint: "Your transfer or batch id." }),
          h("div", { class: "actions" }, submit("Confirm paid", { testid: "payout-confirm" })))));
      }
      const reason = input({ maxlength: "200", testid: "payout-fail-reason" });
      add(cell, form({ "aria-label": "Mark the payout failed" }, async () => {
        await send("POST", `${path}/fail`, reason.value.trim() ? { reason: reason.value.trim() } : {});
        done(`Payout to ${p.partner.name} marked failed: its commissions are payable again.`);
      }, h("div", { class: "row" },
        field("Why it failed (optional)", reason),
        h("div", { class: "actions" }, submit("Mark failed", { class: "btn secondary", testid: "payout-fail" })))));
      const extra = h("div", { class: "actions" });
      if (p.status === "pending") {
        if (p.rail === "connect") {
          add(extra, button("Send by Stripe transfer", { class: "btn secondary", testid: "payout-send" }, async () => {
            const sent = await send("POST", `${path}/send`);
            done(`Payout to ${p.partner.name}: ${sent.status}.`);
          }));
        }
        add(extra, button("Cancel payout…", { class: "btn secondary", testid: "payout-cancel" }, () => confirmThen(extra,
          `Cancel the payout of ${money(p.amount, p.currency)} to ${p.partner.name}? Its commissions become payable again.`, "Cancel payout", async () => {
            await send("POST", `${path}/cancel`);
            done(`Payout to ${p.partner.name} canceled.`);
          })));
      }
      add(cell, extra);
      row.after(editor);
      const first = cell.querySelector("input, button");
      if (first) first.focus();
    });
    add(row, td(manage));
    return row;
  }

  async function screenPayouts(root, where, live) {
    const params = where.params;
    const q = {
      status: PAYOUT_STATUSES.includes(params.get("status")) ? params.get("status") : "",
      sortBy: ["amount", "initiatedAt", "paidAt"].includes(params.get("sortBy")) ? params.get("sortBy") : "amount",
      sortOrder: params.get("sortOrder") === "asc" ? "asc" : "desc",
      page: positive(params.get("page"), 1, 100),
      pageSize: 25,
    };
    const settings = program.settings || {};
    add(root, title("Payouts"), h("p", { class: "lead muted" },
      `A run makes one payout per partner whose processed commissions, not yet in a payout, reach the minimum of ${money(settings.minPayoutAmount)}; smaller balances wait for a later run. Rail: ${(RAILS.find(([r]) => r === settings.payoutRail) || [0, settings.payoutRail])[1]}. `,
      link("Change the payout settings", "#/setup")));
    const ledgerBox = h("section", { class: "card", "aria-labelledby": "ledger-title", testid: "ledger" }, h("h2", { id: "ledger-title", text: "Balances" }), loading());
    const runBox = h("section", { class: "card", "aria-labelledby": "run-title" });
    const output = h("div", { testid: "run-output" });
    add(runBox, h("h2", { id: "run-title", text: "Run payouts" }),
      h("p", { text: "Preview shows who would get what, writing nothing. Running makes the payouts; you then pay them and confirm each one (or export a batch file below)." }));
    const runActions = h("div", { class: "actions" });
    add(runActions,
      button("Preview the run", { class: "btn secondary", testid: "payouts-preview" }, async () => {
        const preview = await send("POST", programPath("/payouts/run"), { dryRun: true });
        showRun(output, preview);
      }),
      button("Run payouts…", { testid: "payouts-run" }, () => confirmThen(runActions, "Run payouts now? Each partner whose balance reaches the minimum gets one pending payout.", "Run payouts", async () => {
        const made = await send("POST", programPath("/payouts/run"), {});
        flash = [`Run ${made.id}: ${made.payouts.length} payout${made.payouts.length === 1 ? "" : "s"} made, ${made.carried.length} balance${made.carried.length === 1 ? "" : "s"} carried forward.`];
        render();
      })));
    add(runBox, runActions, output);
    add(root, ledgerBox, runBox, exportBox());
    const status = choose([["", "Any"], ...labelled(PAYOUT_STATUSES)], q.status, { testid: "payouts-status" });
    const sortBy = choose([["amount", "Amount"], ["initiatedAt", "Started"], ["paidAt", "Paid"]], q.sortBy, { testid: "payouts-sort" });
    const sortOrder = choose([["desc", "Descending"], ["asc", "Ascending"]], q.sortOrder);
    const list = h("div", null, loading());
    add(root, h("section", { "aria-labelledby": "payouts-title" },
      h("h2", { id: "payouts-title", text: "All payouts" }),
      form({ class: "card", "aria-label": "Filter payouts" }, () => go("payouts", null, { status: status.value, sortBy: sortBy.value, sortOrder: sortOrder.value }),
        h("div", { class: "row" }, field("Status", status), field("Sort by", sortBy), field("Order", sortOrder),
          h("div", { class: "actions" }, submit("Show payouts", { class: "btn secondary", testid: "payouts-apply" })))),
      list));
    const [ledger, payouts] = await Promise.all([get(programPath("/ledger")), get("/payouts", q)]);
    if (!live()) return;
    put(ledgerBox, h("h2", { id: "ledger-title", text: "Balances" }), ledgerView(ledger));
    put(list, payoutTable(payouts, { testid: "payouts-table", manage: true, onChange: render }),
      pager(q.page, payouts.length === q.pageSize && q.page < 100, (next) => go("payouts", null, { ...q, page: next })));
  }

  function ledgerView(ledger) {
    const parts = [h("p", null, "The books ", badge(ledger.balanced ? "balanced" : "unbalanced", { testid: "ledger-balanced" }),
      ledger.balanced ? ": earned commissions equal the payouts plus the open balances." : ": earned commissions and payouts differ; look at the payouts in progress.")];
    if (!ledger.currencies.length) parts.push(h("p", { class: "muted", text: "Nothing earned yet." }));
    for (const c of ledger.currencies) {
      const commissions = Object.entries(c.commissions || {});
      const payouts = Object.entries(c.payouts || {});
      parts.push(h("ul", { class: "totals" },
        h("li", null, h("span", { class: "k", text: `Payable now (${currencyCode(c.currency)})` }), h("span", { class: "v", testid: "ledger-payable", text: money(c.payable, c.currency) })),
        h("li", null, h("span", { class: "k", text: "Carried forward" }), h("span", { class: "v", text: money(c.carried, c.currency) })),
        commissions.map(([k, v]) => h("li", null, h("span", { class: "k", text: `Commissions ${k}` }), h("span", { class: "v", text: money(v, c.currency) }))),
        payouts.map(([k, v]) => h("li", null, h("span", { class: "k", text: `Payouts ${k}` }), h("span", { class: "v", text: money(v, c.currency) })))));
    }
    return parts;
  }

  function showRun(output, run) {
    put(output,
      h("h3", { text: run.dryRun ? "Preview: the payouts a run would make now" : `Run ${run.id}` }),
      payoutTable(run.payouts, { testid: "payouts-preview-table", empty: "No partner has a payable balance that reaches the minimum." }),
      run.carried.length ? [h("h3", { text: "Carried forward" }), table("Balances carried forward", ["Partner", ["Balance", "num"], ["Commissions", "num"], "Why"], run.carried,
        (c) => h("tr", null, td(link(c.partnerId, `#/partners/${enc(c.partnerId)}`)), td(money(c.amount, c.currency), "num"), td(String(c.commissionCount), "num"), td(CARRY[c.reason] || c.reason)),
        { testid: "payouts-carried" })] : null);
  }

  let exportUrl = null;
  function exportBox() {
    const format = choose([["paypal", "PayPal Payouts (CSV)"], ["wise", "Wise batch payments (CSV)"]], "paypal", { testid: "export-format" });
    const status = choose(labelled(PAYOUT_STATUSES), "pending", { testid: "export-status" });
    const invoice = input({ spellcheck: "false", testid: "export-run" });
    const output = h("div");
    return h("section", { class: "card", "aria-labelledby": "export-title" },
      h("h2", { id: "export-title", text: "Export a batch file" }),
      form({ "aria-label": "Export payouts" }, async () => {
        const answer = await api("GET", programPath("/payouts/export"), { text: true, query: { format: format.value, status: status.value, invoiceId: invoice.value.trim() } });
        if (exportUrl) URL.revokeObjectURL(exportUrl);
        exportUrl = URL.createObjectURL(new Blob([answer.data], { type: "text/csv" }));
        const lines = answer.data ? answer.data.replace(/\n$/, "").split("\n").length : 0;
        const name = `payouts-${format.value}-${status.value}.csv`;
        put(output,
          h("p", null, `${lines} line${lines === 1 ? "" : "s"}. `, h("a", { href: exportUrl, download: name, testid: "export-download", text: `Download ${name}` })),
          h("pre", { class: "output", testid: "export-output", tabindex: "0", "aria-label": "The file's content", text: answer.data || "(empty file)" }));
      },
      h("div", { class: "row" }, field("Format", format), field("Payouts", status), field("Run id (optional)", invoice),
        h("div", { class: "actions" }, submit("Export", { class: "btn secondary", testid: "export-go" })))),
      output);
  }

  /* ------------------------------------------------------------------ webhooks */

  const WEBHOOK_EVENTS = [
    "lead.created", "sale.created", "commission.created", "partner.enrolled", "partner.application_submitted",
    "partner_application_approved", "partner_application_rejected", "partner.group_moved",
    "payout.created", "payout.confirmed", "payout.failed", "payout.waiting",
    "link.created", "link.updated", "link.deleted", "link.clicked", "webhook.endpoint_disabled",
  ];

  function eventChecks(legend, chosen, testPrefix) {
    const boxes = [];
    const set = h("fieldset", { class: "checks" }, h("legend", { text: legend }));
    for (const name of WEBHOOK_EVENTS) {
      const { box, node } = checkbox(name === "link.clicked" ? `${name} (every click: high volume)` : name, { value: name, checked: chosen.includes(name), testid: `${testPrefix}-${name}` });
      boxes.push(box);
      add(set, node);
    }
    return { set, picked: () => boxes.filter((b) => b.checked).map((b) => b.value) };
  }

  async function screenWebhooks(root, where, live) {
    const url = input({ type: "url", testid: "webhook-url", placeholder: "https://example.com/webhooks/partnerline", spellcheck: "false" });
    const events = eventChecks("Events", ["lead.created", "sale.created", "commission.created", "partner.enrolled"], "webhook-event");
    const created = h("div");
    const list = h("div", { testid: "webhooks-list" }, loading());
    const reload = async (keepSecret) => {
      if (!keepSecret) put(created);
      const endpoints = await get("/webhooks");
      if (!live()) return;
      list.replaceChildren();
      if (!endpoints.length) add(list, h("p", { class: "card empty", text: "No endpoint yet." }));
      for (const endpoint of endpoints) add(list, webhookCard(endpoint, reload));
    };
    add(root,
      title("Webhooks"),
      h("p", { class: "lead muted", text: "Your systems hear of events as signed requests (Standard Webhooks). Failed deliveries are retried for about 28 hours; 20 failures in a row disable an endpoint." }),
      h("section", { class: "card", "aria-labelledby": "new-hook" }, h("h2", { id: "new-hook", text: "New endpoint" }),
        form({ "aria-label": "New endpoint", testid: "webhook-form" }, async () => {
          if (!url.value.trim()) throw new Error("Give the endpoint's URL.");
          const picked = events.picked();
          if (!picked.length) throw new Error("Choose at least one event.");
          const endpoint = await send("POST", "/webhooks", { url: url.value.trim(), events: picked });
          url.value = "";
          put(created, secretBox(`The signing secret of ${endpoint.url}`, endpoint.secret || ""));
          await reload(true);
          created.querySelector("button").focus();
        },
        field("URL", url, { hint: "https, on a public address." }),
        events.set,
        h("div", { class: "actions" }, submit("Create endpoint", { testid: "webhook-create" }))),
        created),
      h("h2", { text: "Endpoints" }),
      list,
    );
    await reload();
  }

  function webhookCard(endpoint, reload) {
    const headingId = uid("hook");
    const card = h("article", { class: "card", testid: "webhook", "data-id": endpoint.id, "aria-labelledby": headingId });
    const path = `/webhooks/${enc(endpoint.id)}`;
    const secretSlot = h("div");
    add(card,
      h("div", { class: "alert", role: "alert" }),
      h("div", { class: "card-head" }, h("h3", { id: headingId, class: "mono", text: endpoint.url }),
        badge(endpoint.enabled ? "enabled" : "disabled", { testid: "webhook-state" })),
      facts([
        ["Events", endpoint.events.join(", ")],
        ["Failures in a row", String(endpoint.consecutiveFailures), "webhook-failures"],
        ["Created", time(endpoint.createdAt)],
        ["Endpoint id", h("span", { class: "mono", text: endpoint.id })],
        endpoint.previousSecretExpiresAt ? ["Old secret signs until", time(endpoint.previousSecretExpiresAt)] : null,
      ].filter(Boolean)),
      secretSlot,
    );
    const actions = h("div", { class: "actions" });
    add(actions,
      button("Send a test event", { class: "btn secondary", testid: "webhook-test" }, async () => {
        await send("POST", `${path}/test`);
        notify(`A webhook.test event is on its way to ${endpoint.url}.`);
      }),
      button(endpoint.enabled ? "Disable" : "Enable", { class: "btn secondary", testid: "webhook-toggle" }, async () => {
        await send("PATCH", path, { enabled: !endpoint.enabled });
        await reload();
        notify(`${endpoint.url} is ${endpoint.enabled ? "disabled" : "enabled"}.`);
        refocus(`[data-testid="webhook"][data-id="${endpoint.id}"] [data-testid="webhook-toggle"]`);
      }),
      button("Rotate secret…", { class: "btn secondary", testid: "webhook-rotate" }, () => confirmThen(actions,
        "Make a new signing secret? The old one keeps signing for 24 hours, so you can switch over.", "Rotate secret", async () => {
          const rotated = await send("POST", `${path}/rotate-secret`);
          put(secretSlot, secretBox(`The new signing secret of ${rotated.url}`, rotated.secret || ""));
          secretSlot.querySelector("button").focus();
        })),
      button("Delete…", { class: "btn danger", testid: "webhook-delete" }, () => confirmThen(actions,
        `Delete the endpoint ${endpoint.url}? Nothing more is sent to it.`, "Delete endpoint", async () => {
          await send("DELETE", path);
          await reload();
          notify(`Endpoint ${endpoint.url} deleted.`);
          refocus("#view h1");
        })),
    );
    add(card, actions);
    const events = eventChecks("Events", endpoint.events, "webhook-edit-event");
    add(card, h("details", null, h("summary", { text: "Change events" }), h("div", { class: "inner" },
      form({ "aria-label": "Change events" }, async () => {
        const picked = events.picked();
        if (!picked.length) throw new Error("Choose at least one event.");
        await send("PATCH", path, { events: picked });
        await reload();
        notify(`Events of ${endpoint.url} saved.`);
      }, events.set, h("div", { class: "actions" }, submit("Save events", { class: "btn secondary" }))))));
    const deliveries = h("div", { class: "inner" });
    const details = h("details", { testid: "webhook-deliveries" }, h("summary", { text: "Recent deliveries" }), deliveries);
    details.addEventListener("toggle", () => {
      if (details.open && !deliveries.childElementCount) loadDeliveries(endpoint, deliveries);
    });
    add(card, details);
    return card;
  }

  function loadDeliveries(endpoint, box) {
    const onlyFailed = checkbox("Failures only", { testid: "deliveries-failed-only" });
    const holder = h("div", null, loading());
    const more = h("div", { class: "actions" });
    let rows = [];
    let cursor = null;
    const draw = () => {
      const shown = onlyFailed.box.checked ? rows.filter((d) => d.state === "failed" || (d.attempts || []).some((a) => a.error || (a.statusCode && a.statusCode >= 300))) : rows;
      put(holder, table(`Deliveries to ${endpoint.url}`, ["Created", "Event", "State", ["Attempts", "num"], "Last answer", "Last error", ["Latency", "num"], "Next attempt", "Action"], shown, (d) => {
        const attempts = d.attempts || [];
        const last = attempts[attempts.length - 1] || {};
        const cell = td(null);
        if (d.state === "failed") {
          put(cell, button("Re-send", { class: "btn secondary small", testid: "delivery-resend" }, async () => {
            await send("POST", `/webhooks/${enc(endpoint.id)}/deliveries/${enc(d.id)}/resend`);
            notify(`The ${d.event} event is sent again to ${endpoint.url}.`);
            await fetchPage(true);
          }));
        }
        return h("tr", { testid: "delivery-row", "data-state": d.state },
          td(time(d.createdAt), "nowrap"), td(d.event), td(badge(d.state)), td(String(attempts.length), "num"),
          td(last.statusCode ? String(last.statusCode) : attempts.length ? "no answer" : "—"), td(last.error),
          td(last.latencyMs !== undefined ? `${last.latencyMs} ms` : "—", "num"), td(d.nextAttemptAt ? time(d.nextAttemptAt) : "—", "nowrap"), cell);
      }, { testid: "deliveries-table", empty: onlyFailed.box.checked ? "No failed delivery among these." : "No delivery yet." }));
    };
    const fetchPage = async (restart) => {
      const answer = await get(`/webhooks/${enc(endpoint.id)}/deliveries`, { limit: 25, cursor: restart ? null : cursor });
      rows = restart ? answer.data : rows.concat(answer.data);
      cursor = answer.nextCursor;
      draw();
      more.replaceChildren();
      if (cursor) add(more, button("Older deliveries", { class: "btn secondary small" }, () => fetchPage(false)));
    };
    onlyFailed.box.addEventListener("change", draw);
    add(box, onlyFailed.node, holder, more,
      h("div", { class: "actions" }, button("Refresh", { class: "btn secondary small", testid: "deliveries-refresh" }, () => fetchPage(true))));
    run(box, null, () => fetchPage(true));
  }

  /* ------------------------------------------------------------------ API keys */

  const SCOPES = [
    ["apis.all", "Everything (apis.all)"],
    ["programs.read", "programs.read"], ["programs.write", "programs.write"],
    ["partners.read", "partners.read"], ["partners.write", "partners.write"],
    ["links.read", "links.read"], ["links.write", "links.write"],
    ["conversions.write", "conversions.write (track leads and sales)"], ["clicks.track", "clicks.track"],
    ["customers.read", "customers.read"], ["customers.write", "customers.write"],
    ["commissions.read", "commissions.read"], ["commissions.write", "commissions.write"],
    ["payouts.read", "payouts.read"], ["payouts.write", "payouts.write"],
    ["webhooks.read", "webhooks.read"], ["webhooks.write", "webhooks.write"],
    ["analytics.read", "analytics.read"], ["applications.submit", "applications.submit (a website's apply form)"],
  ];

  async function screenApiKeys(root, where, live) {
    const name = input({ maxlength: "100", testid: "apikey-name" });
    const expires = input({ type: "date", testid: "apikey-expires" });
    const boxes = [];
    const scopes = h("fieldset", { class: "checks" }, h("legend", { text: "Scopes" }));
    for (const [scope, label] of SCOPES) {
      const { box, node } = checkbox(label, { value: scope, testid: `apikey-scope-${scope}` });
      boxes.push(box);
      add(scopes, node);
    }
    const created = h("div");
    const list = h("div", null, loading());
    const reload = async (keepSecret) => {
      if (!keepSecret) put(created);
      const keys = [];
      let cursor = null;
      for (let page = 0; page < 20; page += 1) {
        const answer = await get(programPath("/api-keys"), { limit: 100, cursor });
        keys.push(...(answer.data || []));
        cursor = answer.nextCursor;
        if (!cursor) break;
      }
      if (!live()) return;
      put(list, table("API keys", ["Name", "Key", "Scopes", "Created", "Expires", "Last used", "State", "Action"], keys, (key) => {
        const state = key.revokedAt ? "revoked" : key.expiresAt && new Date(key.expiresAt) <= new Date() ? "expired" : "active";
        const cell = td(null);
        if (state !== "revoked") {
          const revoke = button("Revoke…", { class: "btn danger small", testid: "apikey-revoke" }, () => confirmThen(revoke,
            `Revoke the key “${key.name}” (${key.partialKey})? Calls with it are refused from now on.`, "Revoke key", async () => {
              await send("DELETE", programPath(`/api-keys/${enc(key.id)}`));
              await reload();
              notify(`The key “${key.name}” is revoked.`);
              refocus('[data-testid="apikeys-table"]');
            }));
          put(cell, revoke);
        }
        return h("tr", { testid: "apikey-row", "data-id": key.id, "data-state": state },
          td(key.name), td(h("span", { class: "mono", text: key.partialKey })), td(key.scopes.join(", ")),
          td(time(key.createdAt), "nowrap"), td(time(key.expiresAt), "nowrap"), td(time(key.lastUsedAt), "nowrap"),
          td([badge(state, { testid: "apikey-state" }), key.revokedAt ? h("div", { class: "hint" }, time(key.revokedAt)) : null]), cell);
      }, { testid: "apikeys-table", empty: "No API key yet." }));
    };
    add(root,
      title("API keys"),
      h("p", { class: "lead muted", text: "Keys let your own systems call the API for this program: your backend tracks leads and sales, your website submits applications. Give each key only the scopes it needs; only the key's hash is stored." }),
      h("section", { class: "card", "aria-labelledby": "new-key" }, h("h2", { id: "new-key", text: "New key" }),
        form({ "aria-label": "New API key", testid: "apikey-form" }, async () => {
          if (!name.value.trim()) throw new Error("Give the key a name, e.g. the system that will use it.");
          const picked = boxes.filter((b) => b.checked).map((b) => b.value);
          if (!picked.length) throw new Error("Choose at least one scope.");
          const body = { name: name.value.trim(), scopes: picked };
          if (expires.value) body.expiresAt = new Date(`${expires.value}T23:59:59`).toISOString();
          const key = await send("POST", programPath("/api-keys"), body);
          name.value = "";
          expires.value = "";
          for (const b of boxes) b.checked = false;
          put(created, secretBox(`The key “${key.name}”`, key.key || ""));
          await reload(true);
          created.querySelector("button").focus();
        },
        h("div", { class: "row" }, field("Name", name), field("Expires after (optional)", expires, { hint: "The key stops working at the end of this day." })),
        scopes,
        h("div", { class: "actions" }, submit("Create key", { testid: "apikey-create" }))),
        created),
      h("h2", { text: "Keys" }),
      list,
    );
    await reload();
  }

  /* ------------------------------------------------------------------ program setup */

  const EVENTS = [["sale", "Sale"], ["lead", "Lead"], ["click", "Click"]];
  const METRICS = [["totalLeads", "Leads"], ["totalConversions", "Conversions"], ["totalSaleAmount", "Sales amount"], ["totalCommissions", "Commissions earned"]];
  const MONEY_METRICS = ["totalSaleAmount", "totalCommissions"];
  const WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];

  function duration(months, event) {
    if (months === null || months === undefined) return "for the customer's lifetime";
    if (months === 0) return event === "sale" ? "on the first sale only" : "once";
    return `for ${months} month${months === 1 ? "" : "s"}`;
  }

  function rewardWords(reward) {
    const per = { sale: "each sale", lead: "each lead", click: "each click" }[reward.event] || reward.event;
    const amount = reward.type === "percentage" ? Number(reward.amountInPercentage || 0) : Number(reward.amountInCents || 0);
    if (amount === 0 && reward.description) return `Non-monetary, for ${per}: ${reward.description}`;
    const what = reward.type === "percentage" ? `${reward.amountInPercentage}% of ${per}` : `${money(reward.amountInCents)} for ${per}`;
    return `${what}, ${duration(reward.maxDuration, reward.event)}${reward.modifiers && reward.modifiers.length ? `, with ${reward.modifiers.length} modifier${reward.modifiers.length === 1 ? "" : "s"}` : ""}`;
  }

  function ruleWords(rule) {
    const conditions = rule.conditions.map((c) => {
      const label = (METRICS.find(([m]) => m === c.metric) || [0, c.metric])[1].toLowerCase();
      const show = (v) => (MONEY_METRICS.includes(c.metric) ? money(v) : String(v));
      return c.operator === "between" ? `${label} between ${show(c.min)} and ${show(c.max)}` : `${label} at least ${show(c.value)}`;
    });
    return `When ${conditions.join(" and ")}: move to ${groupName(rule.targetGroupId)}`;
  }

  async function screenSetup(root, where, live) {
    add(root, title("Program setup"));
    const body = h("div", null, loading());
    add(root, body);
    const [fresh, groups] = await Promise.all([get(programPath()), loadGroups(true)]);
    if (!live()) return;
    program = fresh;
    $("program-name").textContent = `${program.name} · ${program.id}`;
    const list = h("div", { testid: "groups" });
    for (const group of groups) add(list, groupCard(group));
    put(body,
      settingsCard(),
      h("h2", { text: "Groups" }),
      h("p", { class: "lead muted", text: "Every partner is in one group; a group's rewards, discount, holding period and move rules apply to its partners. A reward change applies to events from now on; earlier commissions keep the reward they were made with." }),
      list,
      newGroupCard(),
    );
  }

  function settingsCard() {
    const s = program.settings || {};
    const cur = currencyCode();
    const name = input({ value: program.name, maxlength: "100", testid: "settings-name" });
    const rate = input({ value: s.defaultCommissionRate, inputmode: "decimal", testid: "settings-rate" });
    const holding = input({ value: s.holdingPeriodDays, inputmode: "numeric", testid: "settings-holding" });
    const window_ = input({ value: s.attributionWindowDays, inputmode: "numeric", testid: "settings-attribution" });
    const clickParam = input({ value: s.clickIdParam || "", spellcheck: "false", testid: "settings-click-param" });
    const rail = choose(RAILS, s.payoutRail || "manual", { testid: "settings-rail" });
    const minimum = input({ value: s.minPayoutAmount === undefined ? "" : decimal(s.minPayoutAmount), inputmode: "decimal", testid: "settings-min-payout" });
    const schedule = s.payoutSchedule || { frequency: "manual" };
    const frequency = choose([["manual", "Only when you run them"], ["weekly", "Every week"], ["monthly", "Every month"]], schedule.frequency, { testid: "settings-frequency" });
    const weekday = choose(WEEKDAYS.map((d) => [d, d[0].toUpperCase() + d.slice(1)]), schedule.weekday || "friday", { testid: "settings-weekday" });
    const day = input({ value: schedule.day || 1, inputmode: "numeric", testid: "settings-day" });
    const weekdayField = field("On (UTC)", weekday);
    const dayField = field("Day of the month (1–28, UTC)", day);
    const sync = () => {
      weekdayField.hidden = frequency.value !== "weekly";
      dayField.hidden = frequency.value !== "monthly";
    };
    frequency.addEventListener("change", sync);
    sync();
    return h("section", { class: "card", "aria-labelledby": "settings-title", testid: "settings" },
      h("h2", { id: "settings-title", text: "Program" }),
      facts([["Currency", cur], ["Short-link domain", program.domain], ["Program id", h("span", { class: "mono", text: program.id })]]),
      form({ "aria-label": "Program settings", testid: "settings-form" }, async () => {
        const settings = {
          defaultCommissionRate: percent(rate.value, "Default commission rate"),
          holdingPeriodDays: whole(holding.value, "Holding period", 0, 3650),
          attributionWindowDays: whole(window_.value, "Attribution window", 1, 3650),
          payoutRail: rail.value,
          minPayoutAmount: toMinor(minimum.value, "Minimum payout"),
          payoutSchedule: frequency.value === "weekly" ? { frequency: "weekly", weekday: weekday.value }
            : frequency.value === "monthly" ? { frequency: "monthly", day: whole(day.value, "Day of the month", 1, 28) } : { frequency: "manual" },
        };
        if (clickParam.value.trim() && clickParam.value.trim() !== s.clickIdParam) settings.clickIdParam = clickParam.value.trim();
        const body = { settings, version: program.version };
        if (name.value.trim() && name.value.trim() !== program.name) body.name = name.value.trim();
        program = await send("PATCH", programPath(), body);
        $("program-name").textContent = `${program.name} · ${program.id}`;
        notify("Program settings saved.");
      },
      h("div", { class: "row" },
        field("Name", name),
        field("Default commission rate (%)", rate, { hint: "Paid on sales by groups without a sale reward." }),
        field("Holding period (days)", holding, { hint: "The program's default; each group has its own below." }),
        field("Attribution window (days)", window_, { hint: "How long a click can still earn a lead." }),
        field("Click id parameter", clickParam, { hint: "Added to destination URLs." })),
      h("h3", { text: "Payouts" }),
      h("div", { class: "row" },
        field("Rail", rail),
        field(`Minimum payout (${cur})`, minimum, { hint: "Smaller balances wait for a later run." }),
        field("Schedule", frequency), weekdayField, dayField),
      h("div", { class: "actions" }, submit("Save program settings", { testid: "settings-save" }))));
  }

  async function refreshGroup(card, groupId, message) {
    const groups = await loadGroups(true);
    const group = groups.find((g) => g.id === groupId);
    const next = group ? groupCard(group) : null;
    if (next) card.replaceWith(next);
    else card.remove();
    if (message) notify(message);
    const heading = next && next.querySelector("h3");
    if (heading) heading.focus();
  }

  function groupCard(group) {
    const headingId = uid("grp");
    const card = h("section", { class: "card", testid: `group-${group.slug}`, "data-id": group.id, "aria-labelledby": headingId });
    const refresh = (message) => refreshGroup(card, group.id, message);
    add(card,
      h("div", { class: "card-head" },
        h("h3", { id: headingId, tabindex: "-1", text: `${group.name}` }),
        h("span", { class: "muted mono", text: group.slug }),
        group.autoApprove ? badge("auto-approve") : null),
      h("p", { class: "muted", text: `Commissions are held ${group.holdingPeriodDays} day${group.holdingPeriodDays === 1 ? "" : "s"} before they are payable; at most ${group.maxLinksPerPartner} links per partner.` }),
    );

    add(card, h("h4", { text: "Rewards" }));
    const rewards = h("ul", { class: "plain stack", testid: "rewards" });
    for (const reward of group.rewards) add(rewards, rewardItem(group, reward, refresh));
    if (!group.rewards.length) add(rewards, h("li", { class: "muted", text: "No reward: sales pay the program's default commission rate." }));
    add(card, rewards);
    const free = EVENTS.filter(([event]) => !group.rewards.some((r) => r.event === event));
    if (free.length) {
      add(card, h("details", { testid: `reward-add-${group.slug}` }, h("summary", { text: "Add a reward" }),
        h("div", { class: "inner" }, rewardForm(group, null, free, refresh))));
    }

    add(card, h("h4", { text: "Discount for referred customers" }),
      h("p", { testid: "discount-summary" }, group.discount ? `${group.discount.type === "percentage" ? `${group.discount.amount}%` : money(group.discount.amount)} off, ${duration(group.discount.maxDuration, "sale").replace("on the first sale only", "on the first purchase only")}${group.discount.couponId ? ` (coupon ${group.discount.couponId})` : ""}` : "No discount."),
      h("details", { testid: `discount-${group.slug}` }, h("summary", { text: group.discount ? "Change the discount" : "Set a discount" }),
        h("div", { class: "inner" }, discountForm(group, refresh))));

    add(card, h("h4", { text: "Move rules" }));
    const rules = h("ul", { testid: "move-rules" });
    for (const rule of group.moveRules || []) add(rules, h("li", { text: ruleWords(rule) }));
    if (!(group.moveRules || []).length) add(rules, h("li", { class: "muted", text: "Partners stay in this group until moved by hand." }));
    add(card, rules, h("details", { testid: `moverules-${group.slug}` }, h("summary", { text: "Change the move rules" }),
      h("div", { class: "inner" }, moveRulesForm(group, refresh))));

    add(card, h("details", { testid: `group-settings-${group.slug}` }, h("summary", { text: "Group settings" }),
      h("div", { class: "inner" }, groupForm(group, card, refresh))));
    return card;
  }

  function rewardItem(group, reward, refresh) {
    const item = h("li", { class: "rule", testid: `reward-${group.slug}-${reward.event}`, "data-id": reward.id });
    add(item, h("p", null, h("strong", { text: `${(EVENTS.find(([e]) => e === reward.event) || [0, reward.event])[1]}: ` }),
      h("span", { testid: "reward-summary", text: rewardWords(reward) })));
    if (reward.tooltip) {
      add(item, h("p", { class: "hint", text: "Tooltip for partners (markdown):" }), h("p", { class: "tooltip-text", testid: "reward-tooltip-shown", text: reward.tooltip }));
    }
    const remove = button("Delete reward…", { class: "btn danger small", testid: "reward-delete" }, () => confirmThen(remove,
      `Delete the ${reward.event} reward of ${group.name}? ${reward.event === "sale" ? "Sales then pay the program's default rate." : "These events then earn nothing."}`, "Delete reward", async () => {
        await send("DELETE", programPath(`/groups/${enc(group.id)}/rewards/${enc(reward.id)}`));
        await refresh(`The ${reward.event} reward of ${group.name} is deleted.`);
      }));
    add(item, h("details", { testid: "reward-edit" }, h("summary", { text: "Change this reward" }),
      h("div", { class: "inner" }, rewardForm(group, reward, null, refresh))), h("div", { class: "actions" }, remove));
    return item;
  }

  function rewardForm(group, reward, freeEvents, refresh) {
    const event = reward ? null : choose(freeEvents, freeEvents[0][0], { testid: "reward-event" });
    const type = choose([["percentage", "Percentage of the sale"], ["flat", "Flat amount"]], reward ? reward.type : "percentage", { testid: "reward-type" });
    const amount = input({ inputmode: "decimal", testid: "reward-amount" });
    if (reward) amount.value = reward.type === "percentage" ? String(reward.amountInPercentage ?? "") : decimal(reward.amountInCents || 0);
    const amountField = field("Amount", amount, { hint: "0 with a description makes a non-monetary reward: no commission, partners see the description." });
    const months = input({ inputmode: "numeric", value: reward && reward.maxDuration !== null && reward.maxDuration !== undefined ? reward.maxDuration : "", testid: "reward-duration" });
    const description = input({ value: reward ? reward.description || "" : "", maxlength: "500", testid: "reward-description" });
    const tooltip = h("textarea", { rows: "3", maxlength: "2000", testid: "reward-tooltip" });
    tooltip.value = reward ? reward.tooltip || "" : "";
    const modifiersText = reward && reward.modifiers && reward.modifiers.length ? JSON.stringify(reward.modifiers, null, 2) : "";
    const modifiers = h("textarea", { class: "code", rows: "5", spellcheck: "false", testid: "reward-modifiers" });
    modifiers.value = modifiersText;
    const currentEvent = () => (reward ? reward.event : event.value);
    const sync = () => {
      const clickReward = currentEvent() === "click";
      type.options[0].disabled = clickReward;
      if (clickReward && type.value === "percentage") type.value = "flat";
      amountField.querySelector("label").textContent = type.value === "percentage" ? "Amount (%)" : `Amount (${currencyCode()})`;
    };
    type.addEventListener("change", sync);
    if (event) event.addEventListener("change", sync);
    sync();
    return form({ "aria-label": reward ? `Change the ${reward.event} reward` : "Add a reward", testid: reward ? "reward-form" : "reward-new-form" }, async () => {
      const body = { type: type.value };
      if (type.value === "percentage") {
        body.amountInPercentage = percent(amount.value, "Amount");
        if (reward) body.amountInCents = null;
      } else {
        body.amountInCents = toMinor(amount.value, "Amount");
        if (reward) body.amountInPercentage = null;
      }
      body.maxDuration = months.value.trim() === "" ? null : whole(months.value, "Duration", 0, 1200);
      body.description = description.value.trim() || null;
      body.tooltip = tooltip.value.trim() || null;
      if (modifiers.value.trim() !== modifiersText.trim()) {
        try {
          body.modifiers = modifiers.value.trim() ? JSON.parse(modifiers.value) : [];
        } catch (_) {
          throw new Error("Modifiers: not valid JSON (a list of {type, amountInCents or amountInPercentage, conditions}).");
        }
      }
      if (reward) {
        await send("PATCH", programPath(`/groups/${enc(group.id)}/rewards/${enc(reward.id)}`), body);
        await refresh(`The ${reward.event} reward of ${group.name} is saved: it applies to events from now on.`);
      } else {
        body.event = event.value;
        for (const key of Object.keys(body)) if (body[key] === null) delete body[key];
        await send("POST", programPath(`/groups/${enc(group.id)}/rewards`), body);
        await refresh(`A ${body.event} reward is added to ${group.name}.`);
      }
    },
    h("div", { class: "row" },
      event ? field("Event", event) : null,
      field("Kind", type),
      amountField,
      field("Duration (months)", months, { hint: "Counted from the customer's first sale; 0: first sale only; empty: lifetime." })),
    field("Description (optional)", description, { hint: "Shown to partners; required for a non-monetary reward, e.g. “500 free credits for every signup”.", cls: "wide" }),
    field("Tooltip (optional, markdown)", tooltip, { hint: "Shown to partners beside the reward.", cls: "wide" }),
    h("details", null, h("summary", { text: "Modifiers (JSON, optional)" }), h("div", { class: "inner" },
      field("Modifiers", modifiers, { hint: "E.g. [{\"type\":\"percentage\",\"amountInPercentage\":40,\"conditions\":[{\"entity\":\"sale\",\"attribute\":\"amount\",\"operator\":\"greater_than\",\"value\":10000}]}]; the highest match wins.", cls: "wide" }))),
    h("div", { class: "actions" }, submit(reward ? "Save reward" : "Add reward", { testid: reward ? "reward-save" : "reward-create" })));
  }

  function discountForm(group, refresh) {
    const d = group.discount;
    const type = choose([["percentage", "Percentage"], ["flat", "Flat amount"]], d ? d.type : "percentage", { testid: "discount-type" });
    const amount = input({ inputmode: "decimal", value: d ? (d.type === "percentage" ? d.amount : decimal(d.amount)) : "", testid: "discount-amount" });
    const amountField = field("Amount", amount);
    const months = input({ inputmode: "numeric", value: d && d.maxDuration !== null && d.maxDuration !== undefined ? d.maxDuration : "", testid: "discount-duration" });
    const coupon = input({ value: d ? d.couponId || "" : "", spellcheck: "false", testid: "discount-coupon" });
    const sync = () => {
      amountField.querySelector("label").textContent = type.value === "percentage" ? "Amount (whole %)" : `Amount (${currencyCode()})`;
    };
    type.addEventListener("change", sync);
    sync();
    const actions = h("div", { class: "actions" }, submit("Save discount", { testid: "discount-save" }));
    if (d) {
      const remove = button("Remove discount…", { class: "btn danger", testid: "discount-remove" }, () => confirmThen(actions,
        `Remove the discount of ${group.name}?`, "Remove discount", async () => {
          await send("DELETE", programPath(`/groups/${enc(group.id)}/discount`));
          await refresh(`${group.name} has no discount now.`);
        }));
      add(actions, remove);
    }
    return form({ "aria-label": "Discount", testid: "discount-form" }, async () => {
      const body = {
        type: type.value,
        amount: type.value === "percentage" ? whole(amount.value, "Amount", 1, 100) : toMinor(amount.value, "Amount"),
      };
      if (months.value.trim() !== "") body.maxDuration = whole(months.value, "Duration", 0, 1200);
      if (coupon.value.trim()) body.couponId = coupon.value.trim();
      await send("PUT", programPath(`/groups/${enc(group.id)}/discount`), body);
      await refresh(`The discount of ${group.name} is saved.`);
    },
    h("div", { class: "row" }, field("Kind", type), amountField,
      field("Duration (months)", months, { hint: "Empty: every purchase; 0: the first one only." }),
      field("Stripe coupon id (optional)", coupon)),
    actions);
  }

  function moveRulesForm(group, refresh) {
    const others = (groupsCache || []).filter((g) => g.id !== group.id);
    const rules = (group.moveRules || []).map((rule) => ({
      targetGroupId: rule.targetGroupId,
      conditions: rule.conditions.map((c) => ({ ...c })),
    }));
    const holder = h("div");
    const money_ = (metric) => MONEY_METRICS.includes(metric);
    const shown = (metric, value) => (value === null || value === undefined ? "" : money_(metric) ? decimal(value) : String(value));
    const draw = () => {
      holder.replaceChildren();
      if (!rules.length) add(holder, h("p", { class: "muted", text: "No rule." }));
      rules.forEach((rule, index) => {
        const box = h("fieldset", { class: "rule", testid: "move-rule" }, h("legend", { class: "label", text: `Rule ${index + 1}` }));
        const target = choose(groupOptions(others), rule.targetGroupId, { testid: "move-rule-target" });
        target.addEventListener("change", () => { rule.targetGroupId = target.value; });
        if (!rule.targetGroupId && others[0]) rule.targetGroupId = others[0].id;
        rule.conditions.forEach((condition, at) => {
          const metric = choose(METRICS, condition.metric, { testid: "move-rule-metric" });
          const operator = choose([["gte", "at least"], ["between", "between"]], condition.operator, { testid: "move-rule-operator" });
          const row = h("div", { class: "cond" });
          const values = [];
          const unit = () => (money_(condition.metric) ? ` (${currencyCode()})` : "");
          if (condition.operator === "between") {
            const min = input({ inputmode: "decimal", value: shown(condition.metric, condition.min), testid: "move-rule-min" });
            const max = input({ inputmode: "decimal", value: shown(condition.metric, condition.max), testid: "move-rule-max" });
            values.push(field(`From${unit()}`, min), field(`To${unit()}`, max));
            min.addEventListener("input", () => { condition.minText = min.value; });
            max.addEventListener("input", () => { condition.maxText = max.value; });
          } else {
            const value = input({ inputmode: "decimal", value: shown(condition.metric, condition.value), testid: "move-rule-value" });
            values.push(field(`Value${unit()}`, value));
            value.addEventListener("input", () => { condition.valueText = value.value; });
          }
          metric.addEventListener("change", () => { condition.metric = metric.value; draw(); });
          operator.addEventListener("change", () => { condition.operator = operator.value; draw(); });
          add(row, field(at === 0 ? "When" : "and", metric), field("is", operator), values,
            button("Remove condition", { class: "btn secondary small" }, () => { rule.conditions.splice(at, 1); draw(); }));
          add(box, row);
        });
        add(box, h("div", { class: "actions" },
          button("Add a condition", { class: "btn secondary small" }, () => { rule.conditions.push({ metric: "totalLeads", operator: "gte" }); draw(); })),
        h("div", { class: "row" }, field("Then move to", target),
          h("div", { class: "actions" }, button("Remove rule", { class: "btn secondary small", testid: "move-rule-remove" }, () => { rules.splice(index, 1); draw(); }))));
        add(holder, box);
      });
    };
    const readValue = (condition, key) => {
      const typed = condition[`${key}Text`];
      const label = key === "value" ? "Value" : key === "min" ? "From" : "To";
      if (typed === undefined) {
        if (condition[key] === null || condition[key] === undefined) throw new Error(`Move rules: give every condition its ${label.toLowerCase()}.`);
        return condition[key];
      }
      return money_(condition.metric) ? toMinor(typed, `Move rules, ${label}`) : whole(typed, `Move rules, ${label}`, 0, 1e12);
    };
    draw();
    return form({ "aria-label": "Move rules", testid: "move-rules-form" }, async () => {
      const payload = rules.map((rule) => {
        if (!rule.conditions.length) throw new Error("Move rules: every rule needs a condition.");
        if (!rule.targetGroupId) throw new Error("Move rules: choose the group to move to.");
        return {
          targetGroupId: rule.targetGroupId,
          conditions: rule.conditions.map((c) => (c.operator === "between"
            ? { metric: c.metric, operator: "between", min: readValue(c, "min"), max: readValue(c, "max") }
            : { metric: c.metric, operator: "gte", value: readValue(c, "value") })),
        };
      });
      await send("PUT", programPath(`/groups/${enc(group.id)}/move-rules`), { rules: payload });
      await refresh(`The move rules of ${group.name} are saved.`);
    }, holder, h("div", { class: "actions" },
      others.length ? button("Add a rule", { class: "btn secondary", testid: "move-rule-add" }, () => {
        rules.push({ targetGroupId: others[0].id, conditions: [{ metric: "totalLeads", operator: "gte" }] });
        draw();
      }) : h("span", { class: "hint", text: "Make another group to move partners to." }),
      submit("Save move rules", { testid: "move-rules-save" })));
  }

  function groupForm(group, card, refresh) {
    const name = input({ value: group.name, maxlength: "100", testid: "group-name" });
    const slug = input({ value: group.slug, maxlength: "100", spellcheck: "false", testid: "group-slug", disabled: group.slug === "default" });
    const holding = input({ value: group.holdingPeriodDays, inputmode: "numeric", testid: "group-holding" });
    const links = input({ value: group.maxLinksPerPartner, inputmode: "numeric", testid: "group-max-links" });
    const auto = checkbox("Approve applications to this group at once (the default group's setting applies to public applications)", { checked: group.autoApprove, testid: "group-auto" });
    const actions = h("div", { class: "actions" }, submit("Save group", { testid: "group-save" }));
    if (group.slug !== "default") {
      const remove = button("Delete group…", { class: "btn danger", testid: "group-delete" }, () => confirmThen(actions,
        `Delete the group ${group.name}? A group that partners are in, or that a move rule targets, cannot be deleted.`, "Delete group", async () => {
          await send("DELETE", programPath(`/groups/${enc(group.id)}`));
          groupsCache = null;
          card.remove();
          notify(`The group ${group.name} is deleted.`);
          const heading = document.querySelector("h1");
          if (heading) heading.focus();
        }));
      add(actions, remove);
    }
    return form({ "aria-label": `Settings of ${group.name}`, testid: "group-form" }, async () => {
      const body = {
        name: name.value.trim(),
        holdingPeriodDays: whole(holding.value, "Holding period", 0, 3650),
        maxLinksPerPartner: whole(links.value, "Links per partner", 1, 1000),
        autoApprove: auto.box.checked,
      };
      if (!body.name) throw new Error("Give the group a name.");
      if (group.slug !== "default" && slug.value.trim() !== group.slug) body.slug = slug.value.trim();
      await send("PATCH", programPath(`/groups/${enc(group.id)}`), body);
      await refresh(`${body.name} is saved.`);
    },
    h("div", { class: "row" }, field("Name", name), field("Slug", slug),
      field("Holding period (days)", holding, { hint: "Before commissions become payable." }), field("Links per partner", links)),
    auto.node, actions);
  }

  function newGroupCard() {
    const name = input({ maxlength: "100", testid: "group-new-name" });
    const slug = input({ maxlength: "100", spellcheck: "false", testid: "group-new-slug" });
    const holding = input({ inputmode: "numeric", testid: "group-new-holding" });
    const auto = checkbox("Approve applications to this group at once", { testid: "group-new-auto" });
    return h("section", { class: "card", "aria-labelledby": "new-group" }, h("h2", { id: "new-group", text: "New group" }),
      form({ "aria-label": "New group", testid: "group-new-form" }, async () => {
        if (!name.value.trim()) throw new Error("Give the group a name.");
        const body = { name: name.value.trim(), autoApprove: auto.box.checked };
        if (slug.value.trim()) body.slug = slug.value.trim();
        if (holding.value.trim()) body.holdingPeriodDays = whole(holding.value, "Holding period", 0, 3650);
        const group = await send("POST", programPath("/groups"), body);
        flash = [`The group ${group.name} is made: add its rewards below.`];
        groupsCache = null;
        render();
      },
      h("div", { class: "row" }, field("Name", name), field("Slug (optional)", slug, { hint: "Made from the name when empty." }),
        field("Holding period (days, optional)", holding)),
      auto.node,
      h("div", { class: "actions" }, submit("Make group", { class: "btn secondary", testid: "group-create" }))));
  }

  /* ------------------------------------------------------------------ start */

  $("signin-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const box = $("signin-token");
    const remember = $("signin-remember").checked;
    run($("signin-form"), $("signin-error"), () => signIn(box.value, remember));
  });
  $("sign-out").addEventListener("click", () => signOut("You are signed out."));
  $("skip").addEventListener("click", (event) => {
    event.preventDefault();
    const heading = document.querySelector("#view h1") || $("main");
    heading.focus();
  });
  window.addEventListener("hashchange", render);
  // The screen's own link shows it afresh (a hash that does not change fires no event).
  $("nav").addEventListener("click", (event) => {
    const anchor = event.target.closest("a[href^='#/']");
    if (anchor && anchor.getAttribute("href") === location.hash) {
      event.preventDefault();
      render();
    }
  });

  const saved = remembered();
  if (saved) {
    run($("signin-form"), $("signin-error"), () => signIn(saved, true));
  } else {
    $("signin-token").focus();
  }
})();
