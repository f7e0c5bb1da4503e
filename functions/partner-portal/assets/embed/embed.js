// The embedded referral dashboard. Every value from the API is put in the page as text
// (textContent, attributes); nothing is ever parsed as HTML. The public token in the URL is
// removed from the address at once and traded, once, for a session kept in this closure only.
"use strict";
(function () {
  const $ = (id) => document.getElementById(id);
  let session = null;
  let view = null;
  let nextCursor = null;

  function fail(message) {
    $("status").hidden = true;
    $("content").hidden = true;
    const error = $("error");
    error.textContent = message;
    error.hidden = false;
    document.body.dataset.state = "error";
  }

  const EXPIRED =
    "This referral dashboard link has expired or was already used. Reload the page you opened it from.";

  async function api(method, path, body) {
    const headers = { Accept: "application/json" };
    if (session) headers.Authorization = "Bearer " + session;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "omit",
      referrerPolicy: "no-referrer",
    });
    if (response.status === 401) throw new Error(EXPIRED);
    const data = await response.json().catch(() => null);
    if (!response.ok) {
      const message = data && data.error && data.error.message;
      throw new Error(message || "The dashboard could not load (" + response.status + ").");
    }
    return data;
  }

  function el(tag, text, className) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (className) node.className = className;
    return node;
  }

  function money(minor) {
    const program = view.program;
    const value = minor / Math.pow(10, program.minorDigits);
    try {
      return new Intl.NumberFormat(undefined, {
        style: "currency",
        currency: program.currency.toUpperCase(),
        minimumFractionDigits: program.minorDigits,
        maximumFractionDigits: program.minorDigits,
      }).format(value);
    } catch (_) {
      return value.toFixed(program.minorDigits) + " " + program.currency.toUpperCase();
    }
  }

  function day(iso) {
    const date = new Date(iso);
    return isNaN(date) ? "" : date.toLocaleDateString(undefined, { year: "numeric", month: "short", day: "numeric" });
  }

  // Markdown, a safe subset: paragraphs, "- " lists, **bold**, *italic*, `code`, and links
  // whose URL is http(s). Everything else is text.
  function inline(text, parent) {
    // A link's URL may hold one level of parentheses: [x](https://a.b/c_(d)).
    const pattern = /(\*\*([^*]+)\*\*|\*([^*]+)\*|`([^`]+)`|\[([^\]]+)\]\(((?:[^()\s]|\([^()\s]*\))+)\))/g;
    let last = 0;
    let match;
    while ((match = pattern.exec(text)) !== null) {
      if (match.index > last) parent.appendChild(document.createTextNode(text.slice(last, match.index)));
      if (match[2] !== undefined) parent.appendChild(el("strong", match[2]));
      else if (match[3] !== undefined) parent.appendChild(el("em", match[3]));
      else if (match[4] !== undefined) parent.appendChild(el("code", match[4]));
      else parent.appendChild(link(match[5], match[6]));
      last = pattern.lastIndex;
    }
    if (last < text.length) parent.appendChild(document.createTextNode(text.slice(last)));
  }

  function link(label, href) {
    let url = null;
    try {
      url = new URL(href);
    } catch (_) {
      url = null;
    }
    if (!url || (url.protocol !== "https:" && url.protocol !== "http:")) return document.createTextNode(label);
    const anchor = el("a", label);
    anchor.href = url.href;
    anchor.target = "_blank";
    anchor.rel = "noopener noreferrer";
    return anchor;
  }

  function markdown(source) {
    const box = el("div", null, "markdown");
    box.dataset.testid = "reward-tooltip";
    const bullet = /^\s*[-*]\s+/;
    for (const block of String(source).replace(/\r\n?/g, "\n").split(/\n\s*\n/)) {
      // A block is runs of "- " lines (a list) and of other lines (a paragraph, one line a <br>).
      let run = null;
      for (const line of block.split("\n")) {
        if (line.trim() === "") continue;
        const item = bullet.test(line);
        if (!run || run.item !== item) {
          run = { item, node: el(item ? "ul" : "p") };
          box.appendChild(run.node);
        } else if (!item) {
          run.node.appendChild(el("br"));
        }
        if (item) {
          const entry = el("li");
          inline(line.replace(bullet, ""), entry);
          run.node.appendChild(entry);
        } else {
          inline(line.trim(), run.node);
        }
      }
    }
    return box;
  }

  function showRewards() {
    const list = $("rewards");
    list.replaceChildren();
    if (view.rewards.length === 0) list.appendChild(el("li", "No rewards yet.", "muted"));
    for (const reward of view.rewards) {
      const item = el("li");
      const text = el("p", reward.text, "reward");
      text.dataset.testid = "reward";
      item.appendChild(text);
      if (reward.tooltip) {
        const details = el("details");
        details.appendChild(el("summary", "Details"));
        details.appendChild(markdown(reward.tooltip));
        item.appendChild(details);
      }
      list.appendChild(item);
    }
    const discount = $("discount");
    discount.hidden = !view.discount;
    discount.textContent = view.discount ? view.discount.text : "";
  }

  function showEarnings() {
    const earnings = view.earnings;
    $("earnings-pending").textContent = money(earnings.pending);
    $("earnings-processed").textContent = money(earnings.processed);
    $("earnings-paid").textContent = money(earnings.paid);
    $("earnings-total").textContent = money(earnings.total);
    const list = $("payouts");
    list.replaceChildren();
    if (view.payouts.length === 0) list.appendChild(el("li", "No payouts yet.", "muted"));
    for (const payout of view.payouts) {
      list.appendChild(el("li", day(payout.paidAt || payout.createdAt) + " · " + money(payout.amount) + " · " + word(payout.status)));
    }
  }

  function chooseLink(link) {
    $("referral-link").value = link.shortLink;
    const qr = $("qr");
    qr.src = "/qr?url=" + encodeURIComponent(link.shortLink) + "&size=240";
    qr.alt = "QR code of " + link.shortLink;
    $("copied").textContent = "";
    return loadChart(view.links.length > 1 ? link.id : null);
  }

  function showLinks() {
    const links = view.links;
    if (links.length === 0) {
      $("link-field").hidden = true;
      $("qr").hidden = true;
      $("no-link").hidden = false;
      return loadChart(null);
    }
    const select = $("link-select");
    select.replaceChildren();
    links.forEach((link, index) => {
      const option = el("option", link.shortLink);
      option.value = String(index);
      select.appendChild(option);
    });
    $("link-switch").hidden = links.length < 2;
    select.onchange = () => chooseLink(links[Number(select.value)]).catch((e) => fail(e.message));
    return chooseLink(links[0]);
  }

  const SVG = "http://www.w3.org/2000/svg";
  function svg(tag, attributes) {
    const node = document.createElementNS(SVG, tag);
    for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
    return node;
  }

  function drawChart(days) {
    const totals = { clicks: 0, leads: 0, sales: 0 };
    for (const bucket of days) {
      totals.clicks += bucket.clicks;
      totals.leads += bucket.leads;
      totals.sales += bucket.sales;
    }
    $("total-clicks").textContent = String(totals.clicks);
    $("total-leads").textContent = String(totals.leads);
    $("total-sales").textContent = String(totals.sales);
    const width = 600;
    const height = 160;
    const top = Math.max(1, ...days.map((bucket) => Math.max(bucket.clicks, bucket.leads, bucket.sales)));
    const chart = svg("svg", { viewBox: "0 0 " + width + " " + height, role: "img", class: "bars" });
    chart.setAttribute(
      "aria-label",
      "Daily clicks, leads and sales over the last 30 days: " + totals.clicks + " clicks, " + totals.leads + " leads, " + totals.sales + " sales."
    );
    const slot = width / Math.max(1, days.length);
    days.forEach((bucket, index) => {
      const x = index * slot;
      const bar = (value, offset, kind) => {
        const h = (value / top) * (height - 10);
        if (h <= 0) return;
        chart.appendChild(svg("rect", { x: x + offset, y: height - h, width: Math.max(1, slot / 3 - 1), height: h, class: kind }));
      };
      bar(bucket.clicks, 0, "clicks");
      bar(bucket.leads, slot / 3, "leads");
      bar(bucket.sales, (2 * slot) / 3, "sales");
    });
    chart.appendChild(svg("line", { x1: 0, y1: height - 0.5, x2: width, y2: height - 0.5, class: "base" }));
    const box = $("chart");
    box.replaceChildren(chart);
    const legend = el("p", null, "legend");
    for (const kind of ["Clicks", "Leads", "Sales"]) legend.appendChild(el("span", kind, "key " + kind.toLowerCase()));
    if (days.length > 0) legend.appendChild(el("span", day(days[0].start) + " – " + day(days[days.length - 1].start), "span"));
    box.appendChild(legend);
    const body = $("days");
    body.replaceChildren();
    for (const bucket of days) {
      const row = el("tr");
      row.appendChild(el("th", day(bucket.start))).setAttribute("scope", "row");
      for (const value of [bucket.clicks, bucket.leads, bucket.sales]) row.appendChild(el("td", value));
      body.appendChild(row);
    }
  }

  let chartRequest = 0;
  async function loadChart(linkId) {
    const ticket = ++chartRequest;
    let zone = "UTC";
    try {
      zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
    } catch (_) {
      zone = "UTC";
    }
    let path = "/v1/affiliate/analytics?groupBy=timeseries&interval=30d&timezone=" + encodeURIComponent(zone);
    if (linkId) path += "&linkId=" + encodeURIComponent(linkId);
    const days = await api("GET", path);
    if (ticket === chartRequest) drawChart(Array.isArray(days) ? days : []);
  }

  function word(value) {
    const text = String(value || "");
    return text.charAt(0).toUpperCase() + text.slice(1);
  }

  function customerName(customer) {
    if (!customer) return "—";
    return customer.name || customer.email || "—";
  }

  async function loadCommissions() {
    let path = "/v1/affiliate/commissions?limit=10";
    if (nextCursor) path += "&cursor=" + encodeURIComponent(nextCursor);
    const page = await api("GET", path);
    const body = $("commissions");
    for (const commission of page.commissions) {
      const row = el("tr");
      row.dataset.testid = "commission-row";
      row.appendChild(el("td", day(commission.createdAt)));
      row.appendChild(el("td", customerName(commission.customer)));
      row.appendChild(el("td", word(commission.type)));
      row.appendChild(el("td", commission.type === "sale" ? money(commission.amount) : "—"));
      row.appendChild(el("td", money(commission.earnings)));
      row.appendChild(el("td", word(commission.status)));
      body.appendChild(row);
    }
    nextCursor = page.nextCursor;
    $("more").hidden = !nextCursor;
    $("no-commissions").hidden = body.children.length > 0;
  }

  function applyLook() {
    const program = view.program;
    document.title = program.name + " · Referral dashboard";
    $("program-name").textContent = program.name;
    $("partner-name").textContent = "Signed in as " + view.partner.name;
    if (/^#[0-9a-f]{6}$/i.test(program.themeColor)) {
      const rgb = [1, 3, 5].map((at) => parseInt(program.themeColor.slice(at, at + 2), 16) / 255);
      const linear = rgb.map((c) => (c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4)));
      const luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2];
      // The brand colour is a background; its text is whichever of black and white reads better.
      document.documentElement.style.setProperty("--brand", program.themeColor);
      document.documentElement.style.setProperty("--on-brand", luminance > 0.179 ? "#000000" : "#ffffff");
    }
    if (program.logoUrl) {
      const logo = $("logo");
      logo.src = program.logoUrl;
      logo.alt = program.name;
      logo.hidden = false;
    }
  }

  async function copyLink() {
    const input = $("referral-link");
    const status = $("copied");
    let copied = false;
    try {
      await navigator.clipboard.writeText(input.value);
      copied = true;
    } catch (_) {
      input.focus();
      input.select();
      try {
        copied = document.execCommand("copy");
      } catch (_) {
        copied = false;
      }
    }
    status.textContent = "";
    // A fresh text after a tick, so that a second copy is announced again.
    setTimeout(() => {
      status.textContent = copied ? "Copied" : "Selected: press Ctrl+C (or ⌘C) to copy";
    }, 50);
  }

  async function start() {
    const token = new URLSearchParams(location.search).get("token");
    history.replaceState(null, "", location.pathname);
    if (!token) return fail(EXPIRED);
    // Any refusal of the trade (unknown, expired, used, a malformed answer) reads the same.
    const traded = await api("POST", "/embed/referrals/session", { token }).catch(() => null);
    if (!traded || typeof traded.sessionToken !== "string") return fail(EXPIRED);
    session = traded.sessionToken;
    view = await api("GET", "/v1/affiliate/embed");
    view.links = view.links || [];
    view.rewards = view.rewards || [];
    view.payouts = view.payouts || [];
    applyLook();
    showRewards();
    showEarnings();
    await Promise.all([showLinks(), loadCommissions()]);
    $("copy").addEventListener("click", () => copyLink());
    $("more").addEventListener("click", () => loadCommissions().catch((e) => fail(e.message)));
    $("status").hidden = true;
    $("content").hidden = false;
    document.body.dataset.state = "ready";
  }

  start().catch((error) => fail(error.message));
})();
