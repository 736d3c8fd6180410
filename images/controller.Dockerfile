# The starrocks-controller: one bundled file on the Node 24 runtime, run as a non-root user on a
# read-only root filesystem (it writes nothing to disk).
# Build from the repository root after `npm run build:controller`:
#   docker build -f images/controller.Dockerfile -t starrocks-controller:0.1.0 .
ARG NODE_VERSION=24
FROM node:${NODE_VERSION}-bookworm-slim
COPY --chmod=0755 dist/starrocks-controller.mjs /opt/starrocks-controller/starrocks-controller.mjs
USER 65532:65532
ENTRYPOINT ["node", "/opt/starrocks-controller/starrocks-controller.mjs"]
CMD ["run"]
