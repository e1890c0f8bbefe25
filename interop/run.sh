#!/usr/bin/env bash
# Points the published JavaScript and Python Buttplug clients at a real `plugwire serve`.
# Installs them locally (interop/node_modules, interop/.python) from the package registries.
# A client whose package cannot be installed is reported as skipped; a client that runs and
# fails fails this script.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
binary="$(realpath "${1:?usage: run.sh PATH_TO_PLUGWIRE_BINARY}")"
cd "$here"

logs=()
servers=()
trap 'kill "${servers[@]}" 2>/dev/null || true; rm -f "${logs[@]}"' EXIT

# Starts `plugwire serve ARGS...` and sets $url to the first line it prints after PREFIX.
start_server() {
    local prefix="$1"
    shift
    local log
    log="$(mktemp)"
    logs+=("$log")
    "$binary" serve --websocket-port 0 --log warn "$@" >"$log" 2>&1 &
    servers+=($!)
    url=""
    for _ in $(seq 1 100); do
        url="$(sed -n "s|^${prefix}||p" "$log" | head -n 1)"
        [ -n "$url" ] && break
        sleep 0.1
    done
    [ -n "$url" ] || { cat "$log"; echo "plugwire serve did not start"; exit 1; }
}

start_server "plugwire listening on "
echo "interop: server at $url"

if command -v node >/dev/null && command -v npm >/dev/null; then
    if [ -d node_modules/buttplug ] || npm install --no-save --no-audit --no-fund buttplug@5.0.2 >/dev/null 2>&1; then
        timeout 60 node client.mjs "$url"
    else
        echo "interop: SKIPPED javascript client (npm install failed)"
    fi
else
    echo "interop: SKIPPED javascript client (no node)"
fi

if command -v python3 >/dev/null; then
    if [ -d .python/buttplug ] || python3 -m pip install --quiet --target .python buttplug==1.0.0 >/dev/null 2>&1; then
        PYTHONPATH="$here/.python" timeout 60 python3 client.py "$url"
    else
        echo "interop: SKIPPED python client (pip install failed)"
    fi
else
    echo "interop: SKIPPED python client (no python3)"
fi

# The IPv6 loopback the default listener also answers on, and a listener beyond loopback that
# takes the access token in its URL: the published Python client, unchanged, through both.
if [ -d .python/buttplug ]; then
    start_server "plugwire also listening on "
    echo "interop: python client at $url"
    PYTHONPATH="$here/.python" timeout 60 python3 client.py "$url"
    start_server "plugwire listening on " --websocket-use-all-interfaces --access-token correct-horse-battery-staple
    guarded="${url/0.0.0.0/127.0.0.1}"
    echo "interop: python client at $guarded"
    PYTHONPATH="$here/.python" timeout 60 python3 client.py "$guarded"
fi
