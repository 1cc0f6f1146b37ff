#!/usr/bin/env bash
# Debian packages the project's tests and sample corpus need. Safe to run twice.
set -euo pipefail
# fonts-wqy-microhei: the CJK font corpus/build.py draws the sample PDFs, scans and PNGs with.
# chromium and chromium-driver: the headless browser the review-site tests drive with selenium.
# libreoffice-writer-nogui: converts .doc, .wps and .rtf reports to .docx (extractor/readers/office.py).
need=(fonts-wqy-microhei chromium chromium-driver libreoffice-writer-nogui)
[ -n "${SELFEVAL_DEBIAN_PACKAGES:-}" ] && need+=(${SELFEVAL_DEBIAN_PACKAGES})
if [ ${#need[@]} -gt 0 ] && command -v apt-get >/dev/null 2>&1; then
  missing=()
  for p in "${need[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  if [ ${#missing[@]} -gt 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
fi
