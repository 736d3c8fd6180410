#!/bin/sh
# Installed at the official entrypoint paths (/opt/starrocks/{fe,be,cn}_entrypoint.sh), so a pod
# rendered by the official operator runs the agent. The operator passes $(FE_SERVICE_NAME) as the
# only argument; the agent reads FE_SERVICE_NAME from env itself.
#
# Under our controller a CR `command` naming this path is supervised by the agent already
# (`starrocks-agent run -- /opt/starrocks/fe_entrypoint.sh ...`, which sets
# STARROCKS_AGENT_SUPERVISED): the script then stands in for start_*.sh, dropping the service name
# and passing on the agent's start arguments, instead of starting a second agent.
if [ -n "${STARROCKS_AGENT_SUPERVISED:-}" ]; then
  case "${1:-}" in --* | '') ;; *) shift ;; esac
  exec "${STARROCKS_ROOT:-/opt/starrocks}/${COMPONENT_NAME}/bin/start_${COMPONENT_NAME}.sh" "$@"
fi
exec /opt/starrocks-agent/starrocks-agent run
