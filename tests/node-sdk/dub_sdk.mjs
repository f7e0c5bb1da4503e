// Calls the local stack through the official npm Dub SDK (pinned in package.json; tests/run
// installs it into node_modules), which validates every response against its zod schemas,
// and checks the values that come back. The operations it does not call are listed, with why,
// in docs/dub-contract.md.
//
// Usage: node tests/node-sdk/dub_sdk.mjs path/to/local-stack-binary

import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Dub } from "dub";

function check(condition, message) {
  if (process.env.SDK_TRACE) console.error(`check: ${message}`);
  if (!condition) {
    throw new Error(`FAIL: ${message}`);
  }
}

function freePort() {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function startStack(binary) {
  const dataDir = mkdtempSync(join(tmpdir(), "partnerline-node-sdk-"));
  const port = await freePort();
  const stack = spawn(binary, [], {
    env: { ...process.env, PARTNERLINE_PORT: String(port), PARTNERLINE_DATA_DIR: dataDir, RUST_LOG: "warn" },
    stdio: ["ignore", "ignore", "inherit"],
  });
  const demoPath = join(dataDir, "demo.json");
  for (let i = 0; i < 300 && !existsSync(demoPath); i++) {
    await sleep(100);
  }
  await sleep(200);
  const demo = JSON.parse(readFileSync(demoPath, "utf8"));
  return { stack, base: `http://127.0.0.1:${port}`, demo };
}

async function getJson(base, path, key) {
  const response = await fetch(base + path, { headers: { authorization: `Bearer ${key}` } });
  check(response.ok, `${path}: ${response.status}`);
  return response.json();
}

async function apply(base, key, email, name) {
  const response = await fetch(`${base}/v1/affiliate/apply`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-api-key": key },
    body: JSON.stringify({ email, name, company: "Acme Inc", reason: "Audience" }),
  });
  check(response.status === 201, `apply: ${response.status}`);
  return (await response.json()).id;
}

async function collect(pages) {
  const items = [];
  for await (const page of pages) {
    items.push(...page.result);
  }
  return items;
}

async function partnersAndLinks(dub) {
  const partner = await dub.partners.create({ email: "node@example.com", name: "Node Partner", tenantId: "node-1" });
  check(partner.id.startsWith("pn_") && partner.tenantId === "node-1", "partners.create");
  const listed = (await dub.partners.list({ tenantId: "node-1" })).result ?? (await dub.partners.list({ tenantId: "node-1" }));
  check(Array.isArray(listed) && listed.length === 1 && listed[0].id === partner.id, "partners.list by tenant");

  const link = await dub.links.create({
    url: "https://acme.com/node?ref=sdk",
    key: "node-sdk",
    externalId: "node-42",
    title: "Node",
    utmSource: "node",
  });
  check(link.key === "node-sdk" && link.externalId === "node-42", "links.create");
  check(link.url.includes("utm_source=node"), `UTM in the destination: ${link.url}`);
  const fetched = await dub.links.get({ externalId: "node-42" });
  check(fetched.id === link.id, "links.get by externalId");
  const updated = await dub.links.update(link.id, { title: "Node 2" });
  check(updated.title === "Node 2", "links.update");
  const all = await collect(await dub.links.list({ pageSize: 100 }));
  check(all.some((l) => l.id === link.id), "links.list");
  check((await dub.links.count({})) === all.length, "links.count");
  const partnerLink = await dub.partners.createLink({ partnerId: partner.id, url: "https://acme.com/node-blog" });
  check(partnerLink.partnerId === partner.id, "partners.createLink");
  const upserted = await dub.partners.upsertLink({ tenantId: "node-1", url: "https://acme.com/node-blog", comments: "again" });
  check(upserted.id === partnerLink.id && upserted.comments === "again", "partners.upsertLink");
  const theirs = await dub.partners.retrieveLinks({ partnerId: partner.id });
  check(theirs.some((l) => l.id === partnerLink.id), "partners.retrieveLinks");
  // The referral embed's public token: Dub's {publicToken, expires}, parsed by the SDK's model.
  const embed = await dub.embedTokens.referrals({ partnerId: partner.id });
  check(embed.publicToken.startsWith("pet_") && Date.parse(embed.expires) > Date.now(), "embedTokens.referrals");
  const qr = await dub.qrCodes.get({ url: link.shortLink, size: 300, level: "M" });
  check(qr.includes("PNG") && qr.includes("IHDR"), "qrCodes.get draws a PNG");
  const deleted = await dub.links.delete(link.id);
  check(deleted.id === link.id, "links.delete");
  const domains = await collect(await dub.domains.list({}));
  check(domains.length === 1 && domains[0].slug === link.domain, "domains.list");
  const banned = await dub.partners.ban({ partnerId: partner.id, reason: "fraud" });
  check(banned.partnerId === partner.id, "partners.ban");
}

