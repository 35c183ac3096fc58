#!/bin/sh
# `npm run bench:peers`: installs the peer mocks that `npm run bench` measures beside the sandbox, and Java for WireMock.
set -eu
cd "$(dirname "$0")"

if ! command -v java >/dev/null 2>&1; then
  # The wiremock package bundles the jar but not a JVM.
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "bench:peers: no java and no apt-get; install a Java 11+ runtime by hand, or WireMock is reported as not startable" >&2
  else
    if [ "$(id -u)" -eq 0 ]; then as_root=""; else as_root="sudo"; fi
    $as_root apt-get update
    DEBIAN_FRONTEND=noninteractive $as_root apt-get install -y --no-install-recommends default-jre-headless
  fi
fi

npm ci --no-audit --no-fund
