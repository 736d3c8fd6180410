# StarRocks BE and CN (one image, as upstream: /opt/starrocks/cn links to be) with the
# starrocks-agent as entrypoint. COMPONENT_NAME (be or cn) is set by the pod spec.
# Build from the repository root after `npm run build`:
#   docker build -f images/be.Dockerfile --build-arg STARROCKS_VERSION=3.5.8 -t starrocks-be-agent:3.5.8 .
ARG STARROCKS_VERSION=3.5.8
ARG AGENT_EXECUTABLE=dist/starrocks-agent

FROM starrocks/be-ubuntu:${STARROCKS_VERSION}
# tini is PID 1 only to reap orphaned processes; the agent supervises StarRocks.
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini \
 && rm -rf /var/lib/apt/lists/*
# The agent's single executable (Node and the bundle in one file, images/build-sea.ts): it needs
# glibc >= 2.28 and libstdc++, which the Ubuntu 22.04 image has. For arm64, pass
# --build-arg AGENT_EXECUTABLE=dist/starrocks-agent-linux-arm64.
ARG AGENT_EXECUTABLE
COPY --chmod=0755 ${AGENT_EXECUTABLE} /opt/starrocks-agent/starrocks-agent
# be.conf and cn.conf both live in be/conf (cn is a link to be): the agent writes the effective
# conf into its state dir so the root filesystem can stay read-only.
RUN mv /opt/starrocks/be/conf /opt/starrocks/be/conf.image \
 && ln -s /var/run/starrocks-agent/conf/be /opt/starrocks/be/conf \
 && mkdir -p /var/run/starrocks-agent \
 && chown -R 1000:1000 /var/run/starrocks-agent /opt/starrocks/be/storage /opt/starrocks/be/log
COPY --chmod=0755 images/entrypoint.sh /opt/starrocks/be_entrypoint.sh
COPY --chmod=0755 images/entrypoint.sh /opt/starrocks/cn_entrypoint.sh
COPY --chmod=0755 images/prestop.sh /opt/starrocks/be_prestop.sh
COPY --chmod=0755 images/prestop.sh /opt/starrocks/cn_prestop.sh
ENV COMPONENT_NAME=be STARROCKS_ROOT=/opt/starrocks
USER 1000:1000
ENTRYPOINT ["/usr/bin/tini", "--", "/opt/starrocks-agent/starrocks-agent"]
CMD ["run"]