async function bulkLinks(dub) {
  const made = await dub.links.upsert({ url: "https://acme.com/node-upsert", key: "node-upsert" });
  check(made.key === "node-upsert" && made.url === "https://acme.com/node-upsert", "links.upsert creates");
  const again = await dub.links.upsert({ url: "https://acme.com/node-upsert", title: "Upserted" });
  check(again.id === made.id && again.title === "Upserted", "links.upsert finds the link by its URL");
  const created = await dub.links.createMany([
    { url: "https://acme.com/node-bulk-1", key: "node-bulk-1", externalId: "node-bulk-1" },
    { url: "https://acme.com/node-bulk-2", key: "node-bulk-2" },
  ]);
  check(created.map((l) => l.key).join() === "node-bulk-1,node-bulk-2", "links.createMany");
  check(created.map((l) => l.url).join() === "https://acme.com/node-bulk-1,https://acme.com/node-bulk-2", "urls");
  const refused = await dub.links.createMany([
    { url: "https://acme.com/node-bulk-3" },
    { url: "javascript:alert(1)" },
  ]);
  check(refused.map((item) => item.code).join() === "unprocessable_entity,unprocessable_entity", "per-item errors");
  check(refused[1].link.url === "javascript:alert(1)" && refused[1].error.includes("url"), "the item and why");
  const ids = created.map((l) => l.id);
  const updated = await dub.links.updateMany({ linkIds: ids, data: { title: "Bulk" } });
  check(updated.map((l) => l.id).join() === ids.join() && updated.every((l) => l.title === "Bulk"), "links.updateMany");
  const byExternal = await dub.links.updateMany({ externalIds: ["node-bulk-1"], data: { comments: "ext" } });
  check(byExternal.length === 1 && byExternal[0].id === ids[0] && byExternal[0].comments === "ext", "updateMany by externalIds");
  const deleted = await dub.links.deleteMany({ linkIds: [...ids, made.id] });
  check(deleted.deletedCount === 3, "links.deleteMany");
  check((await dub.links.deleteMany({ linkIds: ids })).deletedCount === 0, "gone ids are ignored");
}

async function applications(dub, base, key) {
  const ids = [];
  for (const n of [0, 1]) {
    ids.push(await apply(base, key, `node-applicant${n}@example.com`, `Node Applicant ${n}`));
  }
  const pending = await dub.partnerApplications.list({ status: "pending", pageSize: 10 });
  const listed = pending.result ?? pending;
  check(listed[0].id === ids[1] && listed[0].partner.email === "node-applicant1@example.com", "partnerApplications.list");
  const approved = await dub.partnerApplications.approve({ partnerId: ids[1] });
  check(approved.partnerId.startsWith("pn_"), "partnerApplications.approve");
  const rejected = await dub.partnerApplications.reject({ partnerId: ids[0] });
  check(rejected.partnerId === ids[0], "partnerApplications.reject");
}

async function tracking(dub, base, key) {
  const click = await getJson(base, "/local/demo-click", key);
  const customer = `node-${Date.now()}`;
  const lead = await dub.track.lead({ clickId: click.clickId, eventName: "Sign up", customerExternalId: customer });
  check(lead.customer.externalId === customer, "track.lead");
  const sale = await dub.track.sale({ customerExternalId: customer, amount: 5000, paymentProcessor: "stripe", invoiceId: `in_${customer}` });
  check(sale.sale.amount === 5000, "track.sale");
  const commissions = await collect(await dub.commissions.list({ partnerId: click.partnerId, pageSize: 100 }));
  const mine = commissions.filter((c) => c.customer && c.customer.externalId === customer);
  check(mine.length === 1 && mine[0].earnings === 1000, `commissions.list: ${JSON.stringify(mine.map((c) => c.earnings))}`);
  const changed = await dub.commissions.update({ id: mine[0].id, requestBody: { status: "duplicate" } });
  check(changed.status === "duplicate", "commissions.update");
  const bulk = await dub.commissions.updateMany({ commissionIds: [mine[0].id], status: "pending" });
  check(bulk.length === 1 && bulk[0].status === "pending", "commissions.updateMany");
  const customers = await collect(await dub.customers.list({ externalId: customer }));
  check(customers.length === 1, "customers.list");
  const renamed = await dub.customers.update({ id: `ext_${customer}`, requestBody: { name: "Node Customer" } });
  check(renamed.name === "Node Customer", "customers.update");
  const one = await dub.customers.get({ id: `ext_${customer}` });
  check(one.name === "Node Customer", "customers.get");
  const gone = await dub.customers.delete(`ext_${customer}`);
  check(gone.id === one.id, "customers.delete");
  await analytics(dub, base, click);
}

