#!/usr/bin/env bash
# GitHub's REST spec (@octokit/openapi) and Prism (@stoplight/prism-cli), for
# packages/openapi/test/GitHub*.test.ts, installed into a folder outside the workspace: the spec
# package holds every GitHub edition's spec (385 MB unpacked) and must stay out of `npm ci`.
# Prints the two exports the test reads: eval "$(.ci/github-tools.sh)" && npm run test:github
set -euo pipefail
dir="${STEADY_GITHUB_TOOLS:-${TMPDIR:-/tmp}/steady-github-tools}"
mkdir -p "$dir"
if [ ! -x "$dir/node_modules/.bin/prism" ] || [ ! -f "$dir/node_modules/@octokit/openapi/generated/api.github.com.json" ]; then
  npm install --prefix "$dir" --no-save --no-audit --no-fund --loglevel=error \
    @octokit/openapi@23.0.2 @stoplight/prism-cli@5.16.0 >&2
fi
echo "export STEADY_GITHUB_SPEC='$dir/node_modules/@octokit/openapi/generated/api.github.com.json'"
echo "export STEADY_PRISM='$dir/node_modules/.bin/prism'"
