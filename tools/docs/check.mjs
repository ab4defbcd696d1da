// `make docs-check`: opens the built reference (target/docs/index.html) in headless Debian
// Chromium through playwright-core and checks that every operation of openapi.yaml is rendered:
// its section (Redoc names it after the operationId), with its summary, method and path. Nothing
// leaves the machine: every request but file:, data: and blob: is refused (and listed).
// Saves a screenshot of the first operation to target/docs/screenshot.png.
//
//   node tools/docs/check.mjs [target/docs/index.html] [openapi.yaml]
// CHROMIUM: the browser to drive (default /usr/bin/chromium; tools/docs/check.sh installs it).
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

import { chromium } from "playwright-core";
import { parse } from "yaml";

const html = resolve(process.argv[2] ?? "target/docs/index.html");
const spec = parse(readFileSync(resolve(process.argv[3] ?? "openapi.yaml"), "utf8"));
const screenshot = join(dirname(html), "screenshot.png");

const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];
const operations = [];
for (const [path, item] of Object.entries(spec.paths ?? {})) {
  for (const method of METHODS) {
    const op = item?.[method];
    if (!op) continue;
    if (!op.operationId) throw new Error(`${method.toUpperCase()} ${path} has no operationId`);
    operations.push({ id: op.operationId, tag: op.tags?.[0] ?? "", summary: op.summary ?? "", method, path });
  }
}
if (operations.length === 0) throw new Error("openapi.yaml has no operations");

// A fresh profile each run; no background connections (this machine reaches no public host).
const profile = mkdtempSync(join(tmpdir(), "docs-check-"));
const browser = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  headless: true,
  viewport: { width: 1280, height: 900 },
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
});

const refused = new Set();
const pageErrors = [];
const failures = [];
try {
  const page = browser.pages()[0] ?? (await browser.newPage());
  await page.route("**/*", (route) => {
    const url = route.request().url();
    if (/^(file|data|blob):/.test(url)) return route.continue();
    refused.add(url);
    return route.abort();
  });
  page.on("pageerror", (error) => pageErrors.push(error.message));

  const base = pathToFileURL(html).href;
  for (const op of operations) {
    const slug = op.id.toLowerCase();
    await page.goto(`${base}#/${encodeURIComponent(op.tag.toLowerCase())}/${slug}`, { waitUntil: "load" });
    const section = page.locator(`[data-section-id$="/${slug}"]`).first();
    try {
      await section.waitFor({ state: "visible", timeout: 15000 });
    } catch {
      failures.push(`${op.id}: no rendered section [data-section-id$="/${slug}"]`);
      continue;
    }
    const text = await section.innerText();
    const missing = [op.summary, op.method.toUpperCase(), op.path].filter((s) => s && !text.includes(s));
    if (missing.length) {
      failures.push(`${op.id}: its section lacks ${missing.map((s) => JSON.stringify(s)).join(", ")}`);
    } else {
      console.log(`docs-check: ${op.id} rendered (${op.method.toUpperCase()} ${op.path}: ${op.summary})`);
    }
  }

  // The picture: the first operation, with the navigation open beside it.
  const first = operations[0];
  await page.goto(`${base}#/${encodeURIComponent(first.tag.toLowerCase())}/${first.id.toLowerCase()}`, { waitUntil: "load" });
  await page.locator(`[data-section-id$="/${first.id.toLowerCase()}"]`).first().waitFor({ state: "visible", timeout: 15000 });
  await page.waitForTimeout(500);
  await page.screenshot({ path: screenshot });
  console.log(`docs-check: screenshot of ${first.id} in ${screenshot}`);
} finally {
  await browser.close();
  rmSync(profile, { recursive: true, force: true });
}

if (refused.size) {
  console.log(`docs-check: refused (not loaded, the page works without): ${[...refused].sort().join(", ")}`);
}
if (pageErrors.length) failures.push(...pageErrors.map((e) => `page error: ${e}`));
if (failures.length) {
  console.error(`docs-check: FAILED\n  ${failures.join("\n  ")}`);
  process.exit(1);
}
console.log(`docs-check: all ${operations.length} operations of openapi.yaml rendered`);
