#!/usr/bin/env bash
# Makes the user guide's screenshots (docs/images/, shown at /help) again: runs the
# browser tests on the demo in headless Chromium and keeps the screenshots the guide
# names. Needs chromium and chromium-driver. Usage: bash scripts/guide-images.sh
set -euo pipefail
cd "$(dirname "$0")/.."
GOVMEDIA_REQUIRE_BROWSER=1 GOVMEDIA_GUIDE_IMAGES="$PWD/docs/images" \
  cargo test -p govmedia-web --test it browser:: -- --test-threads=1
du -ch docs/images/*.png | tail -1
