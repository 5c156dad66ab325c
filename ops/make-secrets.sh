#!/bin/sh
# Writes the compose stack's secrets into ops/secrets/, once: an existing file is never replaced
# (a new code secret would make every stored code answer "fake").
set -eu
dir="$(dirname "$0")/secrets"
mkdir -p "$dir"
chmod 700 "$dir"
umask 077
random() { head -c 32 /dev/urandom | base64 | tr -d '/+=\n'; }
[ -e "$dir/code-secret" ] || random > "$dir/code-secret"
[ -e "$dir/admin-token" ] || printf 'pca_%s' "$(random)" > "$dir/admin-token"
[ -e "$dir/pg-password" ] || random > "$dir/pg-password"
[ -e "$dir/pg-url" ] || printf 'postgresql://packcheck:%s@postgres:5432/packcheck' "$(cat "$dir/pg-password")" > "$dir/pg-url"
echo "secrets in $dir: back up code-secret with the database"
