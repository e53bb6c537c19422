#!/bin/sh
# Runs the browser test (consumer_page_test.mjs) from ctest: checks that its tools are present and
# says how to get them when they are not. Arguments are passed through to the test.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
for tool in node /usr/bin/chromium; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "browser test: $tool is missing; run 'make deps' (Debian packages chromium, nodejs)" >&2
    exit 1
  fi
done
if [ ! -d "$here/node_modules/playwright-core" ]; then
  echo "browser test: $here/node_modules is missing; run 'npm ci' there (make test does)" >&2
  exit 1
fi
exec node "$here/consumer_page_test.mjs" "$@"
