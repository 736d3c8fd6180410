# The agent image: the agent's single executable and nothing else of ours. Its one job is the init
# container that injects the agent into pods running the stock StarRocks images:
#   starrocks-agent install --to /opt/starrocks-agent
# copies the executable into an emptyDir mounted there; the StarRocks containers run the user's
# image unchanged with /opt/starrocks-agent/starrocks-agent as their command.
#
# The executable sits at /starrocks-agent, outside /opt/starrocks-agent, so the emptyDir mounted
# at that path does not hide it. The base is not `scratch`: the executable is the Node binary,
# dynamically linked (NEEDED: libc, libm, libdl, libpthread, libstdc++, libgcc_s; glibc >= 2.28),
# and distroless/cc holds exactly those, with no shell and no package manager.
#
# Build from the repository root after `npm run build` (x64; arm64 with the build argument):
#   docker build -f images/agent.Dockerfile -t starrocks-agent:0.1.0 .
#   docker build -f images/agent.Dockerfile --platform linux/arm64 \
#     --build-arg AGENT_EXECUTABLE=dist/starrocks-agent-linux-arm64 -t starrocks-agent:0.1.0-arm64 .
ARG AGENT_EXECUTABLE=dist/starrocks-agent

FROM gcr.io/distroless/cc-debian12:nonroot
ARG AGENT_EXECUTABLE
COPY --chmod=0755 ${AGENT_EXECUTABLE} /starrocks-agent
ENTRYPOINT ["/starrocks-agent"]
CMD ["install", "--to", "/opt/starrocks-agent"]
