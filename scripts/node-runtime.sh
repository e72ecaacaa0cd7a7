# Sourced by the set-up, start and test commands: puts Node.js 24 LTS, the runtime the release image
# ships (Dockerfile), first on PATH, so npm, the build, the tests, the benchmark and the local stack
# all run on it. The machine's own node when it is 24 or newer; otherwise the official build from
# the npm registry (package node-linux-<arch>), installed once into the tools cache.
NODE_RUNTIME_MAJOR=24
NODE_RUNTIME_VERSION=24.21.0
if [ "$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)" -lt "$NODE_RUNTIME_MAJOR" ]; then
  node_runtime_dir="${INSURFLOW_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/insurflow}/node-v$NODE_RUNTIME_VERSION"
  node_runtime_package="node-linux-$(node -p process.arch)"
  if [ ! -x "$node_runtime_dir/node_modules/$node_runtime_package/bin/node" ]; then
    echo "[setup] installing Node.js $NODE_RUNTIME_VERSION ($node_runtime_package) into $node_runtime_dir"
    npm install --prefix "$node_runtime_dir" --no-save --no-audit --no-fund --loglevel=error "$node_runtime_package@$NODE_RUNTIME_VERSION"
  fi
  export PATH="$node_runtime_dir/node_modules/$node_runtime_package/bin:$PATH"
fi
