// `make api-compat`: holds openapi.yaml to its promise to clients.
//
// 1. Breaking changes: compares openapi.yaml (the working tree's) with the one of a base commit
//    (default HEAD~1, the previous commit; API_COMPAT_BASE=<ref> for another) with api-smart-diff,
//    which classifies every change of an OpenAPI document (3.0 and 3.1; JSON Schema keywords
//    inside) as breaking, non-breaking, deprecated, annotation or unclassified. A breaking change
//    (an operation, response, field or enum value removed, a field renamed, a type changed, a new
//    required parameter or request field, a tighter limit, ...) fails the check unless the major
//    version of `info.version` went up. Without a previous commit (the first commit, a shallow
//    clone) or without an openapi.yaml in it, there is nothing to compare and this part passes;
//    a base given explicitly must exist.
// 2. CHANGELOG.md has an entry for the current `info.version`: a heading `## [X.Y.Z]`
//    (Keep a Changelog).
//
//   node tools/api-compat/check.mjs [base ref] [openapi.yaml] [CHANGELOG.md]
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";

import { apiCompare } from "api-smart-diff";
import { parse } from "yaml";

const explicitBase = process.argv[2] || process.env.API_COMPAT_BASE || "";
const baseRef = explicitBase || "HEAD~1";
const specPath = process.argv[3] || "openapi.yaml";
const changelogPath = process.argv[4] || "CHANGELOG.md";

const failures = [];
const say = (line) => console.log(`api-compat: ${line}`);

function semver(version, where) {
  const m = /^(\d+)\.(\d+)\.(\d+)(?:[-+].*)?$/.exec(String(version ?? ""));
  if (!m) {
    failures.push(`${where}: info.version ${JSON.stringify(version)} is not a semantic version (X.Y.Z)`);
    return null;
  }
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]), text: String(version) };
}

function git(...args) {
  return execFileSync("git", args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], maxBuffer: 64 << 20 });
}

const currentText = readFileSync(specPath, "utf8");
const current = parse(currentText);
const currentVersion = semver(current?.info?.version, specPath);

// ---- 1. breaking changes against the base commit -------------------------------------------
let baseText = null;
let baseCommit = null;
try {
  baseCommit = git("rev-parse", "--verify", "--quiet", `${baseRef}^{commit}`).trim();
} catch {
  if (explicitBase) {
    failures.push(`no commit ${baseRef} to compare with`);
  } else {
    say(`no commit ${baseRef} (the first commit, or a shallow clone): no earlier openapi.yaml to compare with`);
  }
}
if (baseCommit) {
  // The document's path inside the repository, wherever the check runs from.
  const inRepo = git("ls-files", "--full-name", "--error-unmatch", specPath).trim() || specPath;
  try {
    baseText = git("show", `${baseCommit}:${inRepo}`);
  } catch {
    say(`${baseRef} (${baseCommit.slice(0, 12)}) has no ${inRepo}: nothing to compare with`);
  }
}

if (baseText !== null) {
  const base = parse(baseText);
  const baseVersion = semver(base?.info?.version, `${baseRef}:${specPath}`);
  // apiCompare changes the documents it is given: hand it fresh copies.
  const { diffs } = apiCompare(parse(baseText), parse(currentText));
  const counts = {};
  for (const d of diffs) counts[d.type] = (counts[d.type] ?? 0) + 1;
  const summary = Object.entries(counts).map(([type, n]) => `${n} ${type}`).join(", ") || "no changes";
  say(`${specPath} against ${baseRef} (${baseCommit.slice(0, 12)}): ${summary}`);

  const breaking = diffs.filter((d) => d.type === "breaking");
  if (breaking.length > 0 && baseVersion && currentVersion) {
    const lines = [...new Set(breaking.map((d) => `${d.description || `${d.action} ${d.path.join("/")}`}`))];
    if (currentVersion.major > baseVersion.major) {
      say(`${breaking.length} breaking change(s), allowed: info.version ${baseVersion.text} -> ${currentVersion.text} is a new major version`);
      for (const line of lines) console.log(`  - ${line}`);
    } else {
      failures.push(
        `${breaking.length} breaking change(s) while info.version went ${baseVersion.text} -> ${currentVersion.text} ` +
          `(a breaking change needs a new major version, and a CHANGELOG entry):\n` +
          lines.map((line) => `    - ${line}`).join("\n"),
      );
    }
  }
  if (baseVersion && currentVersion && diffs.some((d) => d.type !== "annotation") && baseVersion.text === currentVersion.text) {
    say(`note: the contract changed but info.version is still ${currentVersion.text}`);
  }
}

// ---- 2. a CHANGELOG entry for the current version ------------------------------------------
if (currentVersion) {
  let changelog = "";
  try {
    changelog = readFileSync(changelogPath, "utf8");
  } catch {
    failures.push(`${changelogPath} is missing (Keep a Changelog, one "## [X.Y.Z]" section per info.version)`);
  }
  const escaped = currentVersion.text.replace(/[.+]/g, "\\$&");
  if (changelog && !new RegExp(`^## \\[${escaped}\\]`, "m").test(changelog)) {
    failures.push(`${changelogPath} has no entry "## [${currentVersion.text}]" for info.version ${currentVersion.text}`);
  } else if (changelog) {
    say(`${changelogPath} has an entry for ${currentVersion.text}`);
  }
}

if (failures.length) {
  console.error(`api-compat: FAILED\n  ${failures.join("\n  ")}`);
  process.exit(1);
}
say("ok");
