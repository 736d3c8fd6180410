#!/bin/sh
# Installed at the official entrypoint paths (/opt/starrocks/{fe,be,cn}_entrypoint.sh), so a pod
# rendered by the official operator runs the agent. The operator passes $(FE_SERVICE_NAME) as the
# only argument; the agent reads FE_SERVICE_NAME from env itself.
exec /opt/starrocks-agent/starrocks-agent run
