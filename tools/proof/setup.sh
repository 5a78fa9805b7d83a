#!/bin/sh
# Installs what the live fix proofs (tests/fixes/test_live_proof.py) need beyond Python packages:
# the Node packages the Express and Fastify fixes use, into tools/proof/node/ (never global),
# and nginx from Debian. Idempotent: re-running it only installs what is missing.
set -eu
here=$(cd "$(dirname "$0")" && pwd)

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    echo "setup: installing nodejs and npm from Debian" >&2
    apt-get install -y --no-install-recommends nodejs npm
fi
if ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ]; then
    echo "setup: installing nginx from Debian" >&2
    apt-get install -y --no-install-recommends nginx-light || apt-get install -y --no-install-recommends nginx
fi

# package.json pins the majors the catalog's templates are written for (cors 2, Express 5,
# Fastify 5 + @fastify/cors 11); package-lock.json fixes the exact versions. Both are kept here
# and copied into node/, which is git-ignored as a whole.
mkdir -p "$here/node"
cp "$here/package.json" "$here/package-lock.json" "$here/node/"
modules="$here/node/node_modules"
if [ ! -d "$modules/express" ] || [ ! -d "$modules/cors" ] || [ ! -d "$modules/fastify" ] \
        || [ ! -d "$modules/@fastify/cors" ]; then
    npm install --prefix "$here/node" --no-audit --no-fund --loglevel=error
fi
echo "setup: proof dependencies ready in $here/node/node_modules" >&2
