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

# Secure WebSocket with a certificate a CA issued (as mkcert or a company CA would): the
# published clients, unchanged, trusting that CA the way their platforms let a user do it.
if command -v openssl >/dev/null; then
    pki="$(mktemp -d)"
    logs+=("$pki/ca.pem" "$pki/ca.key" "$pki/leaf.pem" "$pki/leaf.key" "$pki/leaf.csr" "$pki/san.cnf" "$pki/ca.srl")
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
        -subj "/CN=plugwire interop CA" -keyout "$pki/ca.key" -out "$pki/ca.pem" 2>/dev/null
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
        -subj "/CN=localhost" -keyout "$pki/leaf.key" -out "$pki/leaf.csr" 2>/dev/null
    printf 'subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1\n' >"$pki/san.cnf"
    openssl x509 -req -in "$pki/leaf.csr" -CA "$pki/ca.pem" -CAkey "$pki/ca.key" -CAcreateserial \
        -days 2 -extfile "$pki/san.cnf" -out "$pki/leaf.pem" 2>/dev/null
    start_server "plugwire listening on " --websocket-cert "$pki/leaf.pem" --websocket-key "$pki/leaf.key"
    secure="${url%%\?*}"
    secure="${secure/127.0.0.1/localhost}"
    case "$secure" in wss://*) ;; *) echo "expected a wss:// listener, got $url"; exit 1 ;; esac
    if [ -d .python/buttplug ]; then
        echo "interop: python client at $secure (CA trusted through SSL_CERT_FILE)"
        SSL_CERT_FILE="$pki/ca.pem" PYTHONPATH="$here/.python" timeout 60 python3 client.py "$secure"
    fi
    if [ -d node_modules/buttplug ]; then
        echo "interop: javascript client at $secure (CA trusted through NODE_EXTRA_CA_CERTS)"
        NODE_EXTRA_CA_CERTS="$pki/ca.pem" timeout 60 node client.mjs "$secure"
    fi
else
    echo "interop: SKIPPED wss clients (no openssl to issue a certificate)"
fi
