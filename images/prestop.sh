#!/bin/sh
# Installed at the official preStop paths (/opt/starrocks/{fe,be,cn}_prestop.sh).
exec /opt/starrocks-agent/starrocks-agent prestop