// analytics.retrieve, partners.analytics and events.list against what tracking() recorded
// on the demo partner's link (a lead and a $50 sale) and two visits of it.
async function analytics(dub, base, click) {
  const info = await dub.links.get({ linkId: click.linkId });
  for (let i = 0; i < 2; i++) {
    const visit = await fetch(`${base}/r/${info.domain}/${info.key}`, {
      redirect: "manual",
      // Another visitor each time: the redirect counts one address and user agent once an hour.
      headers: { "user-agent": `Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.${i} Safari/537.36` },
    });
    check([301, 302, 307].includes(visit.status), `visit: ${visit.status}`);
  }
  let count;
  for (let tries = 0; tries < 40; tries++) {
    count = await dub.analytics.retrieve({ event: "composite", linkId: click.linkId });
    if (count.clicks >= 2) break;
    await sleep(500);
  }
  check(count.clicks === 2 && count.leads === 1 && count.sales === 1 && count.saleAmount === 5000,
    `analytics.retrieve count: ${JSON.stringify(count)}`);
  const series = await dub.analytics.retrieve({ groupBy: "timeseries", linkId: click.linkId, interval: "24h" });
  check(series.length === 25 && series.reduce((sum, row) => sum + row.clicks, 0) === 2, "analytics.retrieve timeseries");
  const browsers = await dub.analytics.retrieve({ groupBy: "browsers", linkId: click.linkId });
  check(browsers.length === 1 && browsers[0].browser === "Chrome" && browsers[0].clicks === 2, `analytics.retrieve browsers: ${JSON.stringify(browsers)}`);
  const partner = await dub.partners.analytics({ partnerId: click.partnerId, interval: "30d" });
  check(partner.clicks === 2 && partner.sales === 1 && partner.saleAmount === 5000, `partners.analytics: ${JSON.stringify(partner)}`);
  const sales = await dub.events.list({ event: "sales", linkId: click.linkId });
  check(sales.length === 1 && sales[0].sale.amount === 5000 && sales[0].link.id === click.linkId, `events.list: ${JSON.stringify(sales).slice(0, 300)}`);
}

