#!/usr/bin/env bash
# Print a systemd unit for each process of deploy/Procfile (docs/operations.md, "Production layout").
# Usage: scripts/procfile-units.sh USER ENVFILE [CHECKOUT]   e.g. > /etc/systemd/system/… per unit (split on "# ---")
set -euo pipefail
user=${1:?user} envfile=${2:?environment file}
checkout=$(cd "${3:-$(dirname "$0")/..}" && pwd)
while IFS= read -r line; do
  case $line in ''|'#'*) continue ;; esac
  name=${line%%:*}; command=${line#*:}
  cat <<UNIT
# --- techmarket-$name.service
[Unit]
Description=Qinghai technology market: $name
After=network.target postgresql.service redis-server.service

[Service]
User=$user
WorkingDirectory=$checkout
EnvironmentFile=$envfile
Environment=PATH=$checkout/.venv/bin:/usr/bin:/bin
ExecStart=/bin/bash -c 'exec $command'
ExecReload=/bin/kill -HUP \$MAINPID
KillSignal=SIGTERM
TimeoutStopSec=60
Restart=always

[Install]
WantedBy=multi-user.target
UNIT
done < "$checkout/deploy/Procfile"
