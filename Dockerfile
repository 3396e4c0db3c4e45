# Polycom provisioning appliance: DHCP, TFTP, FTP and HTTP(S) from one appliance.yaml.
#
#   docker build -t polycom-appliance .                      # official node:24-slim base
#   docker build --build-arg NODE_IMAGE=appliance-local/node:24-slim -t polycom-appliance .
#                                                            # local stand-in (docker/build-base-image.sh)
#
# Runtime layout (nothing baked in; see compose.yaml and docs/lab-quick-start.md):
#   /etc/appliance/appliance.yaml   the configuration, mounted read-only (APPLIANCE_CONFIG)
#   /srv/tftpboot                   Polycom split download, mounted read-only (= /etc/appliance/tftpboot)
#   /var/lib/appliance              data volume: leases, uploads, inventory (= /etc/appliance/data)
# The two symlinks let the repository's appliance.yaml (tftpboot: ./tftpboot, dataDir: ./data, resolved
# relative to the YAML file) work unchanged inside the container.
ARG NODE_IMAGE=node:24-slim

# ---- build: TypeScript → dist/, the native addons, production node_modules --------------------
FROM ${NODE_IMAGE} AS build
# A C compiler for the five addons (src/dhcp/socket/bind-device.c, src/tftp/native/ (engine.c and its parts), src/ntp/host-clock.c,
# src/shared/syncfs.c, src/shared/sendfile.c), compiled once
# here; the runtime image has no compiler.
RUN apt-get update -qq \
 && apt-get install -y -qq --no-install-recommends gcc libc6-dev >/dev/null \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
COPY patches ./patches
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY bin ./bin
COPY src ./src
# tsc emits .js (and imported .json); other assets beside the sources (C source of the addon, templates,
# static files) are copied as they are, test data excepted.
RUN npm run build \
 && (cd src && find . -type f ! -name '*.ts' ! -path '*/testdata/*' -exec cp --parents {} ../dist/ \;) \
 && APPLIANCE_NATIVE_DIR=/app/native node -e "Promise.all([import('/app/dist/dhcp/socket/native.js').then((m) => m.loadBindDevice()), import('/app/dist/tftp/native/engine.js').then((m) => m.loadEngineAddon()), import('/app/dist/ntp/host-clock.js').then((m) => m.loadHostClockAddon()), import('/app/dist/shared/sync-group.js').then((m) => m.loadSyncfsAddon()), import('/app/dist/shared/sendfile.js').then((m) => m.loadSendfile())]).then((rs) => { for (const r of rs) if (!r.ok) { console.error(r.error); process.exit(1); } })" \
 && npm prune --omit=dev --no-audit --no-fund \
 && rm -rf node_modules/.cache

# ---- runtime -----------------------------------------------------------------------------------------
FROM ${NODE_IMAGE}
LABEL org.opencontainers.image.title="polycom-appliance" \
      org.opencontainers.image.description="Provisioning appliance for Polycom desk phones: DHCP, TFTP, FTP and HTTP(S) from one appliance.yaml" \
      org.opencontainers.image.licenses="MIT" \
      org.opencontainers.image.version="0.1.0"
ENV NODE_ENV=production \
    APPLIANCE_CONFIG=/etc/appliance/appliance.yaml \
    LOG_LEVEL=info \
    APPLIANCE_NATIVE_DIR=/opt/appliance/native
WORKDIR /opt/appliance
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/bin ./bin
COPY --from=build /app/dist ./dist
COPY --from=build /app/native ./native
COPY docker/healthcheck.mjs ./docker/healthcheck.mjs
RUN ln -s /opt/appliance/bin/appliance.js /usr/local/bin/appliance \
 && mkdir -p /etc/appliance /srv/tftpboot /var/lib/appliance \
 && ln -s /srv/tftpboot /etc/appliance/tftpboot \
 && ln -s /var/lib/appliance /etc/appliance/data \
 && chown node:node /var/lib/appliance
# Unprivileged: ports below 1024 come from the container's own sysctl
# net.ipv4.ip_unprivileged_port_start=0 (compose.yaml), not from root or file capabilities.
USER node
VOLUME ["/var/lib/appliance"]
EXPOSE 67/udp 69/udp 123/udp 514/udp 514/tcp 21/tcp 80/tcp 443/tcp
# Liveness: the appliance holds its listening sockets (docker/healthcheck.mjs).
HEALTHCHECK --interval=30s --timeout=5s --start-period=15s --retries=3 \
  CMD ["node", "/opt/appliance/docker/healthcheck.mjs"]
ENTRYPOINT ["node", "/opt/appliance/bin/appliance.js"]
CMD ["run"]