async function send(base, key, method, path, body) {
  const response = await fetch(base + path, {
    method,
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  check(response.ok, `${method} ${path}: ${response.status}`);
  return response.json();
}

// A commission payable at once (holding period 0), a payout run; `payouts.list` parses it.
async function payouts(dub, base, key, program) {
  const groups = await getJson(base, `/programs/${program}/groups`, key);
  const group = groups.data.find((g) => g.slug === "default");
  await send(base, key, "PATCH", `/programs/${program}/groups/${group.id}`, { holdingPeriodDays: 0 });
  await send(base, key, "PATCH", `/programs/${program}`, { settings: { minPayoutAmount: 100 } });
  const click = await getJson(base, "/local/demo-click", key);
  const customer = `node-payout-${Date.now()}`;
  await dub.track.lead({ clickId: click.clickId, eventName: "Sign up", customerExternalId: customer });
  await dub.track.sale({ customerExternalId: customer, amount: 20000, paymentProcessor: "stripe", invoiceId: `in_${customer}` });
  await send(base, key, "POST", "/local/run-scheduled", {});
  const run = await send(base, key, "POST", `/programs/${program}/payouts/run`, {});
  const made = run.payouts.filter((p) => p.partner.id === click.partnerId);
  check(made.length === 1, `payout run: ${JSON.stringify(run)}`);
  const listed = await dub.payouts.list({ partnerId: click.partnerId, status: "pending" });
  check(listed.length === 1 && listed[0].id === made[0].id, `payouts.list: ${JSON.stringify(listed)}`);
  const payout = listed[0];
  check(payout.amount === made[0].amount && payout.currency === "usd" && payout.invoiceId === run.id, "payout fields");
  check(payout.partner.id === click.partnerId && payout.mode === "external" && payout.paidAt === null, "payout partner and mode");
}

async function labels(dub) {
  const spring = await dub.tags.create({ name: "Node Spring", color: "green" });
  check(spring.id.startsWith("tag_") && spring.name === "Node Spring" && spring.color === "green", "tags.create");
  const promo = await dub.tags.create({ name: "Node Promo", color: "red" });
  const listed = await dub.tags.list({ search: "node", sortBy: "name", sortOrder: "asc" });
  check(JSON.stringify(listed.map((t) => t.name)) === JSON.stringify(["Node Promo", "Node Spring"]), `tags.list: ${listed.map((t) => t.name)}`);
  const byIds = await dub.tags.list({ ids: [promo.id] });
  check(byIds.length === 1 && byIds[0].id === promo.id, "tags.list ids");
  const renamed = await dub.tags.update(spring.id, { name: "Node Summer" });
  check(renamed.id === spring.id && renamed.name === "Node Summer" && renamed.color === "green", "tags.update");

  const folder = await dub.folders.create({ name: "Node Folder", description: "node" });
  check(folder.id.startsWith("fold_") && folder.type === "default" && folder.accessLevel === "write", "folders.create");
  const changed = await dub.folders.update(folder.id, { description: null });
  check(changed.description === null && changed.name === "Node Folder", "folders.update");
  const folders = await dub.folders.list({ search: "node folder" });
  check(folders.length === 1 && folders[0].id === folder.id, "folders.list");

  const link = await dub.links.create({ url: "https://acme.com/node-tagged", tagIds: [spring.id, promo.id], folderId: folder.id });
  check(JSON.stringify(link.tags.map((t) => t.name)) === JSON.stringify(["Node Summer", "Node Promo"]), "links.create with tags");
  check(link.folderId === folder.id, "links.create in a folder");
  const byTag = await collect(await dub.links.list({ tagIds: [promo.id, "tag_unknown"] }));
  check(byTag.length === 1 && byTag[0].id === link.id, "links.list tagIds");
  const byName = await collect(await dub.links.list({ tagNames: ["node summer"], folderId: folder.id }));
  check(byName.length === 1 && byName[0].id === link.id, "links.list tagNames and folderId");
  check((await dub.links.count({ tagNames: "Node Promo" })) === 1, "links.count tagNames");
  const untagged = await dub.links.update(link.id, { tagIds: [] });
  check(untagged.tags.length === 0, "links.update clears the tags");

  check((await dub.tags.delete(promo.id)).id === promo.id, "tags.delete");
  check((await dub.folders.delete(folder.id)).id === folder.id, "folders.delete");
  check((await dub.links.get({ linkId: link.id })).folderId === null, "a deleted folder's links are in none");

  const partner = await dub.partners.create({ email: "node-coder@example.com", name: "Node Coder" });
  const partnerLink = await dub.partners.createLink({ partnerId: partner.id, url: "https://acme.com/node-code" });
  const code = await dub.discountCodes.create({ partnerId: partner.id, linkId: partnerLink.id });
  check(code.id.startsWith("dcode_") && code.code.startsWith("NODECODER"), `discountCodes.create: ${code.code}`);
  check(code.partnerId === partner.id && code.linkId === partnerLink.id, "the code's partner and link");
  const codes = await dub.discountCodes.list({ code: code.code.toLowerCase() });
  check(codes.length === 1 && codes[0].id === code.id, "discountCodes.list by code");
  check((await dub.discountCodes.delete(code.id)).id === code.id, "discountCodes.delete");
  check((await dub.discountCodes.list({ partnerId: partner.id })).length === 0, "the code is gone");
}

const binary = process.argv[2];
const { stack, base, demo } = await startStack(binary);
try {
  const dub = new Dub({ token: demo.apiKey, serverURL: base });
  await partnersAndLinks(dub);
  await bulkLinks(dub);
  await applications(dub, base, demo.apiKey);
  await tracking(dub, base, demo.apiKey);
  await payouts(dub, base, demo.apiKey, demo.programId);
  await labels(dub);
  console.log("OK: npm dub 0.73.5 parsed partners, links (bulk and upsert too), QR codes, domains, applications, tracking, analytics, commissions, customers, payouts, tags, folders and discount codes");
} finally {
  stack.kill("SIGINT");
}
