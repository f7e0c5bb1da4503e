// The program console: the business's people run their program here, over the same JSON API as
// everything else. Every value from the API is put in the page as text (textContent and
// attributes, never HTML). The admin token lives in this closure, and in a SameSite=Strict
// cookie of this path only if the user asks; never in a URL or in storage.
"use strict";
(function () {
  const $ = (id) => document.getElementById(id);
  const COOKIE = "partnerline_console";
  const state = { token: null, program: null, groups: [] };

  // ---- Small DOM helpers --------------------------------------------------------------------
  function h(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
      else if (name === "testid") node.dataset.testid = value;
      else if (name === "class") node.className = value;
      else if (name === "value") node.value = value;
      else if (name === "checked") node.checked = Boolean(value);
      else node.setAttribute(name, value === true ? "" : String(value));
    }
    for (const child of children.flat()) {
      if (child === undefined || child === null || child === false) continue;
      node.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  let fieldCount = 0;
  function field(label, control) {
    const id = control.id || "f" + ++fieldCount;
    control.id = id;
    return h("div", { class: "field" }, h("label", { for: id }, label), control);
  }
  const input = (attrs) => h("input", Object.assign({ type: "text" }, attrs));
  function select(options, attrs) {
    const own = Object.assign({}, attrs);
    const chosen = own.value;
    delete own.value;
    const node = h("select", own, options.map(([value, label]) => h("option", { value }, label)));
    if (chosen !== undefined && chosen !== null) node.value = chosen;
    return node;
  }

  function table(caption, headers, rows, testid) {
    if (rows.length === 0) return h("p", { class: "muted" }, "Nothing to show.");
    return h(
      "div",
      { class: "scroll", tabindex: "0", role: "region", "aria-label": caption },
      h(
        "table",
        {},
        h("caption", { class: "visually-hidden" }, caption),
        h("thead", {}, h("tr", {}, headers.map((name) => h("th", { scope: "col" }, name)))),
        h("tbody", {}, rows.map((cells) => h("tr", { testid }, cells.map((cell) => h("td", {}, cell)))))
      )
    );
  }

  function notice(message) {
    $("notice").textContent = message;
  }
  function alertMessage(message) {
    const box = $("alert");
    box.textContent = message || "";
    box.hidden = !message;
  }

  // ---- Formatting ---------------------------------------------------------------------------
  function digits() {
    try {
      return new Intl.NumberFormat(undefined, { style: "currency", currency: currency() }).resolvedOptions()
        .maximumFractionDigits;
    } catch (_) {
      return 2;
    }
  }
  const currency = () => ((state.program && state.program.currency) || "usd").toUpperCase();
  function money(minor) {
    if (minor === null || minor === undefined) return "—";
    const value = minor / Math.pow(10, digits());
    try {
      return new Intl.NumberFormat(undefined, { style: "currency", currency: currency() }).format(value);
    } catch (_) {
      return value.toFixed(2) + " " + currency();
    }
  }
  const toMinor = (major) => Math.round(Number(major) * Math.pow(10, digits()));
  function when(iso) {
    if (!iso) return "—";
    const date = new Date(iso);
    return isNaN(date) ? String(iso) : date.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
  }

  // ---- The API ------------------------------------------------------------------------------
  class Unauthorized extends Error {}

  async function api(method, path, body) {
    const headers = { Authorization: "Bearer " + state.token, Accept: "application/json" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "omit",
      referrerPolicy: "no-referrer",
    });
    if (response.status === 401) throw new Unauthorized("Your token was refused: sign in again.");
    if (response.status === 204) return null;
    const type = response.headers.get("content-type") || "";
    const data = type.includes("json") ? await response.json().catch(() => null) : await response.text();
    if (!response.ok) {
      const message = data && data.error && data.error.message;
      throw new Error(message || method + " " + path + " answered " + response.status + ".");
    }
    return data;
  }

  // Runs an action; its errors go to the alert, an expired token back to the sign-in.
  async function run(action) {
    alertMessage("");
    try {
      return await action();
    } catch (error) {
      if (error instanceof Unauthorized) return signOut(error.message);
      alertMessage(error.message);
      return undefined;
    }
  }

  const programPath = (rest) => "/programs/" + encodeURIComponent(state.program.id) + (rest || "");

  // ---- Sign-in ------------------------------------------------------------------------------
  function programOf(token) {
    try {
      const part = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
      return JSON.parse(atob(part + "===".slice((part.length + 3) % 4))).program_id || null;
    } catch (_) {
      return null;
    }
  }

  function readCookie() {
    const found = document.cookie.split("; ").find((entry) => entry.startsWith(COOKIE + "="));
    return found ? decodeURIComponent(found.slice(COOKIE.length + 1)) : null;
  }
  function writeCookie(token) {
    const secure = location.protocol === "https:" ? "; Secure" : "";
    document.cookie = COOKIE + "=" + encodeURIComponent(token) + "; Path=/console; SameSite=Strict" + secure;
  }
  function clearCookie() {
    document.cookie = COOKIE + "=; Path=/console; SameSite=Strict; Max-Age=0";
  }

  async function signIn(token, remember) {
    const program = programOf(token);
    if (!program) {
      alertMessage("This is not an admin token of a program (no program_id in it).");
      return;
    }
    state.token = token;
    try {
      state.program = await api("GET", "/programs/" + encodeURIComponent(program));
    } catch (error) {
      state.token = null;
      alertMessage(error.message);
      return;
    }
    if (remember) writeCookie(token);
    $("token").value = "";
    $("sign-in").hidden = true;
    $("nav").hidden = false;
    $("program-label").textContent = state.program.name;
    alertMessage("");
    if (!location.hash || location.hash === "#") location.hash = "#/applications";
    else route();
  }

  function signOut(message) {
    state.token = null;
    state.program = null;
    clearCookie();
    $("nav").hidden = true;
    $("program-label").textContent = "";
    $("screen").replaceChildren();
    $("sign-in").hidden = false;
    alertMessage(message || "");
    document.body.dataset.state = "signed-out";
  }

  // ---- Screens ------------------------------------------------------------------------------
  async function loadGroups() {
    const page = await api("GET", programPath("/groups?limit=100"));
    state.groups = page.data;
    return state.groups;
  }
  const groupOptions = () => state.groups.map((group) => [group.id, group.name]);
  const groupName = (id) => (state.groups.find((group) => group.id === id) || { name: id || "—" }).name;

  async function applications(screen) {
    await loadGroups();
    const list = await api("GET", "/partners/applications?status=pending&pageSize=100");
    screen.append(h("h1", {}, "Applications"), h("p", { class: "muted" }, list.length + " pending."));
    for (const application of list) {
      const partner = application.partner;
      const group = select(groupOptions(), { testid: "approve-group" });
      const reason = input({ testid: "reject-reason", placeholder: "Why (shown to no one but you)" });
      const timeframe = select(
        [["", "Never again"], ["30d", "After 30 days"], ["90d", "After 90 days"], ["6m", "After 6 months"]],
        { testid: "reject-timeframe" }
      );
      const answers = (application.applicationFormData || []).map((answer) =>
        h("div", {}, h("dt", {}, answer.label), h("dd", {}, answer.value === null ? "—" : String(answer.value)))
      );
      screen.append(
        h(
          "article",
          { class: "card", testid: "application" },
          h("h2", {}, partner.name),
          h("p", {}, partner.email, partner.companyName ? " · " + partner.companyName : ""),
          h("dl", { class: "answers" }, answers),
          h(
            "div",
            { class: "actions" },
            field("Group", group),
            h("button", {
              type: "button",
              testid: "approve",
              onclick: () =>
                run(async () => {
                  await api("POST", "/partners/applications/approve", { applicationId: application.id, groupId: group.value });
                  notice(partner.name + " approved.");
                  route();
                }),
            }, "Approve"),
            field("Rejection note", reason),
            field("May apply again", timeframe),
            h("button", {
              type: "button",
              class: "secondary",
              testid: "reject",
              onclick: () =>
                run(async () => {
                  const body = { applicationId: application.id, rejectionNote: reason.value || undefined };
                  if (timeframe.value) body.reapplicationTimeframe = timeframe.value;
                  await api("POST", "/partners/applications/reject", body);
                  notice(partner.name + " rejected.");
                  route();
                }),
            }, "Reject")
          )
        )
      );
    }
  }

  const SORTS = ["createdAt", "totalClicks", "totalLeads", "totalConversions", "totalSaleAmount", "totalCommissions",
    "netRevenue", "earningsPerClick", "averageLifetimeValue", "clickToLeadRate", "clickToConversionRate",
    "leadToConversionRate", "returnOnAdSpend"];

  async function partners(screen, params) {
    await loadGroups();
    const query = new URLSearchParams({ sortBy: params.get("sortBy") || "createdAt", sortOrder: params.get("sortOrder") || "desc",
      page: params.get("page") || "1", pageSize: "25" });
    for (const name of ["status", "groupId", "country", "search"]) if (params.get(name)) query.set(name, params.get(name));
    const list = await api("GET", "/partners?" + query);
    const form = h("form", { class: "filters" },
      field("Search", input({ name: "search", value: params.get("search") || "", testid: "partner-search" })),
      field("Status", select([["", "Any"], ["approved", "Approved"], ["pending", "Pending"], ["banned", "Banned"],
        ["deactivated", "Deactivated"], ["archived", "Archived"], ["rejected", "Rejected"]], { name: "status", value: params.get("status") || "" })),
      field("Group", select([["", "Any"]].concat(groupOptions()), { name: "groupId", value: params.get("groupId") || "" })),
      field("Country", input({ name: "country", value: params.get("country") || "", maxlength: "2", size: "3" })),
      field("Sort by", select(SORTS.map((s) => [s, s]), { name: "sortBy", value: query.get("sortBy") })),
      field("Order", select([["desc", "Descending"], ["asc", "Ascending"]], { name: "sortOrder", value: query.get("sortOrder") })),
      h("button", { type: "submit" }, "Apply"));
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const next = new URLSearchParams();
      for (const [name, value] of new FormData(form)) if (value) next.set(name, value);
      location.hash = "#/partners?" + next;
    });
    const rows = list.map((partner) => [
      h("a", { href: "#/partner?id=" + encodeURIComponent(partner.id), testid: "partner-link" }, partner.name),
      partner.email || "—", partner.status, groupName(partner.groupId), partner.totalClicks, partner.totalLeads,
      partner.totalSales, money(partner.totalSaleAmount), money(partner.totalCommissions),
    ]);
    const page = Number(query.get("page"));
    const pager = h("div", { class: "actions" },
      page > 1 ? h("a", { href: "#/partners?" + withParam(params, "page", page - 1) }, "Previous page") : null,
      list.length === 25 ? h("a", { href: "#/partners?" + withParam(params, "page", page + 1) }, "Next page") : null);
    screen.append(h("h1", {}, "Partners"), form,
      table("Partners", ["Name", "Email", "Status", "Group", "Clicks", "Leads", "Sales", "Revenue", "Commissions"], rows, "partner-row"),
      pager);
  }
  function withParam(params, name, value) {
    const next = new URLSearchParams(params);
    next.set(name, value);
    return next.toString();
  }

  async function partnerPage(screen, params) {
    await loadGroups();
    const id = params.get("id");
    const [found] = await api("GET", "/partners?search=" + encodeURIComponent(id));
    if (!found) throw new Error("No such partner.");
    const [links, commissions, payouts] = await Promise.all([
      api("GET", "/partners/links?partnerId=" + encodeURIComponent(id)),
      api("GET", "/commissions?pageSize=50&partnerId=" + encodeURIComponent(id)),
      api("GET", "/payouts?pageSize=50&partnerId=" + encodeURIComponent(id)),
    ]);
    const act = (label, path, body, testid, confirmText) =>
      h("button", { type: "button", class: "secondary", testid, onclick: () => run(async () => {
        if (confirmText && !window.confirm(confirmText)) return;
        await api("POST", path, body());
        notice(label + ": done.");
        route();
      }) }, label);
    const reason = select([["tos_violation", "Terms of service violation"], ["inappropriate_content", "Inappropriate content"],
      ["fake_traffic", "Fake traffic"], ["fraud", "Fraud"], ["spam", "Spam"], ["brand_abuse", "Brand abuse"]], { testid: "ban-reason" });
    const group = select(groupOptions(), { testid: "move-group" });
    group.value = found.groupId;
    const tags = input({ testid: "tags", value: (found.tags || []).map((tag) => (tag.name || tag)).join(", ") });
    screen.append(
      h("h1", { testid: "partner-name" }, found.name),
      h("p", {}, (found.email || "no email") + " · " + found.status + " · " + groupName(found.groupId)),
      h("dl", { class: "figures" },
        [["Clicks", found.totalClicks], ["Leads", found.totalLeads], ["Sales", found.totalSales],
          ["Revenue", money(found.totalSaleAmount)], ["Commissions", money(found.totalCommissions)]].map(([label, value]) =>
          h("div", {}, h("dt", {}, label), h("dd", {}, String(value))))),
      h("section", { class: "card", "aria-labelledby": "manage-heading" }, h("h2", { id: "manage-heading" }, "Manage"),
        h("div", { class: "actions" }, field("Ban reason", reason),
          act("Ban", "/partners/ban", () => ({ partnerId: id, reason: reason.value }), "ban"),
          act("Deactivate", "/partners/deactivate", () => ({ partnerId: id }), "deactivate")),
        h("div", { class: "actions" }, field("Group", group),
          act("Move", "/partners/move", () => ({ partnerId: id, groupId: group.value }), "move")),
        h("div", { class: "actions" }, field("Tags (comma-separated)", tags),
          act("Save tags", "/partners/tags", () => ({ partnerId: id, tags: tags.value.split(",").map((t) => t.trim()).filter(Boolean) }), "save-tags"))),
      h("h2", {}, "Links"),
      table("Links", ["Short link", "Destination", "Clicks", "Leads", "Sales"],
        links.map((link) => [link.shortLink, link.url, link.clicks, link.leads, link.sales])),
      h("h2", {}, "Commissions"),
      commissionTable(commissions, false),
      h("h2", {}, "Payouts"),
      table("Payouts", ["Created", "Amount", "Status"], payouts.map((payout) => [when(payout.createdAt), money(payout.amount), payout.status])));
  }

  function commissionTable(list, editable) {
    return table("Commissions", ["Date", "Partner", "Customer", "Type", "Sale", "Earnings", "Status"].concat(editable ? ["Change"] : []),
      list.map((commission) => {
        const cells = [when(commission.createdAt), commission.partner ? commission.partner.name : "—",
          commission.customer ? commission.customer.name || commission.customer.email || commission.customer.externalId : "—",
          commission.type, money(commission.amount), money(commission.earnings), h("span", { testid: "commission-status" }, commission.status)];
        if (editable) {
          const status = select(["pending", "processed", "paid", "refunded", "duplicate", "fraud", "canceled", "hold"].map((s) => [s, s]),
            { "aria-label": "New status of this commission" });
          status.value = commission.status;
          const note = input({ "aria-label": "Note", placeholder: "Note", value: commission.note || "" });
          cells.push(h("div", { class: "inline-form" }, status, note, h("button", { type: "button", class: "secondary", onclick: () =>
            run(async () => {
              await api("PATCH", "/commissions/" + encodeURIComponent(commission.id), { status: status.value, note: note.value || undefined });
              notice("Commission updated.");
              route();
            }) }, "Save")));
        }
        return cells;
      }), "commission-row");
  }

  async function commissions(screen, params) {
    const query = new URLSearchParams({ pageSize: "50" });
    for (const name of ["status", "partnerId", "start", "end", "page"]) if (params.get(name)) query.set(name, params.get(name));
    const list = await api("GET", "/commissions?" + query);
    const form = h("form", { class: "filters" },
      field("Status", select([["", "Any"]].concat(["pending", "processed", "paid", "refunded", "duplicate", "fraud", "canceled", "hold"].map((s) => [s, s])),
        { name: "status", value: params.get("status") || "" })),
      field("Partner id", input({ name: "partnerId", value: params.get("partnerId") || "" })),
      field("From", input({ type: "date", name: "start", value: params.get("start") || "" })),
      field("To", input({ type: "date", name: "end", value: params.get("end") || "" })),
      h("button", { type: "submit" }, "Apply"));
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const next = new URLSearchParams();
      for (const [name, value] of new FormData(form)) if (value) next.set(name, value);
      location.hash = "#/commissions?" + next;
    });
    screen.append(h("h1", {}, "Commissions"), form, commissionTable(list, true));
  }

  function rewardForm(group, reward) {
    const event = select([["sale", "Sale"], ["lead", "Lead"], ["click", "Click"]], { testid: "reward-event" });
    const type = select([["percentage", "Percentage"], ["flat", "Flat amount"]], { testid: "reward-type" });
    const amount = input({ type: "number", step: "any", min: "0", testid: "reward-amount" });
    const duration = input({ type: "number", min: "0", testid: "reward-duration", placeholder: "Lifetime" });
    const description = input({ testid: "reward-description" });
    const tooltip = h("textarea", { rows: "3", testid: "reward-tooltip" });
    if (reward) {
      event.value = reward.event;
      event.disabled = true;
      type.value = reward.type;
      amount.value = reward.type === "percentage" ? reward.amountInPercentage : (reward.amountInCents || 0) / Math.pow(10, digits());
      duration.value = reward.maxDuration === null ? "" : reward.maxDuration;
      description.value = reward.description || "";
      tooltip.value = reward.tooltip || "";
    }
    const save = () => run(async () => {
      const body = { type: type.value, maxDuration: duration.value === "" ? null : Number(duration.value),
        description: description.value || null, tooltip: tooltip.value || null };
      if (type.value === "percentage") body.amountInPercentage = Number(amount.value);
      else body.amountInCents = toMinor(amount.value);
      const base = programPath("/groups/" + encodeURIComponent(group.id) + "/rewards");
      if (reward) await api("PATCH", base + "/" + encodeURIComponent(reward.id), body);
      else await api("POST", base, Object.assign({ event: event.value }, body));
      notice("Reward saved.");
      route();
    });
    return h("form", { class: "reward-form", onsubmit: (e) => { e.preventDefault(); save(); } },
      field("Event", event), field("Type", type), field("Amount (percent, or " + currency() + ")", amount),
      field("Months (empty: lifetime; 0: first only)", duration), field("Description (for a non-monetary reward)", description),
      field("Tooltip (markdown)", tooltip),
      h("div", { class: "actions" }, h("button", { type: "submit", testid: reward ? "save-reward" : "add-reward" }, reward ? "Save reward" : "Add reward"),
        reward ? h("button", { type: "button", class: "secondary", onclick: () => run(async () => {
          await api("DELETE", programPath("/groups/" + encodeURIComponent(group.id) + "/rewards/" + encodeURIComponent(reward.id)));
          notice("Reward deleted.");
          route();
        }) }, "Delete reward") : null));
  }

  function describeReward(reward) {
    const amount = reward.type === "percentage" ? reward.amountInPercentage + "%" : money(reward.amountInCents);
    const months = reward.maxDuration === null ? "lifetime" : reward.maxDuration === 0 ? "first only" : reward.maxDuration + " months";
    return reward.event + ": " + amount + " (" + months + ")" + (reward.description ? " · " + reward.description : "");
  }

  async function setup(screen) {
    await loadGroups();
    state.program = await api("GET", programPath());
    const settings = state.program.settings;
    const holding = select([0, 7, 14, 30, 60, 90].map((d) => [String(d), d + " days"]), { testid: "holding-period" });
    holding.value = String(settings.holdingPeriodDays);
    const minimum = input({ type: "number", step: "any", min: "0", value: settings.minPayoutAmount / Math.pow(10, digits()) });
    const rail = select([["manual", "Manual"], ["paypal", "PayPal batch file"], ["wise", "Wise batch file"], ["connect", "Stripe Connect"]]);
    rail.value = settings.payoutRail;
    const programForm = h("form", { class: "card", onsubmit: (e) => { e.preventDefault(); run(async () => {
      await api("PATCH", programPath(), { settings: { holdingPeriodDays: Number(holding.value), minPayoutAmount: toMinor(minimum.value), payoutRail: rail.value } });
      notice("Program settings saved.");
      route();
    }); } }, h("h2", {}, "Program"), field("Holding period", holding), field("Minimum payout (" + currency() + ")", minimum),
    field("Payout rail", rail), h("button", { type: "submit", testid: "save-program" }, "Save program settings"));
    screen.append(h("h1", {}, "Program setup"), programForm);
    for (const group of state.groups) {
      const discountAmount = input({ type: "number", min: "0", value: group.discount ? group.discount.amount : "" });
      const discountType = select([["percentage", "Percentage"], ["flat", "Flat (minor units)"]]);
      if (group.discount) discountType.value = group.discount.type;
      const discountMonths = input({ type: "number", min: "0", value: group.discount && group.discount.maxDuration !== null ? group.discount.maxDuration : "" });
      const rules = h("textarea", { rows: "3" }, JSON.stringify(group.moveRules || []));
      const groupHolding = select([0, 7, 14, 30, 60, 90].map((d) => [String(d), d + " days"]));
      groupHolding.value = String(group.holdingPeriodDays);
      const discountPath = programPath("/groups/" + encodeURIComponent(group.id) + "/discount");
      screen.append(h("section", { class: "card", testid: "group", "data-slug": group.slug, "aria-label": "Group " + group.name },
        h("h2", {}, group.name + " (" + group.slug + ")"),
        h("div", { class: "actions" }, field("Holding period of the group", groupHolding), h("button", { type: "button", class: "secondary", onclick: () => run(async () => {
          await api("PATCH", programPath("/groups/" + encodeURIComponent(group.id)), { holdingPeriodDays: Number(groupHolding.value) });
          notice("Group saved.");
          route();
        }) }, "Save group")),
        h("h3", {}, "Rewards"),
        group.rewards.map((reward) => h("details", { testid: "reward", "data-event": reward.event }, h("summary", {}, describeReward(reward)), rewardForm(group, reward))),
        h("details", {}, h("summary", {}, "Add a reward"), rewardForm(group, null)),
        h("h3", {}, "Discount"),
        h("div", { class: "actions" }, field("Amount", discountAmount), field("Type", discountType), field("Months (empty: lifetime)", discountMonths),
          h("button", { type: "button", class: "secondary", onclick: () => run(async () => {
            await api("PUT", discountPath, { amount: Number(discountAmount.value), type: discountType.value,
              maxDuration: discountMonths.value === "" ? null : Number(discountMonths.value) });
            notice("Discount saved.");
            route();
          }) }, "Save discount"),
          group.discount ? h("button", { type: "button", class: "secondary", onclick: () => run(async () => {
            await api("DELETE", discountPath);
            notice("Discount removed.");
            route();
          }) }, "Remove discount") : null),
        h("h3", {}, "Move rules"),
        field("Rules (JSON, as PUT …/move-rules takes them)", rules),
        h("button", { type: "button", class: "secondary", onclick: () => run(async () => {
          let parsed;
          try {
            parsed = JSON.parse(rules.value);
          } catch (_) {
            throw new Error("The move rules are not valid JSON.");
          }
          await api("PUT", programPath("/groups/" + encodeURIComponent(group.id) + "/move-rules"), { rules: parsed });
          notice("Move rules saved.");
          route();
        }) }, "Save move rules")));
    }
  }

  async function payouts(screen) {
    const list = await api("GET", "/payouts?pageSize=50");
    const preview = h("div", { testid: "payout-preview" });
    const runPayouts = (dryRun) => run(async () => {
      const result = await api("POST", programPath("/payouts/run"), { dryRun });
      preview.replaceChildren(h("h2", {}, dryRun ? "Preview" : "Run " + result.id),
        table("Payouts of the run", ["Partner", "Amount", "Commissions"], result.payouts.map((payout) =>
          [payout.partner ? payout.partner.name : payout.partnerId, money(payout.amount), payout.commissionCount])));
      if (!dryRun) route();
    });
    const exportFile = (format) => run(async () => {
      const response = await fetch(programPath("/payouts/export?format=" + format), { headers: { Authorization: "Bearer " + state.token }, credentials: "omit" });
      if (!response.ok) throw new Error("The export failed (" + response.status + ").");
      const blob = await response.blob();
      const link = h("a", { href: URL.createObjectURL(blob), download: "payouts-" + format + ".csv" });
      document.body.appendChild(link);
      link.click();
      link.remove();
    });
    screen.append(h("h1", {}, "Payouts"),
      h("div", { class: "actions" }, h("button", { type: "button", testid: "preview-payouts", onclick: () => runPayouts(true) }, "Preview a run"),
        h("button", { type: "button", class: "secondary", testid: "run-payouts", onclick: () => runPayouts(false) }, "Run payouts"),
        h("button", { type: "button", class: "secondary", onclick: () => exportFile("paypal") }, "Export (PayPal)"),
        h("button", { type: "button", class: "secondary", onclick: () => exportFile("wise") }, "Export (Wise)")),
      preview,
      table("Payouts", ["Created", "Partner", "Amount", "Status", "Confirm"], list.map((payout) => [when(payout.createdAt),
        payout.partner ? payout.partner.name : "—", money(payout.amount), payout.status,
        payout.status === "pending" ? h("button", { type: "button", class: "secondary", onclick: () => run(async () => {
          await api("POST", "/payouts/" + encodeURIComponent(payout.id) + "/confirm", {});
          notice("Payout confirmed.");
          route();
        }) }, "Confirm paid") : "—"]), "payout-row"));
  }

  const EVENTS = ["lead.created", "sale.created", "commission.created", "partner.enrolled", "partner.application_submitted",
    "partner_application_approved", "partner_application_rejected", "partner.group_moved", "payout.created",
    "payout.confirmed", "payout.failed", "payout.waiting", "webhook.endpoint_disabled"];

  async function webhooks(screen, params) {
    const list = await api("GET", "/webhooks");
    const url = input({ type: "url", testid: "webhook-url", placeholder: "https://example.com/webhooks" });
    const boxes = EVENTS.map((name) => h("label", { class: "inline" }, h("input", { type: "checkbox", value: name, checked: true }), name));
    const secretBox = h("p", { class: "secret", testid: "webhook-secret", role: "status" });
    const showSecret = (endpoint) => {
      if (endpoint && endpoint.secret) secretBox.textContent = "Signing secret (shown once): " + endpoint.secret;
    };
    screen.append(h("h1", {}, "Webhooks"),
      h("form", { class: "card", onsubmit: (e) => { e.preventDefault(); run(async () => {
        const events = boxes.map((box) => box.firstChild).filter((box) => box.checked).map((box) => box.value);
        showSecret(await api("POST", "/webhooks", { url: url.value, events }));
        notice("Endpoint created.");
        await refreshList();
      }); } }, h("h2", {}, "New endpoint"), field("URL", url), h("fieldset", {}, h("legend", {}, "Events"), boxes),
      h("button", { type: "submit", testid: "create-webhook" }, "Create endpoint")), secretBox);
    const holder = h("div");
    screen.append(holder);
    const refreshList = async () => {
      const endpoints = await api("GET", "/webhooks");
      holder.replaceChildren(...endpoints.map((endpoint) => endpointCard(endpoint, showSecret)));
    };
    holder.replaceChildren(...list.map((endpoint) => endpointCard(endpoint, showSecret)));
    if (params.get("open")) for (const details of holder.querySelectorAll("details")) details.open = true;
  }

  function endpointCard(endpoint, showSecret) {
    const deliveries = h("div");
    const load = () => run(async () => {
      const page = await api("GET", "/webhooks/" + encodeURIComponent(endpoint.id) + "/deliveries?limit=20");
      deliveries.replaceChildren(table("Deliveries", ["Event", "State", "Attempts", "Last answer", "Re-send"], page.data.map((delivery) => {
        const last = delivery.attempts[delivery.attempts.length - 1];
        const answer = last ? (last.statusCode || last.error || "no answer") + " at " + when(last.at) : "not tried yet";
        return [delivery.event, delivery.state, delivery.attempts.length, answer,
        h("button", { type: "button", class: "secondary", onclick: () => run(async () => {
          await api("POST", "/webhooks/" + encodeURIComponent(endpoint.id) + "/deliveries/" + encodeURIComponent(delivery.id) + "/resend", {});
          notice("Delivery sent again.");
        }) }, "Re-send")];
      }), "delivery-row"));
    });
    return h("details", { class: "card", testid: "webhook" },
      h("summary", {}, endpoint.url + (endpoint.enabled ? "" : " (disabled)") + (endpoint.consecutiveFailures ? " · " + endpoint.consecutiveFailures + " failures" : "")),
      h("p", {}, "Events: " + endpoint.events.join(", ")),
      h("div", { class: "actions" },
        h("button", { type: "button", class: "secondary", onclick: load }, "Show deliveries"),
        h("button", { type: "button", class: "secondary", onclick: () => run(async () => {
          showSecret(await api("POST", "/webhooks/" + encodeURIComponent(endpoint.id) + "/rotate-secret", {}));
          notice("Secret rotated: the old one works for a while.");
        }) }, "Rotate the secret")),
      deliveries);
  }

  const SCOPES = ["apis.all", "programs.read", "programs.write", "partners.read", "partners.write", "links.read",
    "links.write", "conversions.write", "customers.read", "customers.write", "clicks.track", "commissions.read",
    "commissions.write", "payouts.read", "payouts.write", "webhooks.read", "webhooks.write", "analytics.read",
    "applications.submit"];

  async function keys(screen) {
    const page = await api("GET", programPath("/api-keys?limit=100"));
    const name = input({ testid: "key-name", required: true });
    const scopes = select(SCOPES.map((s) => [s, s]), { multiple: true, size: "5", testid: "key-scopes" });
    scopes.options[0].selected = true;
    const shown = h("p", { class: "secret", testid: "new-key", role: "status" });
    screen.append(h("h1", {}, "API keys"),
      h("form", { class: "card", onsubmit: (e) => { e.preventDefault(); run(async () => {
        const chosen = Array.from(scopes.selectedOptions).map((option) => option.value);
        const made = await api("POST", programPath("/api-keys"), { name: name.value, scopes: chosen });
        shown.textContent = "";
        shown.append("Your new key (shown once): ", h("code", { testid: "new-key-value" }, made.key));
        await listKeys();
      }); } }, h("h2", {}, "New key"), field("Name", name), field("Scopes", scopes),
      h("button", { type: "submit", testid: "create-key" }, "Create key")), shown);
    const holder = h("div");
    screen.append(holder);
    const render = (keyPage) => holder.replaceChildren(table("API keys", ["Name", "Key", "Scopes", "Created", "Last used", "Revoke"],
      keyPage.data.map((key) => [key.name, key.partialKey, key.scopes.join(", "), when(key.createdAt), when(key.lastUsedAt),
        key.revokedAt ? "revoked " + when(key.revokedAt) : h("button", { type: "button", class: "secondary", testid: "revoke-key", "data-name": key.name,
          onclick: () => run(async () => {
            await api("DELETE", programPath("/api-keys/" + encodeURIComponent(key.id)));
            notice("Key " + key.name + " revoked.");
            await listKeys();
          }) }, "Revoke")]), "key-row"));
    const listKeys = async () => render(await api("GET", programPath("/api-keys?limit=100")));
    render(page);
  }

  // ---- Routing ------------------------------------------------------------------------------
  const SCREENS = { applications, partners, partner: partnerPage, setup, commissions, payouts, webhooks, keys };

  async function route() {
    if (!state.token) return;
    const [path, query] = (location.hash.replace(/^#\/?/, "") || "applications").split("?");
    const screen = SCREENS[path] || applications;
    const params = new URLSearchParams(query || "");
    for (const link of document.querySelectorAll("#nav a")) {
      if (link.getAttribute("href") === "#/" + path) link.setAttribute("aria-current", "page");
      else link.removeAttribute("aria-current");
    }
    const holder = h("div", { class: "screen", "data-screen": path });
    document.body.dataset.state = "loading";
    const done = await run(async () => {
      await screen(holder, params);
      return true;
    });
    if (!state.token) return;
    $("screen").replaceChildren(holder);
    document.body.dataset.screen = path;
    document.body.dataset.state = done ? "ready" : "error";
    const heading = holder.querySelector("h1");
    if (heading) {
      heading.tabIndex = -1;
      heading.focus({ preventScroll: true });
    }
  }

  // ---- Start --------------------------------------------------------------------------------
  $("sign-in-form").addEventListener("submit", (event) => {
    event.preventDefault();
    signIn($("token").value.trim(), $("remember").checked);
  });
  $("sign-out").addEventListener("click", () => signOut("Signed out."));
  // A screen the user opens starts without the last screen's notice; an action's own
  // refresh keeps it.
  window.addEventListener("hashchange", () => {
    notice("");
    route();
  });
  const remembered = readCookie();
  if (remembered) signIn(remembered, true);
  else signOut("");
})();
