# StarRocks FE with the starrocks-agent as its entrypoint.
# Build from the repository root after `npm run build`:
#   docker build -f images/fe.Dockerfile --build-arg STARROCKS_VERSION=3.5.8 -t starrocks-fe-agent:3.5.8 .
ARG STARROCKS_VERSION=3.5.8
ARG AGENT_EXECUTABLE=dist/starrocks-agent

FROM starrocks/fe-ubuntu:${STARROCKS_VERSION}
# tini is PID 1 only to reap orphaned processes (Node cannot wait for processes it did not
# spawn); it forwards every signal to the agent, which supervises StarRocks.
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini \
 && rm -rf /var/lib/apt/lists/*
# The agent's single executable (Node and the bundle in one file, images/build-sea.ts): it needs
# glibc >= 2.28 and libstdc++, which the Ubuntu 22.04 image has. For arm64, pass
# --build-arg AGENT_EXECUTABLE=dist/starrocks-agent-linux-arm64.
ARG AGENT_EXECUTABLE
COPY --chmod=0755 ${AGENT_EXECUTABLE} /opt/starrocks-agent/starrocks-agent
# StarRocks reads its conf from fe/conf. The agent writes the effective conf (the image's defaults
# overlaid with the mounted ConfigMap) into its state dir, an emptyDir, so the root filesystem can
# stay read-only (the official entrypoint writes into the image, W13).
RUN mv /opt/starrocks/fe/conf /opt/starrocks/fe/conf.image \
 && ln -s /var/run/starrocks-agent/conf/fe /opt/starrocks/fe/conf \
 && mkdir -p /var/run/starrocks-agent \
 && chown -R 1000:1000 /var/run/starrocks-agent /opt/starrocks/fe/meta /opt/starrocks/fe/log
# The official operator runs these paths: they hand over to the agent.
COPY --chmod=0755 images/entrypoint.sh /opt/starrocks/fe_entrypoint.sh
COPY --chmod=0755 images/prestop.sh /opt/starrocks/fe_prestop.sh
ENV COMPONENT_NAME=fe STARROCKS_ROOT=/opt/starrocks
USER 1000:1000
ENTRYPOINT ["/usr/bin/tini", "--", "/opt/starrocks-agent/starrocks-agent"]
CMD ["run"]
